import type { EventEmitter } from 'node:events';
import type { Compilable, Insertable, Kysely, RawBuilder, SelectQueryBuilder } from 'kysely';
import type { DatabaseConfig } from '../config.js';
import type { Dialect } from './dialect.js';
import type { ChangeEvent } from '../domain/change-events.js';
import type { Database } from './schema.js';
import type { SecondWriter } from './second-writer.js';

export { caseNumberSequence } from './postgres/case-numbers.js';

/**
 * The database module is the one that knows which database it is on (STYLE.md habit 3).
 * This file is its dialect-neutral face: the `Db` handle everything else speaks Kysely
 * through, and `openDatabase`. Each dialect's connection set-up, transactions, per-contact
 * routing lock, outbox claiming and change notifications live in ./sqlite/ and ./postgres/.
 */
export type Executor = Kysely<Database>;

/** A change published to listeners once the transaction that made it commits (src/domain/change-events.ts). */
export type { ChangeEvent };

export interface Transaction {
  readonly db: Executor;
  /** Publishes `event` if, and only if, the transaction commits. */
  publish(event: ChangeEvent): void;
  /**
   * Locks the selected rows until commit (`FOR UPDATE` on PostgreSQL). On SQLite the
   * transaction holds the database's write lock from its start, which covers every row.
   */
  forUpdate<QB extends SelectQueryBuilder<Database, keyof Database, unknown>>(query: QB): QB;
}

/**
 * Runs inside a write transaction just before it commits, with the changes the transaction
 * published: what it writes commits, or rolls back, with them (STYLE.md habit 4). It may
 * publish changes of its own; those are not shown to the hooks.
 */
export type BeforeCommitHook = (tx: Transaction, events: readonly ChangeEvent[]) => Promise<void>;

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
   * Adds `hook` to every transaction of this handle from now on. A second writer's connection
   * is a handle of its own: its entry module installs the hooks it needs there.
   */
  beforeCommit(hook: BeforeCommitHook): void;
  /**
   * A second writer for the writes of `entry` (see ./second-writer.ts), given `data`: on
   * SQLite with a database file, a thread with a connection of its own whose writes take
   * turns with this handle's transactions, so storing does not hold up this thread; null on
   * PostgreSQL, where this handle's transactions already run side by side, and in memory.
   * Closing the handle closes it.
   */
  openSecondWriter<In, Out>(entry: URL, data: unknown): SecondWriter<In, Out> | null;
  /**
   * Serialises routing per key — (survey, contact) — across processes (DESIGN.md §2 rule 7).
   * On PostgreSQL transaction-scoped advisory locks, taken in one order so two batches
   * never wait on each other in a circle; on SQLite the write lock that `BEGIN IMMEDIATE`
   * took already serialises every writer.
   */
  lockRoutingKeys(tx: Transaction, keys: string[]): Promise<void>;
  /**
   * Serialises auto-assignment per organisation across processes (DESIGN.md §7: never past
   * capacity), so each decision counts the open cases the previous one gave out. On
   * PostgreSQL a transaction-scoped advisory lock per organisation, taken in one order; not
   * a row lock on `organisations`, which every insert referencing it would queue behind. On
   * SQLite the write lock already serialises every writer. Take it after any row locks of
   * the transaction, and take no row lock after it but with SKIP LOCKED.
   */
  lockAssignments(tx: Transaction, orgIds: string[]): Promise<void>;
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
  /**
   * An insert of `rows` as one statement, for `writeTogether`; null when there are none.
   * Every row gives the same columns, and a column a row leaves out is null, not its
   * default. On PostgreSQL the rows travel as one JSON parameter, not a placeholder per
   * value: a batch of webhooks would otherwise send and parse thousands of them, and the
   * statement's text would differ with every batch size. On SQLite, where a statement is a
   * function call, a plain multi-row insert.
   */
  insertRows<T extends keyof Database>(tx: Transaction, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Compilable | null;
  /**
   * The aggregate giving the value below which `fraction` (0..1) of `value`'s values lie,
   * interpolated between neighbours: `percentile_cont` in each dialect's own spelling
   * (an ordered-set aggregate on PostgreSQL, SQLite's percentile extension).
   */
  percentileCont(value: RawBuilder<unknown>, fraction: number): RawBuilder<number | string | null>;
  /** Adds `FOR UPDATE SKIP LOCKED` where the dialect has it (outbox claiming). */
  skipLocked<QB extends SelectQueryBuilder<Database, keyof Database, unknown>>(query: QB): QB;
  /** Committed changes from this process and, on PostgreSQL, from every process. */
  readonly changes: EventEmitter<{ change: [ChangeEvent] }>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL: hear other processes' changes (LISTEN). Default true. */
  listen?: boolean;
  /** SQLite: WAL length, in pages, at which writes wait for a full checkpoint (see ./sqlite/checkpointer.ts). */
  checkpointFrames?: number;
  /**
   * SQLite: true for a second connection to a database whose first connection, in this
   * process, checkpoints it and syncs its commits to disk (a second writer's,
   * ./sqlite/second-writer.ts). It never checkpoints, not even SQLite's automatic checkpoint
   * at commit, which would block its thread, and its commits do not wait for the disk: the
   * first connection's process syncs them before they are acknowledged. Default false.
   */
  secondConnection?: boolean;
  /** SQLite: how long the checkpoint and second-writer threads are kept with nothing to do (./sqlite/idle-thread.ts). */
  threadQuietMs?: number;
}

export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Db> {
  // Each dialect's module (and its driver) loads only where it is used: a SQLite server
  // never holds PostgreSQL's client in memory, nor the other way round.
  if (config.dialect === 'sqlite') return (await import('./sqlite/open-sqlite.js')).openSqlite(config.path, options);
  return (await import('./postgres/open-postgres.js')).openPostgres(config.url, options.listen ?? true);
}
