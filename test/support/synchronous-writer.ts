import { sql } from 'kysely';
import type { OpenWriter } from '../../src/db/second-writer.js';

/**
 * A second-writer entry for test/integration/durable-commits.test.ts: one transaction that
 * writes a row and reports the `synchronous` level of the connection that commits it, the
 * same kind of connection the ingest thread stores its batches on.
 */
export const openWriter: OpenWriter<{ id: string }, number> =
  (db) =>
  async ({ id }) =>
    db.transaction(async (tx) => {
      await tx.db.insertInto('organisations').values({ id, name: id, last_case_number: 0, created_at: 0 }).execute();
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(tx.db);
      return rows[0]!.synchronous;
    });
