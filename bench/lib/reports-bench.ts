import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { PROJECT_ROOT } from '../../src/server.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import * as reportCounts from '../../src/db/migrations/014-report-counts.js';
import type { Seed } from '../seed.js';
import { BenchApi } from './caseline-setup.js';
import type { BenchDialect } from './databases.js';
import { percentile, round } from './load.js';
import { backgroundBusyPercent } from './machine.js';
import { memoryOf, round1, startCaseline, watchMemory, type BenchProcess } from './processes.js';
import { explainReportQueries, type ReportQueryTiming } from './report-plans.js';
import { copySeed } from './seeded-copy.js';

/**
 * The summary report at scale (DESIGN.md §10: a 90-day report over a million cases in under
 * half a second), on a copy of the seeded million cases made to look like a database from
 * before migration 014: its triggers, counts and first-response columns are rolled back,
 * the seed's replies are shared out among five workers (the seed has one), and then 014
 * runs again, timed: its backfill is the upgrade every existing installation pays once.
 * The report is then asked for over HTTP, one request at a time, as the dashboard does.
 */
export interface LatencyRun {
  path: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  /** Buckets in the answer, and the answer's size. */
  buckets: number;
  bytes: number;
  peakRssMiB: number;
}

export interface SummaryBenchResult {
  cases: number;
  messages: number;
  workers: number;
  copySeconds: number;
  /** Rolling 014 back and sharing the replies out among the workers (not part of the upgrade). */
  prepareSeconds: number;
  /** Migration 014 on the million cases: the counts' backfill, first responses, indexes, triggers. */
  migration014Seconds: number;
  reportCountsRows: number;
  tz: string;
  window: { from: string; to: string; casesCreated: number; messages: number; firstResponses: number; closes: number };
  day90: LatencyRun;
  week365: LatencyRun;
  worker90: LatencyRun;
  targetMs: number;
  /** Whether the 90-day report's p50 is under the target. */
  met: boolean;
  /** Each of the report's queries alone, from the bench process (median of 5). */
  queries: ReportQueryTiming[];
  plansFile: string;
  lifetimePeakRssMiB: number;
  backgroundBusyPercent: number | null;
}

const DAY = 86_400_000;
const TZ = 'Africa/Nairobi';
/** Nairobi is three hours ahead of UTC all year. */
const TZ_OFFSET = 3 * 3_600_000;
const TARGET_MS = 500;
const WORKERS = 5;
/** Bounds on one report's measurement: at least this many requests, then stop after this long. */
const MIN_REQUESTS = 10;
const MAX_SECONDS = 180;

