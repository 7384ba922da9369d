import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { BeforeCommitHook, ChangeEvent, Db, OpenOptions } from '../database.js';
import type { SecondWriter } from '../second-writer.js';
import { runMigrations } from '../migrate.js';
import { insertOrganisation } from '../organisations.js';
import type { Database } from '../schema.js';
import { startCheckpointer } from './checkpointer.js';
import { groupCommit } from './group-commit.js';
import { startSecondWriter } from './second-writer.js';
import { walSync } from './wal-sync.js';

/** SQLite: one connection, one writer; see ./group-commit.ts for how transactions share commits. */
export function openSqlite(path: string, options: OpenOptions): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: every commit's WAL frames reach the disk before the commit returns, so what a
  // webhook's answer acknowledges survives a power cut, as on PostgreSQL. (NORMAL alone would
  // survive only a crash of the process.) Group commit shares one sync among a batch.
  // A second connection commits with NORMAL, and this process syncs its commits in the
  // background before acknowledging them (./wal-sync.ts), so its thread goes on to the next
  // write while the disk catches up.
  sqlite.pragma(options.secondConnection ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // What retention and erasure remove is overwritten in the file, not left in free space for
  // a copy of the file to give away (DESIGN.md §9). Deletes on this connection are few and
  // small (finished jobs, redactions); the ingest thread only inserts.
  sqlite.pragma('secure_delete = ON');
  // 4 MiB of page cache per connection (the default is 2 MiB) holds the pages every write
  // touches (the tables' and indexes' last pages, the upper levels of the indexes). Each
  // connection keeps its own copy of every page it reads, up to this size, for as long as it
  // is open; the operating system caches the file once for all of them, so a page missed
  // here is a copy from memory, not a disk read.
  sqlite.pragma('cache_size = -4096');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const changes = new EventEmitter<{ change: [ChangeEvent] }>();
  changes.setMaxListeners(0);
  if (options.secondConnection) sqlite.pragma('wal_autocheckpoint = 0');
  const checkpointer =
    path === ':memory:' || options.secondConnection
      ? null
      : startCheckpointer(sqlite, path, { restartFrames: options.checkpointFrames, quietMs: options.threadQuietMs });
  const secondWriters = new Set<SecondWriter<unknown, unknown>>();
  const hooks: BeforeCommitHook[] = [];
  const syncs = path === ':memory:' || options.secondConnection ? null : walSync(`${path}-wal`);
  const commits = groupCommit(kysely, changes, checkpointer, syncs, hooks);

  return {
    dialect: 'sqlite',
    kysely,
    changes,
    writeConcurrency: 1,
    transaction: commits.transaction,
    beforeCommit: (hook) => void hooks.push(hook),
    openSecondWriter<In, Out>(entry: URL, data: unknown) {
      if (path === ':memory:') return null;
      const writer = startSecondWriter<In, Out>(
        commits.writeElsewhere,
        { path, entry: entry.href, data },
        { quietMs: options.threadQuietMs },
      );
      secondWriters.add(writer);
      return writer;
    },
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
    async lockAssignments() {},
    async writeTogether(tx, queries) {
      for (const query of queries) if (query) await tx.db.executeQuery(query.compile());
    },
    insertRows: (tx, table, rows) => (rows.length === 0 ? null : tx.db.insertInto(table).values(rows)),
    percentileCont: (value, fraction) => sql<number | null>`percentile_cont(${value}, ${sql.lit(fraction)})`,
    skipLocked: (query) => query,
    migrate: () => runMigrations(kysely, 'sqlite'),
    async close() {
      await Promise.all([...secondWriters].map((writer) => writer.close()));
      await checkpointer?.close();
      await syncs?.close();
      await kysely.destroy();
    },
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
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}
