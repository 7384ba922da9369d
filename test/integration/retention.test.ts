import { expect, it } from 'vitest';
import { RETENTION_JOB } from '../../src/domain/retention.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Entry = { action: string; user: { id: string } | null; detail: Record<string, unknown> };
type AuditEntry = { action: string; userId: string | null; surveyId: string | null; counts: Record<string, number | boolean> };

/**
 * Retention (DESIGN.md §9, §13 "run retention now", "retention at zero"): a closed case past
 * its survey's days is emptied everywhere a user could read it, and keeps its number, times,
 * status and message count; everything else stays as it was. Jobs are driven on a driven clock.
 */
describeEachDialect('retention', (dialect) => {
  let clock = Date.now();
  const h = useCaseline(dialect, { now: () => clock });
  let contactSeq = 0;
  const newContact = () => `+4477009${String(30000 + ++contactSeq).slice(-5)}`;

  const get = (user: TestUser, url: string) => h.request('GET', `/api/v1${url}`, { token: user.token });
  const post = (user: TestUser, url: string, body?: unknown) => h.request('POST', `/api/v1${url}`, { token: user.token, body });
  const setRetention = (org: TestOrg, retention: { closedCaseDays: unknown } | null, user = org.admin) =>
    h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, { token: user.token, body: { retention } });
  const runNow = (org: TestOrg, body: { dryRun?: boolean } = {}, user = org.admin) =>
    post(user, `/surveys/${org.surveyId}/retention/run`, body);
  const status = (org: TestOrg) => get(org.admin, `/surveys/${org.surveyId}/retention`);
  const historyOf = async (org: TestOrg, n: number) => (await get(org.admin, `/records/${n}/history`)).body.items as Entry[];
  const notesOf = async (org: TestOrg, n: number) => (await get(org.admin, `/records/${n}/notes`)).body.items as unknown[];
  const audit = async (org: TestOrg) => (await get(org.admin, '/audit/privacy?action=retention')).body.items as AuditEntry[];

  async function runJobs(): Promise<void> {
    for (let round = 0; round < 200; round++) if ((await h.caseline().jobs.runOnce()) === 0) return;
    throw new Error('jobs kept coming');
  }

  async function openCase(org: TestOrg, contact: string, texts: string[]): Promise<number> {
    for (const text of texts) expect((await h.text(org, contact, text)).status).toBeLessThan(300);
    const found = (await h.records(org, 'status=open')).filter((r) => r.contact === contact);
    return Math.max(...found.map((r) => r.caseNumber));
  }

  /** A case with all a case worker leaves in it: texts both ways, an answer, a note; then closed. */
  async function workedCase(org: TestOrg, contact: string, options: { close?: boolean } = {}): Promise<number> {
    // The outbox paces sends by the clock: each case's reply a minute after the last.
    clock += MINUTE;
    const n = await openCase(org, contact, ['My landlord changed the locks', 'I am at my sister’s now']);
    expect((await post(org.admin, `/records/${n}/lock`)).status).toBe(200);
    const edit = await h.request('PATCH', `/api/v1/records/${n}`, {
      token: org.admin.token,
      body: { answers: { status: 'working', notes_text: 'Locked out by landlord' } },
    });
    expect(edit.status).toBe(200);
    expect((await h.reply(org, n, 'We can call you at four')).status).toBe(202);
    await h.caseline().outbox.runOnce();
    expect((await post(org.admin, `/records/${n}/notes`, { text: 'Refer to the housing advice line' })).status).toBe(201);
    if (options.close !== false) expect((await post(org.admin, `/records/${n}/close`)).status).toBe(200);
    return n;
  }

  /** Everything a user can read of a case, to compare before and after. */
  async function everything(org: TestOrg, n: number) {
    return { record: await h.record(org, n), history: await historyOf(org, n), notes: await notesOf(org, n) };
  }

  it('empties a closed case past its days in every route, and keeps its number, status, times and message count', async () => {
    const org = await h.newOrg();
    expect((await setRetention(org, { closedCaseDays: 30 })).status).toBe(200);
    const contact = newContact();
    const n = await workedCase(org, contact);
    const label = await post(org.admin, '/labels', { name: 'Housing', color: '#336699' });
    expect(label.status).toBe(201);
    const labelled = await h.request('PUT', `/api/v1/records/${n}/labels`, { token: org.admin.token, body: { labelIds: [label.body.id] } });
    expect(labelled.status).toBe(200);
    const before = await h.record(org, n);
    expect(before.messages).toHaveLength(3);
    expect(before.labels).toHaveLength(1);
    expect(await h.records(org, `label=${label.body.id}`)).toHaveLength(1);

    clock += 30 * DAY + MINUTE;
    const counts = await runNow(org);
    expect(counts.status).toBe(200);
    expect(counts.body).toEqual({ cases: 1, messages: 3, media: 0 });

    const after = await h.record(org, n);
    expect(after).toMatchObject({
      caseNumber: n,
      status: 'closed',
      contact: null,
      answers: { status: 'closed' },
      notes: [],
      labels: [],
      lockedBy: null,
      createdAt: before.createdAt,
      closedAt: before.closedAt,
      redactedAt: new Date(clock).toISOString(),
    });
    expect(after.answers).toEqual({ status: 'closed' });
    expect(before.answers).toMatchObject({ status: 'closed', notes_text: 'Locked out by landlord' });
    expect(after.messages).toHaveLength(3);
    expect(after.messages.map((m: { text: string; direction: string }) => [m.direction, m.text])).toEqual([
      ['in', ''],
      ['in', ''],
      ['out', ''],
    ]);
    expect(after.messages.map((m: { id: string }) => m.id)).toEqual(before.messages.map((m: { id: string }) => m.id));
    expect(await notesOf(org, n)).toEqual([]);

    const history = await historyOf(org, n);
    expect(history.slice(0, -1).every((e) => Object.keys(e.detail).length === 0)).toBe(true);
    expect(history.at(-1)).toMatchObject({ action: 'redacted', user: null, detail: { by: 'retention' } });
    expect(JSON.stringify(history)).not.toContain('Locked out');

    const listed = (await h.records(org)).find((r) => r.caseNumber === n) as unknown as Record<string, unknown>;
    expect(listed).toMatchObject({ status: 'closed', contact: null, redactedAt: after.redactedAt, lastMessage: { text: '' } });
    // Found neither by the person's number nor by the words they wrote.
    expect(await h.records(org, `contact=${encodeURIComponent(contact)}`)).toEqual([]);
    expect(await h.records(org, 'q=landlord')).toEqual([]);
    expect(await h.records(org, `label=${label.body.id}`)).toEqual([]);
    expect(JSON.stringify(after)).not.toContain(contact.slice(1));

    // Run again: nothing more is due, and the case stays as it is.
    expect((await runNow(org)).body).toEqual({ cases: 0, messages: 0, media: 0 });
    expect(await h.record(org, n)).toEqual(after);
  });

  it('empties the older messages of a long conversation too', async () => {
    const org = await h.newOrg();
    const contact = newContact();
    const texts = Array.from({ length: 102 }, (_, i) => `message number ${i}`);
    const n = await openCase(org, contact, texts);
    await post(org.admin, `/records/${n}/lock`);
    await post(org.admin, `/records/${n}/close`);
    const shown = await h.record(org, n);
    expect(shown.hasOlderMessages).toBe(true);
    const olderUrl = `/records/${n}/messages?before=${encodeURIComponent(shown.messages[0].id)}`;
    expect((await get(org.admin, olderUrl)).body.items[0].text).toBe('message number 0');

    clock += 10 * DAY;
    expect((await setRetention(org, { closedCaseDays: 7 })).status).toBe(200);
    expect((await runNow(org)).body).toEqual({ cases: 1, messages: 102, media: 0 });
    const older = (await get(org.admin, olderUrl)).body.items as Array<{ text: string }>;
    expect(older).toHaveLength(2);
    expect(older.every((m) => m.text === '')).toBe(true);
    expect((await h.record(org, n)).messages.every((m: { text: string }) => m.text === '')).toBe(true);
  });

  it('leaves an open case and a case closed fewer days ago exactly as they were', async () => {
    const org = await h.newOrg();
    expect((await setRetention(org, { closedCaseDays: 5 })).status).toBe(200);
    const old = await workedCase(org, newContact());
    clock += 3 * DAY;
    const recent = await workedCase(org, newContact());
    const open = await workedCase(org, newContact(), { close: false });
    clock += 2 * DAY + MINUTE;
    const recentBefore = await everything(org, recent);
    const openBefore = await everything(org, open);

    expect((await runNow(org)).body).toEqual({ cases: 1, messages: 3, media: 0 });
    expect((await h.record(org, old)).redactedAt).not.toBeNull();
    expect(await everything(org, recent)).toEqual(recentBefore);
    expect(await everything(org, open)).toEqual(openBefore);
    expect(recentBefore.record.redactedAt).toBeNull();

    // Its days run out in turn; the open case is never due.
    clock += 3 * DAY;
    expect((await runNow(org)).body).toEqual({ cases: 1, messages: 3, media: 0 });
    expect((await h.record(org, recent)).contact).toBeNull();
    expect(await everything(org, open)).toEqual(openBefore);
  });

  it('a message the person’s open case also shows stays whole there', async () => {
    const org = await h.newOrg();
    const contact = newContact();
    const first = await openCase(org, contact, ['about my rent', 'and a noisy neighbour']);
    await post(org.admin, `/records/${first}/lock`);
    const noise = (await h.record(org, first)).messages[1] as { id: string };
    const moved = await post(org.admin, `/records/${first}/messages/${noise.id}/move`, { comment: '' });
    expect(moved.status).toBe(201);
    const second = moved.body.caseNumber as number;
    // With two open cases, a new message joins both (rule 5).
    await h.text(org, contact, 'the rent is due on Friday');
    expect((await h.record(org, first)).messages).toHaveLength(2);
    expect((await post(org.admin, `/records/${first}/close`)).status).toBe(200);
    const keptBefore = await everything(org, second);

    expect((await setRetention(org, { closedCaseDays: 0 })).status).toBe(200);
    clock += MINUTE;
    // One message was the closed case's alone; the shared one stays.
    expect((await runNow(org)).body).toEqual({ cases: 1, messages: 1, media: 0 });
    const kept = await h.record(org, second);
    expect(kept.messages.map((m: { text: string }) => m.text)).toEqual(['and a noisy neighbour', 'the rent is due on Friday']);
    expect(kept.contact).toBe(contact);
    expect(await everything(org, second)).toEqual(keptBefore);
    const redacted = await h.record(org, first);
    expect(redacted).toMatchObject({ contact: null, redactedAt: expect.any(String) });
    expect(redacted.messages[0].text).toBe('');
  });

  it('a message two due cases share is counted and emptied once, by the dry run as by the run', async () => {
    const org = await h.newOrg();
    const contact = newContact();
    const first = await openCase(org, contact, ['about my rent', 'and a noisy neighbour']);
    await post(org.admin, `/records/${first}/lock`);
    const noise = (await h.record(org, first)).messages[1] as { id: string };
    const second = (await post(org.admin, `/records/${first}/messages/${noise.id}/move`, { comment: '' })).body.caseNumber as number;
    await h.text(org, contact, 'the rent is due on Friday');
    await post(org.admin, `/records/${first}/close`);
    clock += MINUTE;
    await post(org.admin, `/records/${second}/lock`);
    await post(org.admin, `/records/${second}/close`);
    expect((await setRetention(org, { closedCaseDays: 0 })).status).toBe(200);
    clock += MINUTE;

    const dry = await runNow(org, { dryRun: true });
    expect(dry.body).toEqual({ cases: 2, messages: 3, media: 0 });
    expect((await runNow(org)).body).toEqual(dry.body);
    for (const n of [first, second]) {
      expect((await h.record(org, n)).messages.map((m: { text: string }) => m.text)).toEqual(['', '']);
    }
  });

  it('at zero days every closed case is due; days must be whole, from 0 to 36500', async () => {
    const org = await h.newOrg();
    const n = await workedCase(org, newContact());
    for (const closedCaseDays of [-1, 1.5, 36_501, 'ten']) {
      const res = await setRetention(org, { closedCaseDays });
      expect(res.status, String(closedCaseDays)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const survey = await get(org.admin, `/surveys/${org.surveyId}`);
    expect(survey.body.retention).toBeNull();
    expect((await status(org)).body.nextRunAt).toBeNull();
    expect((await setRetention(org, { closedCaseDays: 36_500 })).status).toBe(200);
    expect((await runNow(org)).body).toEqual({ cases: 0, messages: 0, media: 0 });

    expect((await setRetention(org, { closedCaseDays: 0 })).status).toBe(200);
    clock += 1;
    expect((await runNow(org)).body).toEqual({ cases: 1, messages: 3, media: 0 });
    expect((await h.record(org, n)).redactedAt).not.toBeNull();
  });

  it('a redacted case changes no more: lock, reopen, answers, notes, labels and replies answer 409 case_redacted', async () => {
    const org = await h.newOrg();
    const n = await workedCase(org, newContact());
    expect((await setRetention(org, { closedCaseDays: 0 })).status).toBe(200);
    clock += 1;
    expect((await runNow(org)).body).toMatchObject({ cases: 1 });
    const before = await everything(org, n);
    const attempts = [
      await post(org.admin, `/records/${n}/lock`),
      await post(org.admin, `/records/${n}/reopen`),
      await h.request('PATCH', `/api/v1/records/${n}`, { token: org.admin.token, body: { answers: { status: 'working' } } }),
      await post(org.admin, `/records/${n}/notes`, { text: 'written after' }),
      await h.request('PUT', `/api/v1/records/${n}/labels`, { token: org.admin.token, body: { labelIds: [] } }),
      await h.reply(org, n, 'written after'),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('case_redacted');
    }
    expect(await everything(org, n)).toEqual(before);
  });

  it('a dry run counts exactly what the run then removes, and changes nothing', async () => {
    const org = await h.newOrg();
    expect((await setRetention(org, { closedCaseDays: 2 })).status).toBe(200);
    const cases = [await workedCase(org, newContact()), await workedCase(org, newContact())];
    await openCase(org, newContact(), ['still open']);
    clock += 2 * DAY + MINUTE;
    const before = await Promise.all(cases.map((n) => everything(org, n)));
    const totals = await h.totals();

    const dry = await runNow(org, { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ cases: 2, messages: 6, media: 0 });
    expect(await Promise.all(cases.map((n) => everything(org, n)))).toEqual(before);
    expect(await h.totals()).toEqual(totals);
    expect((await audit(org))[0]).toMatchObject({ userId: org.admin.id, counts: { cases: 2, messages: 6, media: 0, dryRun: true } });

    expect((await runNow(org)).body).toEqual(dry.body);
    expect(await h.totals()).toEqual(totals);
  });

  it('the daily job: booked when turned on, redacts what is due, books itself a day later; turned off, it ends', async () => {
    const org = await h.newOrg();
    const early = await workedCase(org, newContact());
    clock += 4 * DAY;
    expect((await setRetention(org, { closedCaseDays: 3 })).status).toBe(200);
    expect((await status(org)).body).toMatchObject({ closedCaseDays: 3, lastRun: null, nextRunAt: new Date(clock).toISOString() });
    const later = await workedCase(org, newContact());

    await runJobs();
    expect((await h.record(org, early)).redactedAt).toBe(new Date(clock).toISOString());
    expect((await h.record(org, later)).redactedAt).toBeNull();
    const ran = clock;
    expect((await status(org)).body).toMatchObject({
      lastRun: { at: new Date(ran).toISOString(), cases: 1, messages: 3, media: 0 },
      nextRunAt: new Date(ran + DAY).toISOString(),
    });
    expect((await audit(org))[0]).toMatchObject({ userId: null, surveyId: org.surveyId, counts: { cases: 1, messages: 3, media: 0 } });

    // Not before its day.
    clock = ran + DAY - MINUTE;
    await runJobs();
    expect((await audit(org)).length).toBe(1);
    // Each day's run redacts what became due since: `later`, closed longer than three days ago, on the fourth.
    for (let day = 1; day <= 3; day++) {
      clock = ran + day * DAY;
      await runJobs();
      expect((await h.record(org, later)).redactedAt, `day ${day}`).toBeNull();
    }
    clock = ran + 4 * DAY;
    await runJobs();
    expect((await h.record(org, later)).redactedAt).toBe(new Date(ran + 4 * DAY).toISOString());
    expect((await audit(org)).map((e) => e.counts.cases)).toEqual([1, 0, 0, 0, 1]);
    expect((await status(org)).body.nextRunAt).toBe(new Date(ran + 5 * DAY).toISOString());

    expect((await setRetention(org, null)).status).toBe(200);
    expect((await status(org)).body).toMatchObject({ closedCaseDays: null, nextRunAt: null });
    const stillOpen = await workedCase(org, newContact());
    clock += 10 * DAY;
    await runJobs();
    const jobs = await h
      .caseline()
      .db.kysely.selectFrom('jobs')
      .select('id')
      .where('kind', '=', RETENTION_JOB)
      .where('subject_id', '=', org.surveyId)
      .execute();
    expect(jobs).toEqual([]);
    expect((await h.record(org, stillOpen)).redactedAt).toBeNull();
    expect((await audit(org)).length).toBe(5);
  });

  it('each run leaves an entry in the privacy audit trail: the admin for run-now, no one for the daily job', async () => {
    const org = await h.newOrg();
    await workedCase(org, newContact());
    clock += MINUTE;
    expect((await setRetention(org, { closedCaseDays: 0 })).status).toBe(200);
    clock += MINUTE;
    await runJobs();
    await workedCase(org, newContact());
    clock += MINUTE;
    expect((await runNow(org)).body).toEqual({ cases: 1, messages: 3, media: 0 });
    const entries = await audit(org);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'retention',
        userId: org.admin.id,
        surveyId: org.surveyId,
        counts: { cases: 1, messages: 3, media: 0 },
      }),
      expect.objectContaining({ action: 'retention', userId: null, surveyId: org.surveyId, counts: { cases: 1, messages: 3, media: 0 } }),
    ]);
    // Run now is the last run the status reports; a dry run after it is not a run.
    expect((await runNow(org, { dryRun: true })).body).toEqual({ cases: 0, messages: 0, media: 0 });
    expect((await status(org)).body.lastRun).toEqual({ at: new Date(clock).toISOString(), cases: 1, messages: 3, media: 0 });
  });

  it('is for admins: analysts and viewers get 403; another organisation’s survey is 404', async () => {
    const org = await h.newOrg();
    const n = await workedCase(org, newContact());
    expect((await setRetention(org, { closedCaseDays: 0 })).status).toBe(200);
    clock += MINUTE;
    for (const role of ['analyst', 'viewer'] as const) {
      const user = await h.addUser(org.orgId, role);
      expect((await runNow(org, {}, user)).status, role).toBe(403);
      expect((await runNow(org, { dryRun: true }, user)).status, role).toBe(403);
      expect((await get(user, `/surveys/${org.surveyId}/retention`)).status, role).toBe(403);
      expect((await get(user, '/audit/privacy')).status, role).toBe(403);
      expect((await setRetention(org, { closedCaseDays: 1 }, user)).status, role).toBe(403);
    }
    const other = await h.newOrg();
    expect((await runNow(org, {}, other.admin)).status).toBe(404);
    expect((await get(other.admin, `/surveys/${org.surveyId}/retention`)).status).toBe(404);
    expect((await runNow(org, { dryRun: 'yes' } as never)).status).toBe(400);
    expect((await h.record(org, n)).redactedAt).toBeNull();
    expect(await audit(other)).toEqual([]);
  });
});
