import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CompiledQuery, Kysely, PostgresDialect, sql, type Compilable } from 'kysely';
import pg from 'pg';
import type { BeforeCommitHook, ChangeEvent, Db, Transaction } from '../database.js';
import { runMigrations } from '../migrate.js';
import { insertOrganisation } from '../organisations.js';
import { caseNumberSequence } from './case-numbers.js';
import type { Database } from '../schema.js';

const CHANNEL = 'caseline_changes';

export async function openPostgres(url: string, listen: boolean): Promise<Db> {
  // bigint columns hold milliseconds and counters that fit in a double.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  // No JIT: Caseline's queries are short, and where the planner overestimates rows (the
  // summary report's ranges per bucket) compiling took longer than the query itself.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: '-c jit=off' });
  // An idle connection that PostgreSQL closes (a restart, a terminated backend) is dropped
  // from the pool and replaced on next use; without a listener it would crash the process.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const changes = new EventEmitter<{ change: [ChangeEvent] }>();
  changes.setMaxListeners(0);
  const origin = randomUUID();
  const listener = listen ? await listenForChanges(url, origin, changes) : null;
  const hooks: BeforeCommitHook[] = [];

  return {
    dialect: 'pg',
    kysely,
    changes,
    // Two, not more: each batch costs the same round trips whatever its size, and more
    // batches at once only makes each smaller. On a 2-core machine 2 stored 2,446–3,082
    // msg/s where 4 stored 2,235–2,282 and 8 970–1,763 (docs/benchmarks.md, fourth round).
    writeConcurrency: 2,
    async transaction(fn) {
      const pending: ChangeEvent[] = [];
      const result = await kysely.transaction().execute(async (trx) => {
        const tx: Transaction = {
          db: trx,
          publish: (e) => pending.push(e),
          forUpdate: (query) => query.forUpdate() as typeof query,
        };
        const value = await fn(tx);
        if (hooks.length > 0 && pending.length > 0) {
          const published = [...pending];
          for (const hook of hooks) await hook(tx, published);
        }
        // NOTIFY is delivered at commit to every listening process; this process hears
        // its own changes at once below, and skips their echo. One notice per transaction
        // (split only if it nears PostgreSQL's 8000-byte payload limit).
        for (const events of chunkForNotify(pending)) {
          await sql`select pg_notify(${CHANNEL}, ${JSON.stringify({ origin, events })})`.execute(trx);
        }
        return value;
      });
      for (const event of pending) changes.emit('change', event);
      return result;
    },
    beforeCommit: (hook) => void hooks.push(hook),
    openSecondWriter: () => null,
    async createOrganisation(tx, organisation) {
      await insertOrganisation(tx, organisation);
      await sql`create sequence if not exists ${sql.id(caseNumberSequence(organisation.id))}`.execute(tx.db);
    },
    async nextCaseNumbers(tx, orgId, count) {
      const { rows } = await sql<{ n: number }>`
        select nextval(${caseNumberSequence(orgId)}::regclass) as n from generate_series(1, ${count})`.execute(tx.db);
      return rows.map((r) => Number(r.n)).sort((a, b) => a - b);
    },
    async lockRoutingKeys(tx, keys) {
      if (keys.length === 0) return;
      await sql`
        select pg_advisory_xact_lock(k)
        from (select distinct hashtextextended(key, 0) as k from unnest(${[...new Set(keys)]}::text[]) as key order by k) as ordered`.execute(
        tx.db,
      );
    },
    async lockAssignments(tx, orgIds) {
      if (orgIds.length === 0) return;
      await sql`
        select pg_advisory_xact_lock(k)
        from (select distinct hashtextextended('assignment:' || id, 0) as k from unnest(${[...new Set(orgIds)]}::text[]) as id order by k) as ordered`.execute(
        tx.db,
      );
    },
    async writeTogether(tx, queries) {
      const compiled = queries.filter((q): q is Compilable => q !== null).map((q) => q.compile());
      if (compiled.length <= 1) {
        if (compiled[0]) await tx.db.executeQuery(compiled[0]);
        return;
      }
      await tx.db.executeQuery(combineWrites(compiled));
    },
    insertRows(tx, table, rows) {
      if (rows.length === 0) return null;
      const json = JSON.stringify(rows);
      // PostgreSQL's JSON refuses the escape JSON.stringify writes for half a surrogate pair,
      // where a text parameter stores it as U+FFFD; such rows take placeholders instead.
      if (LONE_SURROGATE_ESCAPE.test(json)) return tx.db.insertInto(table).values(rows);
      const text = jsonInsertText(tx, table, Object.keys(rows[0]!));
      return { compile: () => CompiledQuery.raw(text, [json]) };
    },
    percentileCont: (value, fraction) => sql<number | null>`percentile_cont(${sql.lit(fraction)}) within group (order by ${value})`,
    skipLocked: (query) => query.forUpdate().skipLocked() as typeof query,
    migrate: () => runMigrations(kysely, 'pg'),
    async close() {
      await listener?.stop();
      await kysely.destroy();
    },
  };
}

const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

/** The statement text of each table and column list, compiled once. */
const jsonInserts = new Map<string, string>();

/** `insert into t (a, b) select a, b from json_populate_recordset(null::t, $1)`. */
function jsonInsertText(tx: Transaction, table: keyof Database, columns: string[]): string {
  const key = `${table}(${columns.join(',')})`;
  let text = jsonInserts.get(key);
  if (text === undefined) {
    const list = sql.join(columns.map((column) => sql.ref(column)));
    text =
      sql`insert into ${sql.table(table)} (${list}) select ${list} from json_populate_recordset(null::${sql.table(table)}, ${''})`.compile(
        tx.db,
      ).sql;
    jsonInserts.set(key, text);
  }
  return text;
}

/**
 * `with w0 as (…), w1 as (…) select 1`: PostgreSQL runs every data-modifying statement in a
 * WITH to completion, against one snapshot. Each statement's `$n` placeholders are moved
 * past the parameters of those before it (Kysely emits values only as placeholders).
 */
function combineWrites(queries: CompiledQuery[]): CompiledQuery {
  const parameters: unknown[] = [];
  const parts = queries.map((query, i) => {
    const offset = parameters.length;
    parameters.push(...query.parameters);
    return `w${i} as (${query.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return CompiledQuery.raw(`with ${parts.join(', ')} select 1`, parameters);
}

function chunkForNotify(events: ChangeEvent[]): ChangeEvent[][] {
  const chunks: ChangeEvent[][] = [];
  let current: ChangeEvent[] = [];
  let size = 0;
  for (const event of events) {
    const length = JSON.stringify(event).length;
    if (current.length > 0 && size + length > 7000) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(event);
    size += length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A dedicated connection that LISTENs and re-connects if PostgreSQL drops it. */
async function listenForChanges(url: string, origin: string, changes: EventEmitter<{ change: [ChangeEvent] }>) {
  let client: pg.Client | null = null;
  let stopped = false;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const notice = JSON.parse(msg.payload) as { origin: string; events: ChangeEvent[] };
      if (notice.origin === origin) return;
      for (const event of notice.events) changes.emit('change', event);
    });
    next.on('error', () => {
      if (stopped) return;
      next.end().catch(() => {});
      setTimeout(() => void connect().catch(() => {}), 1000).unref();
    });
    await next.connect();
    await next.query(`LISTEN ${CHANNEL}`);
    client = next;
  };
  await connect();
  return {
    async stop() {
      stopped = true;
      await client?.end().catch(() => {});
    },
  };
}
