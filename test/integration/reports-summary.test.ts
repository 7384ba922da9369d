import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import * as reportCounts from '../../src/db/migrations/014-report-counts.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

/**
 * The summary report (DESIGN.md §10, docs/reports.md) on a driven clock, every figure
 * against a hand-computed expectation. The story, in UTC (Monday 2 March 2026 is day 1):
 *
 * - Sun 1 Mar 12:00  Z opens (before the range; never answered, never closed).
 * - Mon 2 Mar 09:00  A opens (acknowledged automatically); 09:10 the admin answers A (600 s).
 *             09:30  B opens; 10:30 the analyst answers B (3,600 s).
 *             11:00  C opens.
 * - Tue 3 Mar 08:00  the analyst answers C (75,600 s, counted on Tuesday, when it was given).
 *             09:00  the admin closes A (first close: 86,400 s after it opened).
 *             12:00  the analyst replies to B again (not a first response); 13:00 closes B (99,000 s).
 *             18:40  E opens (00:10 on Wednesday in Kolkata, UTC+5:30).
 * - Wed 4 Mar 10:00  the admin reopens A; 12:00 closes it again (183,600 s after it opened).
 *             23:30  D opens (05:00 on Thursday in Kolkata).
 *
 * Every case is acknowledged when it opens, so outbound counts the acknowledgements, and
 * first responses never do.
 */
