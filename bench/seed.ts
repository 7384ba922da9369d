import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/server.js';
import { BenchApi, type TwilioNumberSetup } from './lib/caseline-setup.js';
import { createBenchDatabase, ensureDir, pgAdmin, type BenchDialect } from './lib/databases.js';
import { startCaseline } from './lib/processes.js';

/**
 * Seeds a database with `cases` existing cases and `messages` messages for the scale
 * benchmarks, straight into the tables (src/db/migrations/): records,
 * messages, record_messages and history, as the services would have written them.
 *
 * The organisation, admin, survey and Twilio number are made by a real server through the
 * API first, so credentials are sealed with the bench's secret key as usual. Then:
 * SQLite: better-sqlite3 prepared statements, one transaction per 50,000 rows, secondary
 * indexes dropped during the load and built again after; PostgreSQL: set-based multi-row
 * `INSERT … SELECT FROM generate_series` batches with the same index treatment, then
 * `VACUUM ANALYZE` (what autovacuum does to a live database).
 *
 * The result is cached: a SQLite file in bench/.cache/, a PostgreSQL template database;
 * each benchmark run works on a copy.
 *
 * Layout (deterministic, so benchmarks know the data without querying it):
 * - case i (1…cases) has case number i and contact +4474 followed by i in 8 digits;
 *   case i is open when i % 10 === 1, else closed (10% open);
 * - half the open cases wait for an answer (i % 20 === 1): their `waiting_since` is
 *   scattered over the year by a hash of i, so the waiting queue's order is not the case
 *   numbers' order;
 * - case 1 holds min(1000, messages) messages (the long conversation);
 * - the other messages are spread round-robin over cases 2…cases, about
 *   messages/cases each; every third message of a case is an outbound reply;
 * - ids are md5-derived UUIDs, so they are scattered like random UUIDs but reproducible.
 */

export interface SeedMeta {
  dialect: BenchDialect;
  cases: number;
  messages: number;
  orgId: string;
  surveyId: string;
  number: TwilioNumberSetup;
  /** How long building the seed took, seconds (API set-up, load, indexes). */
  seedSeconds: number;
  loadSeconds: number;
  indexSeconds: number;
  createdAt: string;
  /** Rows written per table. */
  rows: Record<string, number>;
}

export interface Seed {
  meta: SeedMeta;
  /** A SQLite file path, or a PostgreSQL template database name. */
  source: string;
  /** Whether this call built it (false: found in the cache). */
  built: boolean;
}

const SEED_VERSION = 'v1';
const DAY = 86_400_000;
export const BIG_CASE_NUMBER = 1;

export function seedContact(caseNumber: number): string {
  return `+4474${String(caseNumber).padStart(8, '0')}`;
}

export function isSeededOpen(caseNumber: number): boolean {
  return caseNumber % 10 === 1;
}

const CACHE_DIR = join(PROJECT_ROOT, 'bench', '.cache');

function seedKey(cases: number, messages: number): string {
  // The seed holds the schema of every migration, so a new migration builds a new seed.
  const hash = createHash('sha256');
  const migrations = join(PROJECT_ROOT, 'src', 'db', 'migrations');
  for (const file of readdirSync(migrations).sort()) hash.update(readFileSync(join(migrations, file)));
  const key = hash
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex')
    .slice(0, 8);
  return `${SEED_VERSION}_${cases}_${messages}_${key}`;
}

