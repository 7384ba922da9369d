import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Compilable,
  type Migration,
  type MigrationProvider,
  type SelectQueryBuilder,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Dialect } from './dialect.js';
import * as initial from './migrations/001-initial.js';
import * as contactActivity from './migrations/002-contact-activity-index.js';
import * as leanerIndexes from './migrations/003-leaner-indexes.js';
import * as fewerRecordIndexes from './migrations/004-fewer-record-indexes.js';
import * as hardening from './migrations/005-hardening.js';
import type { Database } from './schema.js';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';

/**
 * The one module that knows which database it is on (STYLE.md habit 3): connection set-up,
 * transactions, the per-contact routing lock, outbox claiming and change notifications.
 * Everything else speaks Kysely through the `Db` handle.
 */
export type Executor = Kysely<Database>;

/** A change published to listeners once the transaction that made it commits. */
export interface ChangeEvent {
  type: 'record.created' | 'record.updated' | 'message.added' | 'message.status' | 'outbox.ready' | 'config.changed' | 'access.revoked';
  orgId: string;
  /** `access.revoked`: whose sessions or tokens ended. */
  userId?: string;
  /**
   * `access.revoked`: the one credential that ended (`session:<hash>`, `token:<id>`), or
   * absent when all of the user's ended except `keepCredential`.
   */
  credential?: string;
  keepCredential?: string;
  caseNumber?: number;
  recordId?: string;
  messageId?: string;
  surveyId?: string;
}

export interface Transaction {
  readonly db: Executor;
  /** Publishes `event` if, and only if, the transaction commits. */
  publish(event: ChangeEvent): void;
  /**
   * Locks the selected rows until commit (`FOR UPDATE` on PostgreSQL). On SQLite the
   * transaction holds the database's write lock from its start, which covers every row.
   */
  forUpdate<QB extends SelectQueryBuilder<Database, any, any>>(query: QB): QB;
}

