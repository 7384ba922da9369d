import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type MigrationProvider,
  type SelectQueryBuilder,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Dialect } from './dialect.js';
import * as initial from './migrations/001-initial.js';
import type { Database } from './schema.js';

/**
 * The one module that knows which database it is on (STYLE.md habit 3): connection set-up,
 * transactions, the per-contact routing lock, outbox claiming and change notifications.
 * Everything else speaks Kysely through the `Db` handle.
 */
export type Executor = Kysely<Database>;

/** A change published to listeners once the transaction that made it commits. */
export interface ChangeEvent {
  type: 'record.created' | 'record.updated' | 'message.added' | 'message.status' | 'outbox.ready' | 'config.changed';
  orgId: string;
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
  /** Runs `fn` in one transaction that holds the write intent from its first statement. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Serialises routing per (survey, contact) across processes (DESIGN.md §2 rule 7). On
   * PostgreSQL a transaction-scoped advisory lock; on SQLite the write lock that
   * `BEGIN IMMEDIATE` took already serialises every writer.
   */
  lockRoutingKey(tx: Transaction, surveyId: string, contact: string): Promise<void>;
  /** Adds `FOR UPDATE SKIP LOCKED` where the dialect has it (outbox claiming). */
  skipLocked<QB extends SelectQueryBuilder<Database, any, any>>(query: QB): QB;
  /** Committed changes from this process and, on PostgreSQL, from every process. */
  readonly changes: EventEmitter<{ change: [ChangeEvent] }>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = 'caseline_changes';

export async function openDatabase(config: DatabaseConfig, options: { listen?: boolean } = {}): Promise<Db> {
  return config.dialect === 'sqlite' ? openSqlite(config.path) : openPostgres(config.url, options.listen ?? true);
}

function openSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (the WAL is written before commit
  // returns); only an operating-system crash or power loss can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const changes = new EventEmitter<{ change: [ChangeEvent] }>();
  changes.setMaxListeners(0);

  return {
    dialect: 'sqlite',
    kysely,
    changes,
    async transaction(fn) {
      const pending: ChangeEvent[] = [];
      // Kysely's SQLite driver hands out its single connection behind a mutex, so this
      // callback owns the database until it returns.
      const result = await kysely.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const value = await fn({ db: conn, publish: (e) => pending.push(e), forUpdate: (query) => query });
          await sql`commit`.execute(conn);
          return value;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      });
      for (const event of pending) changes.emit('change', event);
      return result;
    },
    async lockRoutingKey() {},
    skipLocked: (query) => query,
    migrate: () => runMigrations(kysely, 'sqlite'),
    async close() {
      await kysely.destroy();
    },
  };
}

async function openPostgres(url: string, listen: boolean): Promise<Db> {
  // bigint columns hold milliseconds and counters that fit in a double.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const changes = new EventEmitter<{ change: [ChangeEvent] }>();
  changes.setMaxListeners(0);
  const origin = randomUUID();
  const listener = listen ? await listenForChanges(url, origin, changes) : null;

  return {
    dialect: 'pg',
    kysely,
    changes,
    async transaction(fn) {
      const pending: ChangeEvent[] = [];
      const result = await kysely.transaction().execute(async (trx) => {
        const value = await fn({
          db: trx,
          publish: (e) => pending.push(e),
          forUpdate: (query) => query.forUpdate() as typeof query,
        });
        // NOTIFY is delivered at commit to every listening process; this process hears
        // its own changes at once below, and skips their echo.
        for (const event of pending) {
          await sql`select pg_notify(${CHANNEL}, ${JSON.stringify({ origin, event })})`.execute(trx);
        }
        return value;
      });
      for (const event of pending) changes.emit('change', event);
      return result;
    },
    async lockRoutingKey(tx, surveyId, contact) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`${surveyId}:${contact}`}, 0))`.execute(tx.db);
    },
    skipLocked: (query) => query.forUpdate().skipLocked() as typeof query,
    migrate: () => runMigrations(kysely, 'pg'),
    async close() {
      await listener?.stop();
      await kysely.destroy();
    },
  };
}

/** A dedicated connection that LISTENs and re-connects if PostgreSQL drops it. */
async function listenForChanges(url: string, origin: string, changes: EventEmitter<{ change: [ChangeEvent] }>) {
  let client: pg.Client | null = null;
  let stopped = false;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const notice = JSON.parse(msg.payload) as { origin: string; event: ChangeEvent };
      if (notice.origin !== origin) changes.emit('change', notice.event);
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
