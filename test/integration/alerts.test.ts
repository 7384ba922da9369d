import { DateTime } from 'luxon';
import { expect, it } from 'vitest';
import { scheduleTimers } from '../../src/db/queries/jobs.js';
import { timerJobId } from '../../src/domain/time-rules.js';
import type { JobTable } from '../../src/db/schema.js';
import { queueOutbound } from '../../src/services/outbound.js';
import { alertKit, drivenClock, MINUTE, type TestCase } from '../support/alert-kit.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/** Alerts (DESIGN.md §8): who a waiting case alerts, when, and never twice. */
describeEachDialect('alerts', (dialect) => {
  // A Monday morning; every test moves the clock on, never back.
  const clock = drivenClock(Date.parse('2026-03-02T06:00:00Z'));
  const h = useCaseline(dialect, { now: clock.now });
  const kit = alertKit(h);
  const { runTimers, setAlerts, newCase, alertsOf, firings, alertRows } = kit;
  const standard = { firstLevelMinutes: 30, secondLevelMinutes: 60, emails: [] };

  /** Moves the clock to `minutes` after `since` and runs what is due. */
  async function at(since: number, minutes: number) {
    clock.set(since + minutes * MINUTE);
    await runTimers();
  }

  it('the first alert reaches the holder after N minutes and not before; the second reaches the active admins', async () => {
    const org = await h.newOrg();
    const [holder, other, secondAdmin, formerAdmin] = await Promise.all([
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'admin'),
      h.addUser(org.orgId, 'admin'),
    ]);
    await kit.deactivate(org, formerAdmin);
    await setAlerts(org, standard);
    const start = clock.now();
    const c = await newCase(org);
    await kit.assign(org, c, holder);

    await at(start, 29);
    expect((await alertsOf(holder)).items).toEqual([]);
    await at(start, 30);
    const mine = await alertsOf(holder);
    expect(mine).toEqual({
      items: [
        {
          id: expect.any(String),
          caseNumber: c.caseNumber,
          surveyId: org.surveyId,
          level: 1,
          at: new Date(start + 30 * MINUTE).toISOString(),
          waitedMinutes: 30,
          readAt: null,
        },
      ],
      nextCursor: null,
      unread: 1,
    });
    expect((await alertsOf(other)).items).toEqual([]);
    expect((await alertsOf(org.admin)).items).toEqual([]);
    const entry = (await kit.history(org, c)).find((e) => e.action === 'alert');
    expect(entry).toMatchObject({ user: null, detail: { level: 1, waitedMinutes: 30 } });

    await at(start, 59);
    expect((await alertsOf(org.admin)).items).toEqual([]);
    await at(start, 60);
    for (const admin of [org.admin, secondAdmin]) {
      expect((await alertsOf(admin)).items).toMatchObject([{ caseNumber: c.caseNumber, level: 2, waitedMinutes: 60 }]);
    }
    expect((await alertsOf(holder)).items).toHaveLength(1);
    expect((await alertRows(c)).filter((r) => r.user_id === formerAdmin.id)).toEqual([]);
    expect((await firings(c)).map((f) => Number(f.level))).toEqual([1, 2]);
  });

  it('an unassigned case alerts every active analyst: no viewer, no deactivated analyst, no admin at the first level', async () => {
    const org = await h.newOrg();
    const [a1, a2, gone, viewer] = await Promise.all([
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'analyst'),
      h.addUser(org.orgId, 'viewer'),
    ]);
    await kit.deactivate(org, gone);
    await setAlerts(org, { firstLevelMinutes: 15, secondLevelMinutes: null, emails: [] });
    const start = clock.now();
    const c = await newCase(org);
    await at(start, 15);
    expect((await alertRows(c)).map((r) => r.user_id).sort()).toEqual([a1.id, a2.id].sort());
    for (const analyst of [a1, a2]) expect((await alertsOf(analyst)).unread).toBe(1);
    expect(await alertsOf(viewer)).toEqual({ items: [], nextCursor: null, unread: 0 });
    expect((await alertsOf(org.admin)).items).toEqual([]);
    // No second level: nothing more, however long it waits.
    await at(start, 24 * 60);
    expect(await firings(c)).toHaveLength(1);
  });

  it('an answer by a person cancels the alert, an automatic message does not; a new waiting period alerts again', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, standard);
    const start = clock.now();
    const answered = await newCase(org);
    const automatic = await newCase(org);

    await at(start, 20);
    await kit.answer(org, answered);
    await h.caseline().db.transaction((tx) =>
      queueOutbound(tx, {
        orgId: org.orgId,
        numberId: org.numberId,
        contact: automatic.contact,
        text: 'Thank you, we received your message',
        authorId: null,
        automatic: true,
        recordIds: [automatic.recordId],
        at: clock.now(),
      }),
    );
    await at(start, 30);
    expect(await firings(answered)).toEqual([]);
    expect((await alertsOf(analyst)).items.map((a) => a.caseNumber)).toEqual([automatic.caseNumber]);

    // Writing again after the answer starts a new waiting period, counted from its own start.
    await at(start, 40);
    await h.text(org, answered.contact, 'Are you still there?');
    await at(start, 69);
    expect(await firings(answered)).toEqual([]);
    await at(start, 70);
    const [fired] = await firings(answered);
    expect(Number(fired!.waiting_since)).toBe(start + 40 * MINUTE);
    // The admin took the case to answer it: the holder is alerted, not the analysts.
    expect((await kit.alertRows(answered)).map((r) => r.user_id)).toEqual([org.admin.id]);
    await at(start, 100);
    expect((await firings(answered)).map((f) => Number(f.level))).toEqual([1, 2]);
  });

  it('the first waiting period of an answered case alerts no more once a new one started', async () => {
    const org = await h.newOrg();
    await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, standard);
    const start = clock.now();
    const c = await newCase(org);
    await at(start, 30);
    await at(start, 35);
    await kit.answer(org, c);
    await at(start, 40);
    await h.text(org, c.contact, 'Hello again');
    // The second level of the first period (due at 60) finds the case waiting since 40.
    await at(start, 69);
    expect((await firings(c)).map((f) => [Number(f.level), Number(f.waiting_since)])).toEqual([[1, start]]);
    await at(start, 70);
    expect((await firings(c)).map((f) => [Number(f.level), Number(f.waiting_since)])).toEqual([
      [1, start],
      [1, start + 40 * MINUTE],
    ]);
  });

  it('a closed case alerts no one', async () => {
    const org = await h.newOrg();
    await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, standard);
    const start = clock.now();
    const closed = await newCase(org);
    const open = await newCase(org);
    await at(start, 10);
    await h.request('POST', `/api/v1/records/${closed.caseNumber}/lock`, { token: org.admin.token });
    expect((await h.request('POST', `/api/v1/records/${closed.caseNumber}/close`, { token: org.admin.token })).status).toBe(200);
    await at(start, 60);
    expect(await firings(closed)).toEqual([]);
    expect((await firings(open)).map((f) => Number(f.level))).toEqual([1, 2]);
  });

  it('a survey whose alerts were turned off alerts no one, even for cases already waiting', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, standard);
    const start = clock.now();
    const c = await newCase(org);
    await at(start, 10);
    await setAlerts(org, null);
    await at(start, 120);
    expect(await firings(c)).toEqual([]);
    expect(await alertsOf(analyst)).toEqual({ items: [], nextCursor: null, unread: 0 });
  });

  it('with business hours the threshold counts open minutes: Friday 16:50 with 30 minutes alerts Monday 09:20', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const zone = 'Africa/Nairobi';
    const workday: [string, string][] = [['09:00', '17:00']];
    await kit.patchSurvey(org, {
      businessHours: { timeZone: zone, weekly: { mon: workday, tue: workday, wed: workday, thu: workday, fri: workday }, holidays: [] },
      alerts: { firstLevelMinutes: 30, secondLevelMinutes: null, emails: [] },
    });
    let friday = DateTime.fromMillis(clock.now(), { zone }).set({ hour: 16, minute: 50, second: 0, millisecond: 0 });
    while (friday.weekday !== 5 || friday.toMillis() <= clock.now()) friday = friday.plus({ days: 1 });
    clock.set(friday.toMillis());
    const c = await newCase(org);
    const monday = friday.plus({ days: 3 });
    // A timer booked too early (as wall-clock minutes would have it) finds the threshold not reached and waits on.
    const timerId = timerJobId('alert.first', c.recordId);
    await h
      .caseline()
      .db.transaction((tx) =>
        scheduleTimers(
          tx,
          [{ id: timerId, orgId: org.orgId, kind: 'alert.first', subjectId: c.recordId, dueAt: friday.plus({ minutes: 30 }).toMillis() }],
          clock.now(),
        ),
      );

    for (const moment of [friday.plus({ minutes: 30 }), friday.plus({ hours: 24 }), monday.set({ hour: 9, minute: 19 })]) {
      clock.set(moment.toMillis());
      await runTimers();
      expect(await firings(c), moment.toISO()!).toEqual([]);
    }
    const timer = await h.caseline().db.kysely.selectFrom('jobs').select('due_at').where('id', '=', timerId).executeTakeFirstOrThrow();
    expect(Number(timer.due_at)).toBe(monday.set({ hour: 9, minute: 20 }).toMillis());
    clock.set(monday.set({ hour: 9, minute: 20 }).toMillis());
    await runTimers();
    const mine = await alertsOf(analyst);
    // The alert shows the wall-clock wait: 2 days 16 hours 30 minutes.
    expect(mine.items).toMatchObject([{ caseNumber: c.caseNumber, level: 1, waitedMinutes: (2 * 24 + 16) * 60 + 30 }]);
    expect(mine.items[0]!.at).toBe(monday.set({ hour: 9, minute: 20 }).toUTC().toISO());
  });

  const firedOnce = async (org: TestOrg, c: TestCase) => {
    expect(await firings(c)).toHaveLength(1);
    const rows = await alertRows(c);
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(rows.length);
    expect((await kit.history(org, c)).filter((e) => e.action === 'alert')).toHaveLength(1);
  };

  it('exactly once: the same timer run again, two workers at once, a duplicate timer row, two runs that both saw it due', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await setAlerts(org, { firstLevelMinutes: 30, secondLevelMinutes: null, emails: [] });
    const start = clock.now();
    const [again, parallel, duplicate, raced] = [await newCase(org), await newCase(org), await newCase(org), await newCase(org)];
    const { db } = h.caseline();
    // A second timer row for the same case and level, as a faulty or older scheduler might leave.
    await db.kysely
      .insertInto('jobs')
      .values({
        id: `duplicate-${duplicate.recordId}`,
        org_id: org.orgId,
        kind: 'alert.first',
        subject_id: duplicate.recordId,
        state: 'pending',
        due_at: start + 30 * MINUTE,
        attempts: 0,
        created_at: start,
        updated_at: start,
      })
      .execute();
    // The racing case's timer is run by hand below.
    await db.kysely.deleteFrom('jobs').where('id', '=', timerJobId('alert.first', raced.recordId)).execute();

    clock.set(start + 30 * MINUTE);
    await Promise.all([h.caseline().jobs.runOnce(), h.caseline().jobs.runOnce(), h.caseline().jobs.runOnce()]);
    await runTimers();
    // Booked again and run again after it fired.
    await db.transaction((tx) =>
      scheduleTimers(
        tx,
        [
          {
            id: timerJobId('alert.first', again.recordId),
            orgId: org.orgId,
            kind: 'alert.first',
            subjectId: again.recordId,
            dueAt: clock.now(),
          },
        ],
        clock.now(),
      ),
    );
    await runTimers();

    const handler = h.caseline().services.jobHandlers.find((j) => j.kind === 'alert.first')!;
    const job: Pick<JobTable, 'id' | 'org_id' | 'kind' | 'subject_id' | 'payload' | 'attempts' | 'created_at'> = {
      id: 'by-hand',
      org_id: org.orgId,
      kind: 'alert.first',
      subject_id: raced.recordId,
      payload: null,
      attempts: 1,
      created_at: start,
    };
    const outcomes = [await handler.run(job), await handler.run(job)];
    for (const outcome of outcomes) {
      if (outcome.state !== 'done' || !outcome.apply) throw new Error(`the timer did not fire: ${JSON.stringify(outcome)}`);
      const { apply } = outcome;
      await db.transaction(async (tx) => {
        await apply(tx);
      });
    }

    for (const c of [again, parallel, duplicate, raced]) await firedOnce(org, c);
    expect((await alertsOf(analyst)).unread).toBe(4);
  });
});