export interface Db {
  readonly dialect: Dialect;
  readonly kysely: Executor;
  /**
   * How many write transactions are worth running at once. SQLite has one writer, so a
   * second transaction only queues (and splits work that could share one); PostgreSQL
   * runs them side by side on separate connections.
   */
  readonly writeConcurrency: number;
  /** Runs `fn` in one transaction that holds the write intent from its first statement. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs `write`, a transaction that another connection of this process commits (the
   * SQLite ingest thread's, src/services/ingest-thread.ts), then publishes the changes it
   * reports as this handle's own. On SQLite it takes its turn among this handle's
   * transactions, so neither connection ever waits for the other's write lock — a wait
   * that would block this thread; on PostgreSQL it simply runs.
   */
  writeElsewhere<T>(write: () => Promise<{ value: T; events: ChangeEvent[] }>): Promise<T>;
  /**
   * Serialises routing per key — (survey, contact) — across processes (DESIGN.md §2 rule 7).
   * On PostgreSQL transaction-scoped advisory locks, taken in one order so two batches
   * never wait on each other in a circle; on SQLite the write lock that `BEGIN IMMEDIATE`
   * took already serialises every writer.
   */
  lockRoutingKeys(tx: Transaction, keys: string[]): Promise<void>;
  /** Creates an organisation and what numbers its cases. */
  createOrganisation(tx: Transaction, organisation: { id: string; name: string; createdAt: number }): Promise<void>;
  /**
   * The next `count` case numbers of an organisation: unique and increasing (DESIGN.md §1). On
   * PostgreSQL a sequence per organisation, so creating cases never queues on one row; on
   * SQLite a counter row, as the single writer serialises creators anyway.
   */
  nextCaseNumbers(tx: Transaction, orgId: string, count: number): Promise<number[]>;
  /**
   * Runs write statements that are independent — none reads what another writes — in as
   * few round trips as the dialect allows: one on PostgreSQL (data-modifying `WITH`), one
   * after another on SQLite, where a statement is a function call, not a round trip.
   */
  writeTogether(tx: Transaction, queries: Array<Compilable | null>): Promise<void>;
  /** Adds `FOR UPDATE SKIP LOCKED` where the dialect has it (outbox claiming). */
  skipLocked<QB extends SelectQueryBuilder<Database, any, any>>(query: QB): QB;
  /** Committed changes from this process and, on PostgreSQL, from every process. */
  readonly changes: EventEmitter<{ change: [ChangeEvent] }>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = 'caseline_changes';

export interface OpenOptions {
  /** PostgreSQL: hear other processes' changes (LISTEN). Default true. */
  listen?: boolean;
  /** SQLite: WAL length, in pages, at which writes wait for a full checkpoint (see ./sqlite-checkpointer.ts). */
  checkpointFrames?: number;
  /**
   * SQLite: false for a second connection to a database whose first connection, in this
   * process, checkpoints it (the ingest thread's). It never checkpoints, not even SQLite's
   * automatic checkpoint at commit, which would block its thread. Default true.
   */
  checkpoints?: boolean;
}

export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Db> {
  return config.dialect === 'sqlite' ? openSqlite(config.path, options) : openPostgres(config.url, options.listen ?? true);
}

function openSqlite(path: string, options: OpenOptions): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (the WAL is written before commit
  // returns); only an operating-system crash or power loss can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // A 64 MiB page cache (the default is 2 MiB) keeps a large case base's indexes hot.
  sqlite.pragma('cache_size = -65536');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const changes = new EventEmitter<{ change: [ChangeEvent] }>();
  changes.setMaxListeners(0);
  if (options.checkpoints === false) sqlite.pragma('wal_autocheckpoint = 0');
  const checkpointer =
    path === ':memory:' || options.checkpoints === false
      ? null
      : startCheckpointer(sqlite, path, { restartFrames: options.checkpointFrames });
  const commits = groupCommit(kysely, changes, checkpointer);

  return {
    dialect: 'sqlite',
    kysely,
    changes,
    writeConcurrency: 1,
    transaction: commits.transaction,
    writeElsewhere: commits.writeElsewhere,
    async createOrganisation(tx, organisation) {
      await insertOrganisation(tx, organisation);
    },
    async nextCaseNumbers(tx, orgId, count) {
      const counter = await tx.db
        .updateTable('organisations')
        .set((eb) => ({ last_case_number: eb('last_case_number', '+', count) }))
        .where('id', '=', orgId)
        .returning('last_case_number')
        .executeTakeFirstOrThrow();
      const last = Number(counter.last_case_number);
      return Array.from({ length: count }, (_, i) => last - count + 1 + i);
    },
    async lockRoutingKeys() {},
    async writeTogether(tx, queries) {
      for (const query of queries) if (query) await tx.db.executeQuery(query.compile());
    },
    skipLocked: (query) => query,
    migrate: () => runMigrations(kysely, 'sqlite'),
    async close() {
      await checkpointer?.close();
      await kysely.destroy();
    },
  };
}

async function insertOrganisation(tx: Transaction, organisation: { id: string; name: string; createdAt: number }) {
  await tx.db
    .insertInto('organisations')
    .values({ id: organisation.id, name: organisation.name, last_case_number: 0, created_at: organisation.createdAt })
    .execute();
}

/** The PostgreSQL sequence that numbers an organisation's cases. */
export function caseNumberSequence(orgId: string): string {
  return `case_numbers_${orgId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/** How many transactions may share one SQLite commit. */
const GROUP_COMMIT_MAX = 64;

type QueuedWrite =
  | { kind: 'here'; fn: (tx: Transaction) => Promise<unknown>; resolve(value: unknown): void; reject(error: unknown): void }
  | {
      kind: 'elsewhere';
      write: () => Promise<{ value: unknown; events: ChangeEvent[] }>;
      resolve(value: unknown): void;
      reject(error: unknown): void;
    };

/**
 * SQLite transactions with group commit. SQLite has one writer, so transactions queue
 * anyway; those that queue up while one commit is being written run back to back in the
 * next `BEGIN IMMEDIATE … COMMIT`, each inside its own savepoint. Each one's outcome is
 * reported only after the commit that holds it: an acknowledged write is a committed write.
 * A transaction that throws is rolled back to its savepoint and leaves the others intact.
 * A write another connection makes (`writeElsewhere`) takes its turn in the same queue.
 */
function groupCommit(kysely: Executor, changes: EventEmitter<{ change: [ChangeEvent] }>, checkpointer: Checkpointer | null) {
  const queue: QueuedWrite[] = [];
  let running = false;

  async function commitHere(batch: Array<Extract<QueuedWrite, { kind: 'here' }>>): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown; events: ChangeEvent[] } | { ok: false; error: unknown }> = [];
    try {
      await kysely.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          for (const item of batch) {
            const events: ChangeEvent[] = [];
            await sql`savepoint caseline_tx`.execute(conn);
            try {
              const value = await item.fn({ db: conn, publish: (e) => events.push(e), forUpdate: (query) => query });
              await sql`release caseline_tx`.execute(conn);
              outcomes.push({ ok: true, value, events });
            } catch (error) {
              await sql`rollback to caseline_tx`.execute(conn);
              await sql`release caseline_tx`.execute(conn);
              outcomes.push({ ok: false, error });
            }
          }
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => {});
          throw error;
        }
      });
    } catch (error) {
      // The commit itself failed: nothing in the batch happened.
      for (const item of batch) item.reject(error);
      return;
    }
    checkpointer?.afterCommit();
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        item.reject(outcome.error);
        return;
      }
      for (const event of outcome.events) changes.emit('change', event);
      item.resolve(outcome.value);
    });
  }

  async function commitElsewhere(item: Extract<QueuedWrite, { kind: 'elsewhere' }>): Promise<void> {
    let outcome: { value: unknown; events: ChangeEvent[] };
    try {
      outcome = await item.write();
    } catch (error) {
      item.reject(error);
      return;
    }
    checkpointer?.afterCommit();
    for (const event of outcome.events) changes.emit('change', event);
    item.resolve(outcome.value);
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const first = queue[0]!;
        if (first.kind === 'elsewhere') {
          // Its batch gathered while the write before it ran: it starts at once, so the
          // other connection does not sit idle.
          queue.shift();
          await checkpointer?.beforeWrite();
          await commitElsewhere(first);
          continue;
        }
        // One turn of the event loop lets requests that are already in flight join this
        // commit instead of waiting for the next one.
        await new Promise((resolve) => setImmediate(resolve));
        await checkpointer?.beforeWrite();
        const elsewhere = queue.findIndex((item) => item.kind === 'elsewhere');
        const count = Math.min(elsewhere === -1 ? queue.length : elsewhere, GROUP_COMMIT_MAX);
        await commitHere(queue.splice(0, count) as Array<Extract<QueuedWrite, { kind: 'here' }>>);
      }
    } finally {
      running = false;
    }
  }

  const enqueue = (item: QueuedWrite) => {
    queue.push(item);
    if (!running) void drain();
  };

  return {
    transaction: <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => enqueue({ kind: 'here', fn, resolve: resolve, reject })),
    writeElsewhere: <T>(write: () => Promise<{ value: T; events: ChangeEvent[] }>): Promise<T> =>
      new Promise<T>((resolve, reject) => enqueue({ kind: 'elsewhere', write, resolve: resolve, reject })),
  };
}

/**
 * Kysely prepares every statement it runs; preparing costs more than running most of our
 * queries, so prepared statements are kept by SQL text and reused. Kysely runs each one to
 * completion before the next, so one statement is never in use twice at once.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string) => {
    let statement = statements.get(source);
    if (!statement) {
      if (statements.size >= 500) statements.clear();
      statement = sqlite.prepare(source);
      statements.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function openPostgres(url: string, listen: boolean): Promise<Db> {
  // bigint columns hold milliseconds and counters that fit in a double.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection that PostgreSQL closes (a restart, a terminated backend) is dropped
  // from the pool and replaced on next use; without a listener it would crash the process.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const changes = new EventEmitter<{ change: [ChangeEvent] }>();
  changes.setMaxListeners(0);
  const origin = randomUUID();
  const listener = listen ? await listenForChanges(url, origin, changes) : null;

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
        const value = await fn({
          db: trx,
          publish: (e) => pending.push(e),
          forUpdate: (query) => query.forUpdate() as typeof query,
        });
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
    async writeElsewhere(write) {
      const { value, events } = await write();
      for (const event of events) changes.emit('change', event);
      return value;
    },
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
    async writeTogether(tx, queries) {
      const compiled = queries.filter((q): q is Compilable => q !== null).map((q) => q.compile());
      if (compiled.length <= 1) {
        if (compiled[0]) await tx.db.executeQuery(compiled[0]);
        return;
      }
      await tx.db.executeQuery(combineWrites(compiled));
    },
    skipLocked: (query) => query.forUpdate().skipLocked() as typeof query,
    migrate: () => runMigrations(kysely, 'pg'),
    async close() {
      await listener?.stop();
      await kysely.destroy();
    },
  };
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

const MIGRATIONS: Record<string, (dialect: Dialect) => Migration> = {
  '001-initial': (dialect) => ({ up: (db) => initial.up(db, dialect), down: (db) => initial.down(db) }),
  '002-contact-activity-index': () => contactActivity,
  '003-leaner-indexes': (dialect) => ({ up: (db) => leanerIndexes.up(db, dialect), down: (db) => leanerIndexes.down(db, dialect) }),
  '004-fewer-record-indexes': () => fewerRecordIndexes,
  '005-hardening': (dialect) => ({ up: (db) => hardening.up(db, dialect), down: (db) => hardening.down(db, dialect) }),
};

async function runMigrations(kysely: Executor, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(dialect)]));
    },
  };
  const { error, results } = await new Migrator({ db: kysely, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error).message ?? error)}`);
  }
}
