import { expect, it } from 'vitest';
import { scheduleTimers } from '../../src/db/queries/jobs.js';
import { ALERT_TIMER_JOBS, AUTO_CLOSE_JOB, timerJobId } from '../../src/domain/time-rules.js';
import type { Job, JobOutcome } from '../../src/jobs/job-worker.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Auto-close (DESIGN.md §8): an open case quiet for N days is closed by the system, after its closing text. */
describeEachDialect('auto-close', (dialect) => {
  let clock = Date.now();
  const h = useCaseline(dialect, { now: () => clock });
  let contactSeq = 0;
  const newContact = () => `+4477009${String(20000 + ++contactSeq).slice(-5)}`;

  type Entry = { action: string; user: { id: string } | null; detail: Record<string, unknown> };
  const historyOf = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items as Entry[];
  const closings = async (org: TestOrg, n: number) => (await historyOf(org, n)).filter((e) => e.action === 'closed');
  const statusOf = async (org: TestOrg, n: number) => (await h.record(org, n)).status as string;
  const post = (user: TestUser, url: string, body?: unknown) => h.request('POST', url, { token: user.token, body });
  const patchSurvey = (org: TestOrg, user: TestUser, body: unknown) =>
    h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, { token: user.token, body });

  /** Runs every due job, including those a run makes due (a retime books timers already due). */
  async function runJobs(): Promise<void> {
    for (let round = 0; round < 200; round++) if ((await h.caseline().jobs.runOnce()) === 0) return;
    throw new Error('jobs kept coming');
  }

  async function orgWith(
    autoClose: { quietDays: number; closingText: string | null } | null,
    options: Parameters<typeof h.newOrg>[0] = {},
  ): Promise<TestOrg> {
    const org = await h.newOrg(options);
    const res = await patchSurvey(org, org.admin, { autoClose });
    expect(res.status).toBe(200);
    await runJobs();
    return org;
  }

  async function openCase(org: TestOrg, contact = newContact(), text = 'I need help'): Promise<number> {
    expect((await h.text(org, contact, text)).status).toBeLessThan(300);
    const found = (await h.records(org, 'status=open')).filter((r) => r.contact === contact);
    return Math.max(...found.map((r) => r.caseNumber));
  }

  const recordId = async (org: TestOrg, n: number) =>
    (
      await h
        .caseline()
        .db.kysely.selectFrom('records')
        .select('id')
        .where('org_id', '=', org.orgId)
        .where('case_number', '=', n)
        .executeTakeFirstOrThrow()
    ).id;

  const timerDueAt = async (kind: string, id: string) => {
    const row = await h
      .caseline()
      .db.kysely.selectFrom('jobs')
      .select('due_at')
      .where('id', '=', timerJobId(kind, id))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return row ? Number(row.due_at) : null;
  };

  const autoCloseHandler = () => h.caseline().services.jobHandlers.find((handler) => handler.kind === AUTO_CLOSE_JOB)!;
  const jobOf = (id: string): Job => ({
    id: timerJobId(AUTO_CLOSE_JOB, id),
    org_id: null,
    kind: AUTO_CLOSE_JOB,
    subject_id: id,
    payload: null,
    attempts: 1,
    created_at: clock,
  });
  const applyOutcome = (outcome: JobOutcome) => {
    if (outcome.state !== 'done' || !outcome.apply) throw new Error(`expected a close to apply, got ${JSON.stringify(outcome)}`);
    const { apply } = outcome;
    return h.caseline().db.transaction(async (tx): Promise<unknown> => apply(tx));
  };

  it('closes an open case after N quiet days, not a minute before, silently and with the system as actor', async () => {
    const org = await orgWith({ quietDays: 3, closingText: null });
    const n = await openCase(org);
    const before = await h.record(org, n);

    clock += 3 * DAY - MINUTE;
    await runJobs();
    expect(await statusOf(org, n)).toBe('open');

    clock += MINUTE;
    await runJobs();
    const record = await h.record(org, n);
    expect(record).toMatchObject({ status: 'closed', answers: { status: 'closed' }, closedAt: new Date(clock).toISOString() });
    expect(record.version).toBe(Number(before.version) + 1);
    // No closing text set: the conversation is as the person left it.
    expect(record.messages.map((m: { text: string }) => m.text)).toEqual(['I need help']);
    const history = await historyOf(org, n);
    expect(history.find((e) => e.action === 'answers.edited')).toMatchObject({
      user: null,
      detail: { changed: { status: { to: 'closed' } } },
    });
    expect(await closings(org, n)).toEqual([expect.objectContaining({ user: null, detail: { by: 'auto-close', quietDays: 3 } })]);
  });

  it('an inbound message or a reply pushes the close to N days after the latest message', async () => {
    const org = await orgWith({ quietDays: 3, closingText: null });
    const contact = newContact();
    const start = clock;
    const n = await openCase(org, contact);

    clock = start + 2 * DAY;
    await h.text(org, contact, 'are you there?');
    clock = start + 4 * DAY;
    await runJobs();
    expect(await statusOf(org, n)).toBe('open');
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    expect((await h.reply(org, n, 'We are here')).status).toBe(202);

    clock = start + 7 * DAY - MINUTE;
    await runJobs();
    expect(await statusOf(org, n)).toBe('open');
    clock = start + 7 * DAY;
    await runJobs();
    expect(await statusOf(org, n)).toBe('closed');
  });

  it('sends the closing text first, once, marked automatic with {case} filled, and it reaches the phone', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'We are closing case {case}. Write again any time.' });
    const contact = newContact();
    const n = await openCase(org, contact);
    const text = `We are closing case ${n}. Write again any time.`;

    clock += 2 * DAY;
    await runJobs();
    const record = await h.record(org, n);
    expect(record.status).toBe('closed');
    expect(record.messages.at(-1)).toMatchObject({ direction: 'out', text, automatic: true, author: null });
    const actions = (await historyOf(org, n)).map((e) => e.action);
    expect(actions.indexOf('message.out')).toBeGreaterThan(-1);
    expect(actions.indexOf('message.out')).toBeLessThan(actions.indexOf('closed'));
    expect(await closings(org, n)).toEqual([expect.objectContaining({ user: null, detail: { by: 'auto-close', quietDays: 2 } })]);

    await h.caseline().outbox.runOnce();
    const phone = await h.request('GET', `/api/v1/numbers/${org.numberId}/simulator?contact=${encodeURIComponent(contact)}`, {
      token: org.admin.token,
    });
    expect(phone.body.items.map((m: { direction: string; text: string; status: string }) => [m.direction, m.text, m.status])).toEqual([
      ['in', 'I need help', 'received'],
      ['out', text, 'delivered'],
    ]);

    // Booked again (as a retime or a second process would) and run: the case is closed, nothing more happens.
    const id = await recordId(org, n);
    await h
      .caseline()
      .db.transaction((tx) =>
        scheduleTimers(
          tx,
          [{ id: timerJobId(AUTO_CLOSE_JOB, id), orgId: org.orgId, kind: AUTO_CLOSE_JOB, subjectId: id, dueAt: clock }],
          clock,
        ),
      );
    clock += 2 * DAY;
    await runJobs();
    expect((await h.conversation(org, n)).filter((t) => t === text)).toHaveLength(1);
    expect(await closings(org, n)).toHaveLength(1);
  });

  it('an opted-out contact is closed without the closing text, and the history says why', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'Goodbye from case {case}' });
    const contact = newContact();
    const n = await openCase(org, contact);
    await h.text(org, contact, 'STOP');
    clock += 2 * DAY;
    await runJobs();
    const record = await h.record(org, n);
    expect(record.status).toBe('closed');
    expect(record.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'in']);
    expect(await closings(org, n)).toEqual([
      expect.objectContaining({ user: null, detail: { by: 'auto-close', quietDays: 2, closingTextSkipped: 'opted_out' } }),
    ]);
  });

  it('on WhatsApp with the 24-hour window closed the case is closed and the text skipped, as the history notes', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'Goodbye from case {case}' }, { channel: 'whatsapp' });
    const n = await openCase(org);
    clock += 2 * DAY;
    await runJobs();
    const record = await h.record(org, n);
    expect(record).toMatchObject({ status: 'closed', windowOpen: false });
    expect(record.messages.map((m: { text: string }) => m.text)).toEqual(['I need help']);
    expect(await closings(org, n)).toEqual([
      expect.objectContaining({ user: null, detail: { by: 'auto-close', quietDays: 2, closingTextSkipped: 'window_closed' } }),
    ]);
  });

  it('a case a person closed stays as they closed it: no second close, no closing text', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'Goodbye from case {case}' });
    const n = await openCase(org);
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    expect((await post(org.admin, `/api/v1/records/${n}/close`)).status).toBe(200);
    clock += 3 * DAY;
    await runJobs();
    expect(await h.conversation(org, n)).toEqual(['I need help']);
    expect(await closings(org, n)).toEqual([expect.objectContaining({ user: expect.objectContaining({ id: org.admin.id }), detail: {} })]);
  });

  it('a locked case is closed too, and its holder keeps the lock as after their own close', async () => {
    const org = await orgWith({ quietDays: 2, closingText: null });
    const analyst = await h.addUser(org.orgId, 'analyst');
    const n = await openCase(org);
    expect((await post(analyst, `/api/v1/records/${n}/lock`)).status).toBe(200);
    clock += 2 * DAY;
    await runJobs();
    expect(await h.record(org, n)).toMatchObject({ status: 'closed', lockedBy: { id: analyst.id } });
    expect(await closings(org, n)).toEqual([expect.objectContaining({ user: null })]);
  });

  it('turned on later, the survey retime books the old open cases: the quiet ones close, a recent one waits its N days', async () => {
    const org = await orgWith(null);
    const old = await openCase(org);
    clock += 10 * DAY;
    const recent = await openCase(org);
    expect((await patchSurvey(org, org.admin, { autoClose: { quietDays: 3, closingText: null } })).status).toBe(200);
    await runJobs();
    expect(await statusOf(org, old)).toBe('closed');
    expect(await statusOf(org, recent)).toBe('open');
    clock += 3 * DAY;
    await runJobs();
    expect(await statusOf(org, recent)).toBe('closed');
  });

  it('turned off, open cases stay open', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'Goodbye' });
    const n = await openCase(org);
    expect((await patchSurvey(org, org.admin, { autoClose: null })).status).toBe(200);
    clock += 5 * DAY;
    await runJobs();
    expect(await statusOf(org, n)).toBe('open');
    expect(await h.conversation(org, n)).toEqual(['I need help']);
  });

  it('a case written first gets its timer, counted from its first message', async () => {
    const org = await orgWith({ quietDays: 2, closingText: null });
    const res = await post(org.admin, `/api/v1/surveys/${org.surveyId}/records`, {
      numberId: org.numberId,
      contact: newContact(),
      text: 'We are returning your call',
    });
    expect(res.status).toBe(201);
    const n = res.body.caseNumber as number;
    clock += 2 * DAY - MINUTE;
    await runJobs();
    expect(await statusOf(org, n)).toBe('open');
    clock += MINUTE;
    await runJobs();
    expect(await statusOf(org, n)).toBe('closed');
  });

  it('a reopened case gets a timer again, its quiet time counted from the reopening', async () => {
    const org = await orgWith({ quietDays: 3, closingText: null });
    const n = await openCase(org);
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    expect((await post(org.admin, `/api/v1/records/${n}/close`)).status).toBe(200);
    // The timer booked when the case opened runs and ends: the case is closed.
    clock += 4 * DAY;
    await runJobs();
    clock += 6 * DAY;
    const reopenedAt = clock;
    expect((await post(org.admin, `/api/v1/records/${n}/reopen`)).status).toBe(200);
    await runJobs();
    // Ten days without a message, but reopened just now: not closed again at once.
    expect(await statusOf(org, n)).toBe('open');
    clock = reopenedAt + 3 * DAY - MINUTE;
    await runJobs();
    expect(await statusOf(org, n)).toBe('open');
    clock = reopenedAt + 3 * DAY;
    await runJobs();
    expect(await statusOf(org, n)).toBe('closed');
    expect((await closings(org, n)).map((e) => e.user)).toEqual([expect.objectContaining({ id: org.admin.id }), null]);
  });

  it('a case made by moving a message out gets its own timer', async () => {
    const org = await orgWith({ quietDays: 3, closingText: null });
    const contact = newContact();
    const start = clock;
    const n = await openCase(org, contact, 'first matter');
    clock = start + DAY;
    await h.text(org, contact, 'second matter');
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    const second = (await h.record(org, n)).messages.find((m: { text: string }) => m.text === 'second matter');
    const moved = await post(org.admin, `/api/v1/records/${n}/messages/${second.id}/move`, { comment: '' });
    expect(moved.status).toBe(201);
    const m = moved.body.caseNumber as number;

    clock = start + 3 * DAY;
    await runJobs();
    expect([await statusOf(org, n), await statusOf(org, m)]).toEqual(['closed', 'open']);
    clock = start + 4 * DAY;
    await runJobs();
    expect(await statusOf(org, m)).toBe('closed');
  });

  it('a case that starts waiting by a move into it or a merge books its alert timer from its new waiting time', async () => {
    const org = await h.newOrg();
    const alerts = { firstLevelMinutes: 30, secondLevelMinutes: null, emails: [] };
    expect((await patchSurvey(org, org.admin, { alerts })).status).toBe(200);
    const contact = newContact();
    const find = async (n: number, text: string) =>
      ((await h.record(org, n)).messages as Array<{ id: string; text: string; at: string }>).find((x) => x.text === text)!;
    const n = await openCase(org, contact, 'first matter');
    clock += MINUTE;
    await h.text(org, contact, 'second matter');
    expect((await post(org.admin, `/api/v1/records/${n}/lock`)).status).toBe(200);
    const moved = await post(org.admin, `/api/v1/records/${n}/messages/${(await find(n, 'second matter')).id}/move`, { comment: '' });
    const m = moved.body.caseNumber as number;
    const mId = await recordId(org, m);
    clock += MINUTE;
    expect((await post(org.admin, `/api/v1/records/${m}/lock`)).status).toBe(200);
    expect((await h.reply(org, m, 'Answered')).status).toBe(202);
    clock += MINUTE;
    await h.text(org, contact, `About #${n}: third matter`);
    expect(await h.conversation(org, n)).toEqual(['first matter', `About #${n}: third matter`]);
    // The timers booked so far run out; m is answered, so it has none left.
    clock += 60 * MINUTE;
    await runJobs();
    expect(await timerDueAt(ALERT_TIMER_JOBS[1], mId)).toBeNull();

    // n's message after m's answer moves into m: m waits from that message.
    const third = await find(n, `About #${n}: third matter`);
    expect((await post(org.admin, `/api/v1/records/${n}/messages/${third.id}/move`, { comment: '', toCase: m })).status).toBe(200);
    const waitingSince = Date.parse((await h.record(org, m)).waitingSince);
    expect(waitingSince).toBe(Date.parse(third.at));
    expect(await timerDueAt(ALERT_TIMER_JOBS[1], mId)).toBe(waitingSince + 30 * MINUTE);

    // Answered again and its timer run out; then a merge brings an unanswered message from n.
    expect((await h.reply(org, m, 'Answered again')).status).toBe(202);
    await runJobs();
    expect(await timerDueAt(ALERT_TIMER_JOBS[1], mId)).toBeNull();
    clock += MINUTE;
    await h.text(org, contact, `About #${n}: one more thing`);
    expect((await post(org.admin, `/api/v1/records/${n}/merge`, { into: m })).status).toBe(200);
    expect((await h.record(org, m)).waitingSince).toBe(new Date(clock).toISOString());
    expect(await timerDueAt(ALERT_TIMER_JOBS[1], mId)).toBe(clock + 30 * MINUTE);
  });

  it('exactly once: two runs of one timer both applied close the case once, with one closing text', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'Closing {case}' });
    const n = await openCase(org);
    const id = await recordId(org, n);
    clock += 2 * DAY;
    const handler = autoCloseHandler();
    const outcomes = [await handler.run(jobOf(id)), await handler.run(jobOf(id))];
    const applied = await Promise.all(outcomes.map(applyOutcome));
    expect(applied).toEqual([undefined, undefined]);
    expect(await h.conversation(org, n)).toEqual(['I need help', `Closing ${n}`]);
    expect(await closings(org, n)).toHaveLength(1);
  });

  it('a message arriving between the run and the close keeps the case open and books the timer for N days after it', async () => {
    const org = await orgWith({ quietDays: 2, closingText: 'Closing {case}' });
    const contact = newContact();
    const n = await openCase(org, contact);
    clock += 2 * DAY;
    const outcome = await autoCloseHandler().run(jobOf(await recordId(org, n)));
    await h.text(org, contact, 'wait, one more thing');
    expect(await applyOutcome(outcome)).toEqual({ runAgainAt: clock + 2 * DAY });
    expect(await statusOf(org, n)).toBe('open');
    expect(await h.conversation(org, n)).toEqual(['I need help', 'wait, one more thing']);
  });

  it('refuses bad settings with 400 validation_failed, and analysts cannot change them', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    for (const autoClose of [
      { quietDays: 0, closingText: null },
      { quietDays: 1.5, closingText: null },
      { quietDays: 3, closingText: '   ' },
      { quietDays: 3, closingText: 'x'.repeat(1601) },
    ]) {
      const res = await patchSurvey(org, org.admin, { autoClose });
      expect([res.status, res.body.error?.code], JSON.stringify(autoClose)).toEqual([400, 'validation_failed']);
    }
    const refused = await patchSurvey(org, analyst, { autoClose: { quietDays: 3, closingText: null } });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect((await h.request('GET', `/api/v1/surveys/${org.surveyId}`, { token: org.admin.token })).body.autoClose).toBeNull();
  });
});