describeEachDialect('the summary report', (dialect) => {
  let clock = Date.parse('2026-03-01T12:00:00Z');
  const at = (iso: string) => {
    clock = Date.parse(iso);
  };
  const h = useCaseline(dialect, { now: () => clock });
  let org: TestOrg;
  let analyst: TestUser;
  let viewer: TestUser;
  const cases: Record<string, number> = {};

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, body?: unknown) =>
    h.request(method, `/api/v1${url}`, { token, body });
  const open = async (name: string, contact: string, iso: string) => {
    at(iso);
    expect((await h.text(org, contact, `help from ${name}`)).status).toBe(200);
    const found = (await h.records(org)).find((r) => r.contact === contact)!;
    cases[name] = found.caseNumber;
  };
  const answer = async (name: string, user: TestUser, iso: string) => {
    at(iso);
    await api('POST', `/records/${cases[name]}/lock`, user.token);
    const res = await api('POST', `/records/${cases[name]}/notifications`, user.token, { target: 'conversation', text: 'We are here' });
    expect(res.status).toBe(202);
  };
  const act = async (name: string, user: TestUser, action: 'close' | 'reopen', iso: string) => {
    at(iso);
    expect((await api('POST', `/records/${cases[name]}/${action}`, user.token)).status).toBe(200);
  };
  const summary = async (query: string, token = org.admin.token) => {
    const res = await api('GET', `/reports/summary?${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as {
      buckets: Array<Record<string, unknown> & { start: string }>;
      workers: Array<{
        userId: string;
        name: string;
        replies: number;
        closedCases: number;
        firstResponseSeconds: { median: number | null };
      }>;
    };
  };

  beforeAll(async () => {
    org = await h.newOrg();
    analyst = await h.addUser(org.orgId, 'analyst');
    viewer = await h.addUser(org.orgId, 'viewer');
    const ack = await api('PATCH', `/numbers/${org.numberId}`, org.admin.token, {
      acknowledgement: { text: 'We have case #{case}', outOfHoursText: null },
    });
    expect(ack.status).toBe(200);

    await open('Z', '+447700900700', '2026-03-01T12:00:00Z');
    await open('A', '+447700900701', '2026-03-02T09:00:00Z');
    await answer('A', org.admin, '2026-03-02T09:10:00Z');
    await open('B', '+447700900702', '2026-03-02T09:30:00Z');
    await answer('B', analyst, '2026-03-02T10:30:00Z');
    await open('C', '+447700900703', '2026-03-02T11:00:00Z');
    await answer('C', analyst, '2026-03-03T08:00:00Z');
    await act('A', org.admin, 'close', '2026-03-03T09:00:00Z');
    await answer('B', analyst, '2026-03-03T12:00:00Z');
    await act('B', analyst, 'close', '2026-03-03T13:00:00Z');
    await open('E', '+447700900705', '2026-03-03T18:40:00Z');
    await act('A', org.admin, 'reopen', '2026-03-04T10:00:00Z');
    await act('A', org.admin, 'close', '2026-03-04T12:00:00Z');
    await open('D', '+447700900704', '2026-03-04T23:30:00Z');
  });

  const none = { median: null, p90: null };

  it('gives each day its messages, cases, backlog and durations; first responses leave acknowledgements out', async () => {
    const report = await summary(`surveyId=${org.surveyId}&from=2026-03-02&to=2026-03-05`);
    expect(report.buckets).toEqual([
      {
        start: '2026-03-02',
        inbound: 3,
        outbound: 5,
        newCases: 3,
        closedCases: 0,
        backlog: 4,
        firstResponseSeconds: { median: 2100, p90: 3300 },
        timeToCloseSeconds: none,
      },
      {
        start: '2026-03-03',
        inbound: 1,
        outbound: 3,
        newCases: 1,
        closedCases: 2,
        backlog: 3,
        firstResponseSeconds: { median: 75600, p90: 75600 },
        // A's close on Tuesday was undone: only B's counts among the durations.
        timeToCloseSeconds: { median: 99000, p90: 99000 },
      },
      {
        start: '2026-03-04',
        inbound: 1,
        outbound: 1,
        newCases: 1,
        closedCases: 1,
        backlog: 4,
        firstResponseSeconds: none,
        timeToCloseSeconds: { median: 183600, p90: 183600 },
      },
      {
        start: '2026-03-05',
        inbound: 0,
        outbound: 0,
        newCases: 0,
        closedCases: 0,
        backlog: 4,
        firstResponseSeconds: none,
        timeToCloseSeconds: none,
      },
    ]);
    expect(report.workers).toEqual(
      [
        { userId: org.admin.id, replies: 1, closedCases: 2, firstResponseSeconds: { median: 600 } },
        { userId: analyst.id, replies: 3, closedCases: 1, firstResponseSeconds: { median: 39600 } },
      ].map((w) => expect.objectContaining(w)),
    );
    expect(report.workers.every((w) => w.name.length > 0)).toBe(true);
  });

  it('cuts days in the requested time zone, at the quarter hour where Kolkata’s midnight falls', async () => {
    const report = await summary(`surveyId=${org.surveyId}&from=2026-03-03&to=2026-03-05&tz=Asia/Kolkata`);
    // E (18:40 UTC on Tuesday) is Wednesday in Kolkata, D (23:30 UTC on Wednesday) is Thursday.
    expect(report.buckets.map((b) => [b.start, b.newCases, b.inbound])).toEqual([
      ['2026-03-03', 0, 0],
      ['2026-03-04', 1, 1],
      ['2026-03-05', 1, 1],
    ]);
    // Monday's three cases and Z were open when Kolkata's Tuesday began; C's answer (13:30 there) fell on Tuesday.
    expect(report.buckets[0]).toMatchObject({ backlog: 2, closedCases: 2, firstResponseSeconds: { median: 75600, p90: 75600 } });
  });

  it('groups by ISO week and by month, cutting the buckets to the range', async () => {
    const weeks = await summary(`surveyId=${org.surveyId}&from=2026-03-01&to=2026-03-08&bucket=week`);
    expect(weeks.buckets.map((b) => [b.start, b.newCases, b.closedCases, b.backlog])).toEqual([
      ['2026-03-01', 1, 0, 1],
      ['2026-03-02', 5, 3, 4],
    ]);
    expect(weeks.buckets[1]!.firstResponseSeconds).toEqual({ median: 3600, p90: 61200 });
    const months = await summary(`surveyId=${org.surveyId}&from=2026-02-15&to=2026-03-31&bucket=month`);
    expect(months.buckets.map((b) => [b.start, b.inbound, b.outbound])).toEqual([
      ['2026-02-15', 0, 0],
      ['2026-03-01', 6, 10],
    ]);
  });

  it('narrows to one worker: their messages, closes and first responses, with the rest of the survey as it is', async () => {
    const report = await summary(`surveyId=${org.surveyId}&from=2026-03-02&to=2026-03-04&userId=${analyst.id}`);
    expect(report.buckets.map((b) => [b.inbound, b.outbound, b.newCases, b.closedCases, b.backlog])).toEqual([
      [3, 1, 3, 0, 4],
      [1, 2, 1, 1, 3],
      [1, 0, 1, 0, 4],
    ]);
    expect(report.buckets[0]!.firstResponseSeconds).toEqual({ median: 3600, p90: 3600 });
    expect(report.workers.map((w) => w.userId)).toEqual([analyst.id]);
  });

  it('narrows to one number, and a quiet range has zeros, nulls and the backlog carried in', async () => {
    const mine = await summary(`numberId=${org.numberId}&from=2026-03-02&to=2026-03-02`);
    expect(mine.buckets[0]).toMatchObject({ inbound: 3, newCases: 3, backlog: 4 });
    const later = await summary(`surveyId=${org.surveyId}&from=2026-04-01&to=2026-04-01`);
    expect(later).toEqual({
      buckets: [
        {
          start: '2026-04-01',
          inbound: 0,
          outbound: 0,
          newCases: 0,
          closedCases: 0,
          backlog: 4,
          firstResponseSeconds: none,
          timeToCloseSeconds: none,
        },
      ],
      workers: [],
    });
  });

  it('every role reads it; another organisation sees none of it; bad input is refused with its code', async () => {
    expect((await summary(`from=2026-03-02&to=2026-03-02`, viewer.token)).buckets[0]).toMatchObject({ inbound: 3 });
    expect((await summary(`from=2026-03-02&to=2026-03-02`, analyst.token)).buckets[0]).toMatchObject({ inbound: 3 });

    const other = await h.newOrg();
    const theirs = await summary(`from=2026-03-02&to=2026-03-02`, other.admin.token);
    expect(theirs.buckets[0]).toMatchObject({ inbound: 0, backlog: 0 });
    for (const query of [`surveyId=${org.surveyId}`, `numberId=${org.numberId}`, `userId=${analyst.id}`]) {
      const res = await api('GET', `/reports/summary?from=2026-03-02&to=2026-03-02&${query}`, other.admin.token);
      expect(res.status).toBe(404);
    }
    const bad = [
      'from=2026-03-02',
      'from=2026-03-05&to=2026-03-02',
      'from=2026-02-30&to=2026-03-02',
      'from=2026-03-02&to=2026-03-02&tz=Mars/Olympus',
      'from=2026-03-02&to=2026-03-02&bucket=hour',
      'from=2020-01-01&to=2026-01-01',
    ];
    for (const query of bad) {
      const res = await api('GET', `/reports/summary?${query}`, org.admin.token);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('validation_failed');
    }
    expect((await api('GET', '/reports/summary?from=2026-03-02&to=2026-03-02', '')).status).toBe(401);
  });

  it('counts every message and case of a burst of concurrent webhooks once', async () => {
    at('2026-05-05T10:00:00Z');
    const burst = await h.newOrg();
    const contacts = Array.from({ length: 40 }, (_, i) => `+4477009008${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(contacts.flatMap((contact) => [1, 2, 3].map((k) => h.text(burst, contact, `message ${k}`))));
    expect(answers.every((res) => res.status === 200)).toBe(true);
    const report = await summary(`surveyId=${burst.surveyId}&from=2026-05-05&to=2026-05-05`, burst.admin.token);
    expect(report.buckets[0]).toMatchObject({ inbound: 120, newCases: (await h.records(burst)).length, backlog: 40 });
    expect((await h.records(burst)).length).toBe(40);
  });

  it('migration 014 counts what was there before it as the triggers counted it live', async () => {
    const { db } = h.caseline();
    const snapshot = async () => {
      const counts = await sql<Record<string, unknown>>`
        select survey_id, number_id, user_id, slot, sum(inbound) as i, sum(outbound) as o, sum(new_cases) as n,
          sum(closed_cases) as c, sum(reopened_cases) as r
        from report_counts group by survey_id, number_id, user_id, slot order by survey_id, slot, number_id, user_id`.execute(db.kysely);
      const responses = await db.kysely
        .selectFrom('records')
        .select(['id', 'first_response_at', 'first_response_ms', 'first_response_by'])
        .orderBy('id')
        .execute();
      return { counts: counts.rows.map((row) => Object.values(row).map(String)), responses };
    };
    const live = await snapshot();
    expect(live.responses.filter((r) => r.first_response_at !== null)).toHaveLength(3);
    await db.kysely.transaction().execute(async (trx) => {
      await reportCounts.down(trx, dialect);
      await reportCounts.up(trx, dialect);
    });
    expect(await snapshot()).toEqual(live);
  });
});
