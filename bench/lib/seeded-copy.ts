import pg from 'pg';
import { caseNumberSequence } from '../../src/db/database.js';
import type { BenchDatabase } from './databases.js';

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
