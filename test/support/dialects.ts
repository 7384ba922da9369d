import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';

/**
 * Every integration test runs on every dialect (STYLE.md, after Kysely's own tests).
 * `CASELINE_TEST_DIALECTS=sqlite` or `=pg` narrows the run. Outside CI, PostgreSQL tests
 * are skipped with a notice when no server answers; with `CI=true` they are required.
 */
export type TestDialect = 'sqlite' | 'pg';

export const PG_ADMIN_URL = process.env.CASELINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const requested = (process.env.CASELINE_TEST_DIALECTS ?? 'sqlite,pg').split(',').map((d) => d.trim());

let pgReachable: boolean | null = null;
async function postgresReachable(): Promise<boolean> {
  if (pgReachable !== null) return pgReachable;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    pgReachable = true;
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required in CI but ${PG_ADMIN_URL} does not answer: ${(error as Error).message}`);
    }
    console.warn(`\n[caseline tests] PostgreSQL at ${PG_ADMIN_URL} does not answer: PostgreSQL tests are SKIPPED.\n`);
    pgReachable = false;
  } finally {
    await client.end().catch(() => {});
  }
  return pgReachable;
}

export const testDialects: TestDialect[] = (['sqlite', 'pg'] as const).filter((d) => requested.includes(d));
const pgAvailable = testDialects.includes('pg') ? await postgresReachable() : false;

/** `describe` once per dialect, named after it. */
export function describeEachDialect(name: string, body: (dialect: TestDialect) => void): void {
  for (const dialect of testDialects) {
    const run = dialect === 'sqlite' || pgAvailable ? describe : describe.skip;
    run(`${name} [${dialect}]`, () => body(dialect));
  }
}

export function describePostgres(name: string, body: () => void): void {
  const run = testDialects.includes('pg') && pgAvailable ? describe : describe.skip;
  run(`${name} [pg]`, body);
}

/** A fresh, empty database of the dialect, and a function that removes it. */
export async function freshDatabase(dialect: TestDialect, dir: string): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    return { config: { dialect: 'sqlite', path: `${dir}/caseline-${randomBytes(4).toString('hex')}.db` }, drop: async () => {} };
  }
  const name = `caseline_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    config: { dialect: 'pg', url: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/**
 * A fresh, migrated database of the dialect for the tests of one `describe`, in a scratch
 * folder of its own (`dir`): opened before them, closed and removed after them.
 */
export function scratchDatabase(
  dialect: TestDialect,
  prefix: string,
): { readonly db: Db; readonly dir: string; readonly config: DatabaseConfig } {
  let dir = '';
  let db: Db | null = null;
  let database: { config: DatabaseConfig; drop(): Promise<void> } | null = null;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    database = await freshDatabase(dialect, dir);
    db = await openDatabase(database.config, { listen: false });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get db() {
      if (!db) throw new Error('the scratch database is opened before the tests run');
      return db;
    },
    get dir() {
      return dir;
    },
    /** For a second connection to the same database. */
    get config() {
      if (!database) throw new Error('the scratch database is made before the tests run');
      return database.config;
    },
  };
}