/** The seeded database for these sizes, from the cache or built now. */
export async function ensureSeed(
  dialect: BenchDialect,
  sizes: { cases: number; messages: number },
  log: (line: string) => void = console.error,
): Promise<Seed> {
  if (sizes.cases < 1) throw new Error('--cases must be at least 1');
  const key = seedKey(sizes.cases, sizes.messages);
  if (dialect === 'sqlite') {
    ensureDir(CACHE_DIR);
    const file = join(CACHE_DIR, `seed_${key}.db`);
    const metaFile = `${file}.json`;
    if (existsSync(file) && existsSync(metaFile)) {
      return { meta: JSON.parse(readFileSync(metaFile, 'utf8')) as SeedMeta, source: file, built: false };
    }
    log(
      `seeding SQLite: ${sizes.cases.toLocaleString()} cases, ${sizes.messages.toLocaleString()} messages (cached afterwards in bench/.cache/)`,
    );
    const meta = await buildSeed('sqlite', sizes, log);
    try {
      renameSync(meta.path, file);
    } catch {
      copyFileSync(meta.path, file);
    }
    rmSync(meta.cleanup, { recursive: true, force: true });
    writeFileSync(metaFile, JSON.stringify(meta.meta, null, 2));
    return { meta: meta.meta, source: file, built: true };
  }

  const template = `caseline_bench_seed_${key}`;
  const existing = await pgAdmin(async (client) => {
    const row = await client.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [template],
    );
    return row.rows[0];
  });
  if (existing?.comment) {
    return { meta: JSON.parse(existing.comment) as SeedMeta, source: template, built: false };
  }
  if (existing) await pgAdmin((client) => client.query(`drop database ${template} with (force)`));
  log(
    `seeding PostgreSQL: ${sizes.cases.toLocaleString()} cases, ${sizes.messages.toLocaleString()} messages (kept afterwards as template ${template})`,
  );
  const built = await buildSeed('pg', sizes, log);
  await pgAdmin(async (client) => {
    await client.query(`alter database ${built.path} rename to ${template}`);
    await client.query(`comment on database ${template} is '${JSON.stringify(built.meta).replaceAll("'", "''")}'`);
  });
  return { meta: built.meta, source: template, built: true };
}

async function buildSeed(
  dialect: BenchDialect,
  sizes: { cases: number; messages: number },
  log: (line: string) => void,
): Promise<{ meta: SeedMeta; path: string; cleanup: string }> {
  const started = performance.now();
  const database = await createBenchDatabase(dialect);
  // The real server migrates, creates the admin; the API makes the survey and number.
  const server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
  let surveyId: string;
  let number: TwilioNumberSetup;
  try {
    const api = await BenchApi.login(server.url);
    surveyId = await api.createSurvey();
    number = await api.createTwilioNumber(surveyId);
  } finally {
    await server.stop();
  }

  const plan = seedPlan(sizes.cases, sizes.messages);
  let load: { orgId: string; rows: Record<string, number>; loadSeconds: number; indexSeconds: number };
  if (database.config.dialect === 'sqlite') {
    load = seedSqlite(database.config.path, number.numberId, plan, log);
  } else {
    load = await seedPostgres(database.config.url, number.numberId, plan, log);
  }
  const meta: SeedMeta = {
    dialect,
    cases: sizes.cases,
    messages: sizes.messages,
    orgId: load.orgId,
    surveyId,
    number,
    seedSeconds: round((performance.now() - started) / 1000),
    loadSeconds: load.loadSeconds,
    indexSeconds: load.indexSeconds,
    createdAt: new Date().toISOString(),
    rows: load.rows,
  };
  log(`seeded in ${meta.seedSeconds} s (rows ${meta.loadSeconds} s, indexes ${meta.indexSeconds} s)`);
  if (database.config.dialect === 'sqlite') return { meta, path: database.config.path, cleanup: database.dir };
  const name = new URL(database.config.url).pathname.slice(1);
  rmSync(database.dir, { recursive: true, force: true });
  return { meta, path: name, cleanup: database.dir };
}

interface SeedPlan {
  cases: number;
  messages: number;
  /** Messages in case 1. */
  big: number;
  /** Messages spread over cases 2…cases. */
  rest: number;
  t0: number;
  caseStep: number;
}

function seedPlan(cases: number, messages: number): SeedPlan {
  const big = cases === 1 ? messages : Math.min(1000, messages);
  // Fixed base time, so a cached seed and a fresh one hold the same data; a year ago.
  const t0 = Date.UTC(2024, 0, 1);
  return { cases, messages, big, rest: messages - big, t0, caseStep: Math.max(1, Math.floor((365 * DAY) / cases)) };
}

/** The k-th message of a case arrives k+1 minutes after the case was created. */
const MINUTE = 60_000;