export async function measureSummary(
  dialect: BenchDialect,
  seed: Seed,
  options: { requests: number; log: (line: string) => void },
): Promise<SummaryBenchResult> {
  const { log } = options;
  const { cases, messages, orgId, surveyId } = seed.meta;
  const { database, copySeconds } = await copySeed(dialect, seed);
  let server: BenchProcess | undefined;
  try {
    const db = await openDatabase(database.config, { listen: false });
    let migration014Seconds: number;
    let prepareSeconds: number;
    let workerIds: string[];
    let window: SummaryBenchResult['window'];
    let reportCountsRows: number;
    const days = windowDays(seed);
    try {
      const prepareStarted = performance.now();
      if (await hasMigration014(db)) await reportCounts.down(db.kysely, dialect);
      else throw new Error('the seed predates migration 014: build a new one (npx tsx bench/seed.ts)');
      workerIds = await addWorkers(db, orgId);
      await shareOutReplies(db, workerIds);
      if (database.config.dialect === 'pg') await vacuum(database.config.url, 'vacuum analyze messages, history, users');
      prepareSeconds = round((performance.now() - prepareStarted) / 1000);
      log(`  copied in ${copySeconds} s; 014 rolled back and replies shared out among ${WORKERS} workers in ${prepareSeconds} s`);

      // As the migrator runs it: one transaction.
      const migrationStarted = performance.now();
      await db.kysely.transaction().execute((trx) => reportCounts.up(trx, dialect));
      migration014Seconds = round((performance.now() - migrationStarted) / 1000);
      // What autovacuum does to a table this size soon after (the report's plans rely on statistics).
      if (database.config.dialect === 'pg') await vacuum(database.config.url, 'vacuum analyze records, report_counts');
      reportCountsRows = Number(
        (
          await db.kysely
            .selectFrom('report_counts')
            .select(sql<number>`count(*)`.as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      window = await windowCounts(db, surveyId, days.day90);
      log(
        `  migration 014 took ${migration014Seconds} s (${reportCountsRows.toLocaleString()} count rows); the 90-day window ` +
          `${days.day90.from}…${days.day90.to} (${TZ}) holds ${window.casesCreated.toLocaleString()} new cases, ` +
          `${window.messages.toLocaleString()} messages, ${window.firstResponses.toLocaleString()} first responses, ` +
          `${window.closes.toLocaleString()} closes`,
      );
    } finally {
      await db.close();
    }

    server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
    const api = await BenchApi.login(server.url);
    const busy = await backgroundBusyPercent();
    log(`  other load on the machine before measuring: ${busy}% CPU`);
    const base = `/api/v1/reports/summary?surveyId=${surveyId}&tz=${encodeURIComponent(TZ)}`;
    const day90 = await measureLatency(
      server,
      api.token,
      `${base}&from=${days.day90.from}&to=${days.day90.to}&bucket=day`,
      options.requests,
      options.requests,
    );
    log(`  90 days by day: p50 ${day90.p50Ms} ms, p99 ${day90.p99Ms} ms, max ${day90.maxMs} ms (${day90.requests} requests)`);
    const week365 = await measureLatency(
      server,
      api.token,
      `${base}&from=${days.year.from}&to=${days.year.to}&bucket=week`,
      options.requests,
      MIN_REQUESTS,
    );
    log(`  365 days by week: p50 ${week365.p50Ms} ms, p99 ${week365.p99Ms} ms, max ${week365.maxMs} ms`);
    const worker90 = await measureLatency(
      server,
      api.token,
      `${base}&from=${days.day90.from}&to=${days.day90.to}&bucket=day&userId=${workerIds[1]}`,
      options.requests,
      MIN_REQUESTS,
    );
    log(`  90 days, one worker: p50 ${worker90.p50Ms} ms, p99 ${worker90.p99Ms} ms, max ${worker90.maxMs} ms`);
    const lifetimePeakRssMiB = round1(memoryOf(server.pid)?.peakMiB ?? NaN);
    await server.stop();
    server = undefined;

    const plansFile = `bench/results/report-plans-${dialect}.txt`;
    const range = { from: zoneMidnight(days.day90.from), to: zoneMidnight(days.day90.to) + DAY };
    const { timings, text } = await explainReportQueries(database.config, surveyId, range, workerIds[1]!);
    writeFileSync(join(PROJECT_ROOT, plansFile), text);
    log(
      `  the report's queries alone (90 days): ${timings.map((t) => `${t.name} ${t.ms} ms (${t.rows} rows)`).join(', ')}; plans in ${plansFile}`,
    );
    return {
      cases,
      messages,
      workers: WORKERS,
      copySeconds,
      prepareSeconds,
      migration014Seconds,
      reportCountsRows,
      tz: TZ,
      window,
      day90,
      week365,
      worker90,
      targetMs: TARGET_MS,
      met: day90.p50Ms < TARGET_MS,
      queries: timings,
      plansFile,
      lifetimePeakRssMiB,
      backgroundBusyPercent: busy,
    };
  } finally {
    await server?.stop();
    await database.drop();
  }
}

/** The last 90 and 365 whole days of the seeded year (its cases are created over one year). */
function windowDays(seed: Seed): { day90: { from: string; to: string }; year: { from: string; to: string } } {
  const t0 = Date.UTC(2024, 0, 1);
  const caseStep = Math.max(1, Math.floor((365 * DAY) / seed.meta.cases));
  const lastCase = t0 + (seed.meta.cases - 1) * caseStep;
  const lastWholeDay = Math.floor((lastCase + TZ_OFFSET) / DAY) * DAY - DAY;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    day90: { from: day(lastWholeDay - 89 * DAY), to: day(lastWholeDay) },
    year: { from: day(lastWholeDay - 364 * DAY), to: day(lastWholeDay) },
  };
}

const zoneMidnight = (isoDay: string) => Date.parse(`${isoDay}T00:00:00Z`) - TZ_OFFSET;

/** Four analysts besides the admin, made from the admin's row (they never sign in). */
async function addWorkers(db: Db, orgId: string): Promise<string[]> {
  const admin = await db.kysely
    .selectFrom('users')
    .select(['id', 'password_hash', 'created_at'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .executeTakeFirstOrThrow();
  const ids = [admin.id];
  for (let i = 1; i < WORKERS; i++) {
    const id = `bench-worker-${i}`;
    await db.kysely
      .insertInto('users')
      .values({
        id,
        org_id: orgId,
        email: `worker${i}@example.org`,
        name: `Worker ${i}`,
        role: 'analyst',
        password_hash: admin.password_hash,
        active: 1,
        created_at: admin.created_at,
        updated_at: admin.created_at,
      } as never)
      .execute();
    ids.push(id);
  }
  return ids;
}

/**
 * Every reply and close of the seed is the admin's; here each goes to one of the five
 * workers by the first hex digit of its (md5-derived) id, so the workers share them evenly.
 */
async function shareOutReplies(db: Db, workers: string[]): Promise<void> {
  const byDigit = (column: string) =>
    sql.raw(
      `case when substr(${column}, 1, 1) < '3' then '${workers[0]}' when substr(${column}, 1, 1) < '6' then '${workers[1]}' ` +
        `when substr(${column}, 1, 1) < '9' then '${workers[2]}' when substr(${column}, 1, 1) < 'c' then '${workers[3]}' else '${workers[4]}' end`,
    );
  await sql`update messages set author_id = ${byDigit('id')} where direction = 'out' and author_id is not null`.execute(db.kysely);
  await sql`update history set user_id = ${byDigit('record_id')} where action in ('closed', 'message.out') and user_id is not null`.execute(
    db.kysely,
  );
}

async function hasMigration014(db: Db): Promise<boolean> {
  const row = await sql<{ name: string }>`select name from kysely_migration where name = '014-report-counts'`.execute(db.kysely);
  return row.rows.length > 0;
}

async function vacuum(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

async function windowCounts(db: Db, surveyId: string, days: { from: string; to: string }): Promise<SummaryBenchResult['window']> {
  const from = zoneMidnight(days.from);
  const to = zoneMidnight(days.to) + DAY;
  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) => Number((await query.executeTakeFirstOrThrow()).n);
  const n = sql<number>`count(*)`.as('n');
  const records = () => db.kysely.selectFrom('records').select(n).where('survey_id', '=', surveyId);
  return {
    ...days,
    casesCreated: await count(records().where('created_at', '>=', from).where('created_at', '<', to)),
    messages: await count(db.kysely.selectFrom('messages').select(n).where('created_at', '>=', from).where('created_at', '<', to)),
    firstResponses: await count(records().where(sql<boolean>`first_response_at >= ${from} and first_response_at < ${to}`)),
    closes: await count(records().where('closed_at', '>=', from).where('closed_at', '<', to)),
  };
}

/**
 * Three warm-ups, then `requests` one after another; the answer is read whole each time. A
 * slow report stops early once `MAX_SECONDS` have passed and `minRequests` were made.
 */
async function measureLatency(
  server: BenchProcess,
  token: string,
  path: string,
  requests: number,
  minRequests: number,
): Promise<LatencyRun> {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const once = async () => {
    const started = performance.now();
    const res = await fetch(`${server.url}${path}`, { headers });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`summary: ${path} answered ${res.status} ${text.slice(0, 300)}`);
    return { ms, text };
  };
  for (let i = 0; i < 3; i++) await once();
  const memory = watchMemory(server.pid);
  const times: number[] = [];
  let last = '';
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    if (i >= minRequests && performance.now() - started > MAX_SECONDS * 1000) break;
    const { ms, text } = await once();
    times.push(ms);
    last = text;
  }
  const { phasePeakRssMiB } = memory.stop();
  times.sort((a, b) => a - b);
  return {
    path: path.replace(/surveyId=[^&]+/, 'surveyId={id}').replace(/userId=[^&]+/, 'userId={worker}'),
    requests: times.length,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    minMs: round(times[0]!, 2),
    maxMs: round(times.at(-1)!, 2),
    buckets: (JSON.parse(last) as { buckets: unknown[] }).buckets.length,
    bytes: Buffer.byteLength(last),
    peakRssMiB: phasePeakRssMiB,
  };
}
