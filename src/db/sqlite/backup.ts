import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import type { DatabaseConfig } from '../../config.js';
import { openDatabase } from '../database.js';

/**
 * `caseline backup` and `caseline restore` for SQLite (DESIGN.md §12). PostgreSQL has its
 * own tools (pg_dump, pg_restore), so both refuse it and say so.
 */
export class BackupRefused extends Error {
  override name = 'BackupRefused';
}

export interface BackupResult {
  path: string;
  pages: number;
  bytes: number;
  /** How often the server's commits made SQLite start the copy over. */
  restarts: number;
}

export interface RestoreResult {
  path: string;
  /** Where the database that was replaced is kept; null when there was none. */
  keptAs: string | null;
}

/** Tables every Caseline database has since its first migration. */
const CASELINE_TABLES = ['kysely_migration', 'organisations', 'users', 'surveys', 'numbers', 'records', 'messages'];

/** How long restore waits for a lock before taking the database to be in use. */
const IN_USE_TIMEOUT_MS = 200;

/** The whole database in one step of SQLite's backup API. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies a serving SQLite database with SQLite's online backup: consistent (one snapshot,
 * with every transaction committed before it and none after), while the server goes on
 * writing. The copy is written beside `destination` and renamed into place once complete
 * and checked, so a file named as a backup is always a whole one.
 */
export async function backupSqlite(
  database: DatabaseConfig,
  destination: string,
  options: { force?: boolean; pagesPerStep?: number } = {},
): Promise<BackupResult> {
  const source = sqlitePath(database, 'backup', 'pg_dump -Fc');
  const target = resolve(destination);
  if (!existsSync(source)) throw new BackupRefused(`there is no database at ${source}`);
  if (target === source) throw new BackupRefused('the backup must go to another file than the database');
  if (existsSync(target) && !options.force) throw new BackupRefused(`${target} exists: choose another file, or pass --force to replace it`);
  if (!existsSync(dirname(target))) throw new BackupRefused(`the folder ${dirname(target)} does not exist`);

  const partial = `${target}.partial-${process.pid}`;
  removeDatabaseFiles(partial);
  const connection = new SqliteDatabase(source, { fileMustExist: true });
  connection.pragma('busy_timeout = 5000');
  let restarts = 0;
  try {
    // SQLite copies a few pages per step, and starts over when another connection commits
    // between two steps; under steady ingest that could go on for ever. After the first
    // restart the rest is copied in one step: one read transaction, which in WAL mode
    // never blocks the server's writes (they wait in the WAL until it ends).
    let remaining = Infinity;
    const { totalPages } = await connection.backup(partial, {
      progress: ({ remainingPages }) => {
        if (remainingPages >= remaining) restarts += 1;
        remaining = remainingPages;
        return restarts > 0 ? ALL_PAGES : (options.pagesPerStep ?? 1024);
      },
    });
    const problem = checkIntegrity(partial, 'quick_check');
    if (problem) throw new Error(`the copy failed SQLite's quick check: ${problem}`);
    renameSync(partial, target);
    return { path: target, pages: totalPages, bytes: statSync(target).size, restarts };
  } finally {
    connection.close();
    removeDatabaseFiles(partial);
  }
}

/**
 * Puts a backup in the place of the configured database, with the server stopped. The
 * backup is copied beside the database and checked there first (a SQLite file, intact,
 * Caseline's tables, no migration this code does not know), so a bad file changes nothing.
 * The database it replaces is kept as `<name>.before-restore-<time>`.
 */
export async function restoreSqlite(database: DatabaseConfig, backup: string, options: { now?: Date } = {}): Promise<RestoreResult> {
  const target = sqlitePath(database, 'restore', 'pg_restore');
  const source = resolve(backup);
  if (!existsSync(source)) throw new BackupRefused(`there is no file ${source}`);
  if (source === target) throw new BackupRefused(`${source} is the database itself: restore from a backup file`);
  mkdirSync(dirname(target), { recursive: true });

  const staged = `${target}.restoring-${process.pid}`;
  removeDatabaseFiles(staged);
  try {
    copyFileSync(source, staged);
    await checkCaselineBackup(staged, source);
    let keptAs: string | null = null;
    if (existsSync(target)) {
      foldWalWhileUnused(target);
      keptAs = `${target}.before-restore-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, keptAs);
    }
    // After the fold, these belong to the database just moved aside; left here, SQLite
    // would try to read them as the restored database's.
    removeDatabaseFiles(target);
    renameSync(staged, target);
    return { path: target, keptAs };
  } finally {
    removeDatabaseFiles(staged);
  }
}

function sqlitePath(database: DatabaseConfig, command: string, postgresTool: string): string {
  if (database.dialect === 'pg') {
    throw new BackupRefused(`${command} works on SQLite databases; for PostgreSQL use ${postgresTool} (see the README)`);
  }
  if (database.path === ':memory:') throw new BackupRefused(`an in-memory database has nothing to ${command}`);
  return resolve(database.path);
}

/** Null when SQLite finds the file sound, else its first complaint. */
function checkIntegrity(path: string, check: 'quick_check' | 'integrity_check'): string | null {
  const connection = new SqliteDatabase(path, { fileMustExist: true });
  try {
    const rows = connection.pragma(check, { simple: false }) as Record<string, string>[];
    const first = rows.map((row) => Object.values(row)[0]).find((message) => message !== 'ok');
    return first ?? null;
  } finally {
    connection.close();
  }
}

async function checkCaselineBackup(staged: string, named: string): Promise<void> {
  let problem: string | null;
  try {
    problem = checkIntegrity(staged, 'integrity_check');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new BackupRefused(`${named} is not a SQLite database`);
    throw error;
  }
  if (problem) throw new BackupRefused(`${named} fails SQLite's integrity check: ${problem}`);

  const connection = new SqliteDatabase(staged, { fileMustExist: true });
  try {
    const tables = new Set(connection.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[]);
    const missing = CASELINE_TABLES.filter((table) => !tables.has(table));
    if (missing.length > 0) throw new BackupRefused(`${named} is not a Caseline database (it has no ${missing.join(', ')} table)`);
    const applied = connection.prepare('select name from kysely_migration').pluck().all() as string[];
    const known = new Set(await migrationsOfThisCode());
    const newer = applied.filter((name) => !known.has(name));
    if (newer.length > 0) {
      throw new BackupRefused(`${named} was written by a newer Caseline (migration ${newer.join(', ')}): upgrade this installation first`);
    }
  } finally {
    connection.close();
  }
}

/** The migrations this code knows: those it applies to an empty database. */
async function migrationsOfThisCode(): Promise<string[]> {
  const db = await openDatabase({ dialect: 'sqlite', path: ':memory:' });
  try {
    await db.migrate();
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db.kysely);
    return rows.map((row) => row.name);
  } finally {
    await db.close();
  }
}

/**
 * Takes the database's write lock in exclusive locking mode, which SQLite grants only when
 * no other connection has the file open — a serving Caseline always holds its connections
 * open — then copies the WAL's committed transactions into the file, so the file moved
 * aside is whole by itself.
 */
function foldWalWhileUnused(path: string): void {
  const connection = new SqliteDatabase(path, { fileMustExist: true });
  try {
    connection.pragma(`busy_timeout = ${IN_USE_TIMEOUT_MS}`);
    connection.pragma('locking_mode = EXCLUSIVE');
    try {
      connection.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new BackupRefused(`${path} is in use: stop the Caseline server (and anything else that has it open), then restore`);
    }
    connection.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    connection.close();
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}