function md5Uuid(input: string): string {
  const h = createHash('md5').update(input).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The rows, as set-based SQL over a series of integers, written once for both dialects:
 * `generate_series` on PostgreSQL, a recursive CTE on SQLite; md5-derived ids (`md5uuid`
 * is registered as a function on SQLite).
 */
interface SqlFlavour {
  dialect: BenchDialect;
  /** `create temp table seed_batch as select <select> from <series g>` over from…to inclusive. */
  batch(select: string, from: number, to: number): string;
  uuid(expr: string): string;
  pad8(expr: string): string;
  big(expr: string): string;
}

const SQLITE_FLAVOUR: SqlFlavour = {
  dialect: 'sqlite',
  batch: (select, from, to) =>
    `create temp table seed_batch as with recursive s(g) as (select ${from} union all select g + 1 from s where g < ${to}) select ${select} from s`,
  uuid: (expr) => `md5uuid(${expr})`,
  pad8: (expr) => `printf('%08d', ${expr})`,
  big: (expr) => `(${expr})`,
};

const PG_FLAVOUR: SqlFlavour = {
  dialect: 'pg',
  batch: (select, from, to) => `create temp table seed_batch as select ${select} from generate_series(${from}, ${to}) as s(g)`,
  uuid: (expr) => `md5(${expr})::uuid::text`,
  pad8: (expr) => `lpad((${expr})::text, 8, '0')`,
  big: (expr) => `(${expr})::bigint`,
};

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * Every statement of the load, in order, each run in its own transaction. A batch of
 * 50,000 cases or messages is first computed into a temporary table (ids hashed once),
 * then copied into the real tables.
 */
function* seedStatements(
  f: SqlFlavour,
  plan: SeedPlan,
  ids: { org: string; survey: string; number: string; admin: string },
): Generator<{ label: string; sql: string }> {
  const others = plan.cases - 1;
  const contact = (c: string) => `'+4474' || ${f.pad8(c)}`;
  const count = (c: string) =>
    others === 0
      ? `${plan.big}`
      : `(case when ${c} = 1 then ${plan.big} else ${Math.floor(plan.rest / others)} + (case when ${c} - 2 < ${plan.rest % others} then 1 else 0 end) end)`;
  const createdAt = (c: string) => `(${plan.t0} + ${f.big(`${c} - 1`)} * ${plan.caseStep})`;
  const updatedAt = (c: string) =>
    `(${createdAt(c)} + ${f.big(count(c))} * ${MINUTE} + (case when ${c} % 10 = 1 then 0 else ${MINUTE} end))`;
  const [org, survey, number, admin] = [quote(ids.org), quote(ids.survey), quote(ids.number), quote(ids.admin)];
  const drop = { label: 'batch', sql: 'drop table seed_batch' };

  const BATCH = 50_000;
  for (let from = 1; from <= plan.cases; from += BATCH) {
    const to = Math.min(plan.cases, from + BATCH - 1);
    yield {
      label: 'batch',
      sql: f.batch(
        `g as c, ${f.uuid(`'r' || g`)} as rid, ${contact('g')} as contact, (g % 10 = 1) as open, ${createdAt('g')} as created_at, ${updatedAt('g')} as updated_at`,
        from,
        to,
      ),
    };
    yield {
      label: 'records',
      sql: `insert into records (id, org_id, survey_id, case_number, contact, number_id, answers, status, locked_by, locked_at, created_at, updated_at, closed_at, waiting_since)
            select rid, ${org}, ${survey}, c, contact, ${number},
                   '{"phone":"' || contact || '","status":"' || (case when open then 'new' else 'closed' end) || '"}',
                   case when open then 'open' else 'closed' end, null, null,
                   created_at, updated_at, case when open then null else updated_at end,
                   case when c % 20 = 1 then ${plan.t0} + (${f.big('c')} * 7919 % ${plan.cases}) * ${plan.caseStep} + ${MINUTE} else null end
            from seed_batch order by c`,
    };
    yield {
      label: 'history',
      sql: `insert into history (record_id, user_id, action, detail, created_at)
            select rid, null, 'created', '{"by":"message"}', created_at from seed_batch order by c`,
    };
    yield {
      label: 'history',
      sql: `insert into history (record_id, user_id, action, detail, created_at)
            select rid, ${admin}, 'closed', '{}', updated_at from seed_batch where not open order by c`,
    };
    yield drop;
  }

  // Messages over a series g: the id, case and position in the case are expressions of g.
  function* messages(from: number, to: number, id: string, c: string, k: string) {
    yield {
      label: 'batch',
      sql: f.batch(
        `g, ${id} as id, ${c} as c, ${k} as k, ${f.uuid(`'r' || (${c})`)} as rid, ${contact(c)} as contact,
         (${createdAt(c)} + ${f.big(`(${k}) + 1`)} * ${MINUTE}) as at, ((${k}) % 3 = 2) as out`,
        from,
        to,
      ),
    };
    yield {
      label: 'messages',
      sql: `insert into messages (id, org_id, number_id, direction, contact, body, provider_message_id, status, error_code, error_text, author_id, created_at, updated_at)
            select id, ${org}, ${number}, case when out then 'out' else 'in' end, contact,
                   case when out then 'Thank you, we are looking into it. #' || c else 'Message ' || (k + 1) || ' about my case: I still need help with the form' end,
                   'SM' || replace(id, '-', ''), case when out then 'delivered' else 'received' end, null, null,
                   case when out then ${admin} else null end, at, at
            from seed_batch order by g`,
    };
    yield {
      label: 'record_messages',
      sql: `insert into record_messages (record_id, message_id, added_at) select rid, id, at from seed_batch order by g`,
    };
    yield {
      label: 'history',
      sql: `insert into history (record_id, user_id, action, detail, created_at)
            select rid, case when out then ${admin} else null end, case when out then 'message.out' else 'message.in' end,
                   '{"messageId":"' || id || '"}', at
            from seed_batch order by g`,
    };
    yield drop;
  }
  if (plan.big > 0) yield* messages(0, plan.big - 1, f.uuid(`'b' || g`), String(BIG_CASE_NUMBER), 'g');
  for (let from = 0; from < plan.rest; from += BATCH) {
    yield* messages(from, Math.min(plan.rest, from + BATCH) - 1, f.uuid(`'m' || g`), `(2 + g % ${others})`, `(g / ${others})`);
  }
  yield { label: 'counter', sql: `update organisations set last_case_number = ${plan.cases} where id = ${org}` };
}

interface LoadResult {
  orgId: string;
  rows: Record<string, number>;
  loadSeconds: number;
  indexSeconds: number;
}

function rowsOf(plan: SeedPlan): Record<string, number> {
  const messages = plan.big + plan.rest;
  const closed = plan.cases - Math.ceil(plan.cases / 10);
  return { records: plan.cases, messages, record_messages: messages, history: plan.cases + closed + messages };
}

const SEEDED_TABLES = ['records', 'messages', 'record_messages', 'history'];

/** Logs, every 15 s and at the end, how many statements of each kind ran and their time. */
function progress(log: (line: string) => void) {
  let last = performance.now();
  let previous = performance.now();
  const done: Record<string, { n: number; ms: number }> = {};
  const line = () =>
    Object.entries(done)
      .map(([l, d]) => `${l} ×${d.n} ${Math.round(d.ms / 1000)} s`)
      .join(', ');
  return {
    tick(label: string) {
      const now = performance.now();
      const entry = (done[label] ??= { n: 0, ms: 0 });
      entry.n += 1;
      entry.ms += now - previous;
      previous = now;
      if (now - last > 15_000) {
        last = now;
        log(`  … ${line()}`);
      }
    },
    end: () => log(`  statements: ${line()}`),
  };
}

function seedSqlite(path: string, numberId: string, plan: SeedPlan, log: (line: string) => void): LoadResult {
  const db = new SqliteDatabase(path);
  // journal_mode=OFF is refused in better-sqlite3's default defensive mode. A seed that
  // fails half-way is thrown away, so it needs no rollback journal.
  db.unsafeMode(true);
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -4000000');
  db.pragma('temp_store = MEMORY');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('foreign_keys = OFF');
  db.function('md5uuid', { deterministic: true }, (input: unknown) => md5Uuid(String(input)));
  const { org_id: orgId, survey_id: surveyId } = db.prepare('select org_id, survey_id from numbers where id = ?').get(numberId) as {
    org_id: string;
    survey_id: string;
  };
  const adminId = (db.prepare('select id from users where org_id = ? limit 1').get(orgId) as { id: string }).id;

  const indexes = db
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${SEEDED_TABLES.map(() => '?').join(',')})`,
    )
    .all(...SEEDED_TABLES) as Array<{ name: string; sql: string }>;
  for (const index of indexes) db.exec(`drop index ${index.name}`);

  const loadStarted = performance.now();
  const tick = progress(log);
  for (const statement of seedStatements(SQLITE_FLAVOUR, plan, { org: orgId, survey: surveyId, number: numberId, admin: adminId })) {
    db.transaction(() => db.prepare(statement.sql).run())();
    tick.tick(statement.label);
  }
  tick.end();
  const loadSeconds = round((performance.now() - loadStarted) / 1000);

  const indexStarted = performance.now();
  for (const index of indexes) db.exec(index.sql);
  const indexSeconds = round((performance.now() - indexStarted) / 1000);
  db.close();
  // A fresh connection puts the file back in the WAL mode the server expects.
  const wal = new SqliteDatabase(path);
  wal.pragma('journal_mode = WAL');
  wal.pragma('wal_checkpoint(TRUNCATE)');
  wal.close();
  return { orgId, rows: rowsOf(plan), loadSeconds, indexSeconds };
}

async function seedPostgres(url: string, numberId: string, plan: SeedPlan, log: (line: string) => void): Promise<LoadResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Rows are consistent by construction; replica mode skips the per-row foreign-key triggers.
    await client.query(`set session_replication_role = replica`);
    await client.query(`set synchronous_commit = off`);
    await client.query(`set maintenance_work_mem = '1GB'`);
    const { org_id: orgId, survey_id: surveyId } = (
      await client.query<{ org_id: string; survey_id: string }>('select org_id, survey_id from numbers where id = $1', [numberId])
    ).rows[0]!;
    const adminId = (await client.query<{ id: string }>('select id from users where org_id = $1 limit 1', [orgId])).rows[0]!.id;

    const indexes = (
      await client.query<{ indexname: string; indexdef: string }>(
        `select i.indexname, i.indexdef from pg_indexes i
         where i.schemaname = 'public' and i.tablename = any($1)
           and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
        [SEEDED_TABLES],
      )
    ).rows;
    for (const index of indexes) await client.query(`drop index ${index.indexname}`);

    const loadStarted = performance.now();
    const tick = progress(log);
    for (const statement of seedStatements(PG_FLAVOUR, plan, { org: orgId, survey: surveyId, number: numberId, admin: adminId })) {
      await client.query(statement.sql);
      tick.tick(statement.label);
    }
    tick.end();
    const loadSeconds = round((performance.now() - loadStarted) / 1000);

    const indexStarted = performance.now();
    for (const index of indexes) await client.query(index.indexdef);
    await client.query('vacuum analyze');
    const indexSeconds = round((performance.now() - indexStarted) / 1000);
    return { orgId, rows: rowsOf(plan), loadSeconds, indexSeconds };
  } finally {
    await client.end();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

// `tsx bench/seed.ts --dialect sqlite --cases 1000000 --messages 5000000` builds (or finds) the seed alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1]! : fallback;
  };
  const dialects = arg('dialect', 'sqlite,pg').split(',') as BenchDialect[];
  for (const dialect of dialects) {
    const seed = await ensureSeed(dialect, { cases: Number(arg('cases', '1000000')), messages: Number(arg('messages', '5000000')) });
    console.log(JSON.stringify({ source: seed.source, built: seed.built, ...seed.meta }, null, 2));
  }
}
