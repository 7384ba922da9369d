import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';

/**
 * Databases for benchmark runs: a fresh empty one, or a copy of a seeded one (a file copy
 * on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), removed after the run.
 */
export type BenchDialect = 'sqlite' | 'pg';

export const PG_ADMIN_URL =
  process.env.CASELINE_BENCH_PG_URL ?? process.env.CASELINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  dialect: BenchDialect;
  /** What `DATABASE_URL` is set to for the server. */
  url: string;
  config: DatabaseConfig;
  /** A scratch folder for the server's data directory (and the SQLite file). */
  dir: string;
  drop(): Promise<void>;
}

export function pgUrlFor(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function pgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new database; `from` names a seeded SQLite file or PostgreSQL template to copy. */
export async function createBenchDatabase(dialect: BenchDialect, from?: string): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'caseline-bench-'));
  if (dialect === 'sqlite') {
    const path = join(dir, 'caseline.db');
    if (from) copyFileSync(from, path);
    return {
      dialect,
      url: `sqlite:${path}`,
      config: { dialect: 'sqlite', path },
      dir,
      drop() {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `caseline_bench_${randomBytes(5).toString('hex')}`;
  await pgAdmin((client) => client.query(from ? `create database ${name} template ${from} strategy file_copy` : `create database ${name}`));
  const url = pgUrlFor(name);
  return {
    dialect,
    url,
    config: { dialect: 'pg', url },
    dir,
    async drop() {
      await pgAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ensureDir(path: string): string {
  if (!existsSync(path)) mkdirSync(path, { recursive: true });
  return path;
}
