import pg from 'pg';
import { caseNumberSequence } from '../../src/db/database.js';
import type { Seed } from '../seed.js';
import { createBenchDatabase, type BenchDatabase, type BenchDialect } from './databases.js';
import { round } from './load.js';

/**
 * Brings a copy of a seeded database in line with what the current code expects of
 * rows written behind its back: on PostgreSQL, case numbers come from a sequence per
 * organisation, which must continue after the seeded cases. (Kept apart from seed.ts, whose
 * content keys the seed cache, so a change here does not force a new seed.)
 */
export async function prepareSeededCopy(database: BenchDatabase, orgId: string, cases: number): Promise<void> {
  if (database.config.dialect !== 'pg') return;
  const client = new pg.Client({ connectionString: database.config.url });
  await client.connect();
  try {
    const sequence = caseNumberSequence(orgId);
    await client.query(`create sequence if not exists "${sequence}"`);
    await client.query('select setval($1::regclass, $2)', [sequence, cases]);
  } finally {
    await client.end();
  }
}

/** A fresh copy of a seed, ready for the current code, and how long copying it took; dropped again if preparing it fails. */
export async function copySeed(dialect: BenchDialect, seed: Seed): Promise<{ database: BenchDatabase; copySeconds: number }> {
  const started = performance.now();
  const database = await createBenchDatabase(dialect, seed.source);
  try {
    await prepareSeededCopy(database, seed.meta.orgId, seed.meta.cases);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return { database, copySeconds: round((performance.now() - started) / 1000) };
}
