/**
 * `npx tsx bench/summary-synthetic.ts sqlite|pg`: the summary report's cost on a million
 * cases written straight into \`records\` (spread over 2025, each answered after 0–3 hours,
 * nine in ten closed within two days, five workers), so a 90-day report covers about a
 * quarter of a million cases. It calls the report service in-process (no HTTP), 3 warm-ups
 * then 30 requests. Messages are not written: the counts come from \`report_counts\`, whose
 * size does not grow with cases, and the per-case durations are what this measures. The
 * full benchmark on the seeded database is \`npm run bench -- summary\`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { readConfig, type DatabaseConfig } from '../src/config.js';
import { PG_ADMIN_URL } from './lib/databases.js';
import { createCaseline } from '../src/server.js';
import { insertUser } from '../src/services/users.js';
import { STATUS_QUESTIONS } from '../test/support/questions.js';

const dialect = process.argv[2] as 'sqlite' | 'pg';
const CASES = 1_000_000;
const DAY = 86_400_000;
const start = Date.parse('2025-01-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'rq-'));
let database: DatabaseConfig;
if (dialect === 'sqlite') database = { dialect: 'sqlite', path: join(dir, 'db.sqlite') };
else {
  const name = `rq_${randomUUID().slice(0, 8)}`;
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  database = { dialect: 'pg', url: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`) };
}
const config = { ...readConfig({ CASELINE_DATA_DIR: dir, CASELINE_SECRET_KEY: 'test-secret-key-that-is-long-enough-1234' }), database };
const cl = await createCaseline(config, {});
const orgId = randomUUID();
await cl.db.transaction((tx) => cl.db.createOrganisation(tx, { id: orgId, name: 'Org', createdAt: Date.now() }));
const admin = await insertUser(
  cl.db.kysely,
  orgId,
  { email: 'a@example.org', name: 'Admin', role: 'admin', password: 'a-long-password-1' },
  Date.now(),
);
const actor = { userId: admin.id, orgId, role: 'admin' as const, name: 'Admin' };
const survey = await cl.services.surveys.create(actor, {
  name: 'S',
  questions: STATUS_QUESTIONS,
  caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
});
const workers = ['w1', 'w2', 'w3', 'w4', 'w5'];
const t0 = Date.now();
// 1M cases over 365 days; 90% closed within ~2 days; every case answered after 0-3 h.
if (dialect === 'sqlite') {
  await cl.db.transaction(async (tx) => {
    for (let b = 0; b < CASES; b += 5000) {
      const rows = [];
      for (let i = b; i < Math.min(b + 5000, CASES); i++) {
        const at = start + Math.floor((i / CASES) * 365 * DAY);
        const fr = ((i * 7919) % 10800) * 1000;
        const closed = i % 10 !== 0;
        rows.push({
          id: `r${i}`,
          org_id: orgId,
          survey_id: survey.id,
          case_number: i + 1,
          contact: `+44770${String(i).padStart(7, '0')}`,
          number_id: null,
          answers: '{}',
          status: closed ? ('closed' as const) : ('open' as const),
          version: 0,
          created_at: at,
          updated_at: at,
          closed_at: closed ? at + ((i * 104729) % (2 * DAY)) : null,
          first_response_at: at + fr,
          first_response_ms: fr,
          first_response_by: workers[i % 5]!,
        });
      }
      for (let k = 0; k < rows.length; k += 500)
        await tx.db
          .insertInto('records')
          .values(rows.slice(k, k + 500))
          .execute();
    }
  });
} else {
  await sql`insert into records (id, org_id, survey_id, case_number, contact, answers, status, version, created_at, updated_at, closed_at, first_response_at, first_response_ms, first_response_by)
    select 'r'||i, ${orgId}, ${survey.id}, i + 1, '+44770'||lpad(i::text, 7, '0'), '{}', case when i % 10 <> 0 then 'closed' else 'open' end, 0,
      ${start}::bigint + (i::bigint * 365 * ${DAY} / ${CASES}), ${start}::bigint + (i::bigint * 365 * ${DAY} / ${CASES}),
      case when i % 10 <> 0 then ${start}::bigint + (i::bigint * 365 * ${DAY} / ${CASES}) + ((i::bigint * 104729) % (2 * ${DAY})) end,
      ${start}::bigint + (i::bigint * 365 * ${DAY} / ${CASES}) + ((i::bigint * 7919) % 10800) * 1000, ((i::bigint * 7919) % 10800) * 1000,
      (array['w1','w2','w3','w4','w5'])[i % 5 + 1]
    from generate_series(0, ${CASES - 1}) as i`.execute(cl.db.kysely);
  await sql`vacuum analyze records`.execute(cl.db.kysely);
}
// Measured once the seed is in the database file, not while its checkpoint runs.
if (dialect === 'sqlite') await sql`pragma wal_checkpoint(truncate)`.execute(cl.db.kysely);
console.log(dialect, 'seeded', Date.now() - t0, 'ms');
const q = (from: string, to: string, bucket: 'day' | 'week' = 'day') =>
  cl.services.reports.summary(actor, { surveyId: survey.id, from, to, bucket, tz: 'Africa/Nairobi' });
for (let i = 0; i < 3; i++) await q('2025-10-02', '2025-12-30');
const times: number[] = [];
for (let i = 0; i < 30; i++) {
  const s = performance.now();
  const r = await q('2025-10-02', '2025-12-30');
  times.push(performance.now() - s);
  if (i === 0)
    console.log(
      'buckets',
      r.buckets.length,
      'cases created in the window',
      r.buckets.reduce((a, b) => a + b.newCases, 0),
    );
}
times.sort((a, b) => a - b);
console.log(dialect, '90-day by day: p50', times[14]!.toFixed(0), 'ms, slowest of 30', times[29]!.toFixed(0), 'ms');
const w: number[] = [];
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  await q('2025-01-01', '2025-12-31', 'week');
  w.push(performance.now() - s);
}
w.sort((a, b) => a - b);
console.log(dialect, '365-day by week: median of 5', w[2]!.toFixed(0), 'ms');
console.log(
  'machine load average',
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' '),
);
await cl.close();
rmSync(dir, { recursive: true, force: true });
if (database.dialect === 'pg') {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(`drop database ${new URL(database.url).pathname.slice(1)}`);
  await c.end();
}
