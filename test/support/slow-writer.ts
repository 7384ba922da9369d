import { randomUUID } from 'node:crypto';
import type { OpenWriter } from '../../src/db/second-writer.js';

/**
 * A second-writer entry for test/integration/ingest-thread.test.ts: one transaction that
 * writes a row and then keeps the write lock for `ms`, as a large inbound batch would.
 */
export const openWriter: OpenWriter<{ ms: number }, null> =
  (db) =>
  async ({ ms }) =>
    db.transaction(async (tx) => {
      const id = `slow-${randomUUID()}`;
      await tx.db.insertInto('organisations').values({ id, name: id, last_case_number: 0, created_at: 0 }).execute();
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // Busy on purpose: the thread holds its write transaction open.
      }
      return null;
    });
