import { threadId } from 'node:worker_threads';
import type { OpenWriter } from '../../src/db/second-writer.js';

/**
 * A second-writer entry for test/integration/idle-threads.test.ts: stores a row and answers
 * with the id of the thread that stored it, so a test sees when a new thread took over.
 */
export const openWriter: OpenWriter<{ id: string }, number> =
  (db) =>
  async ({ id }) =>
    db.transaction(async (tx) => {
      await tx.db.insertInto('organisations').values({ id, name: id, last_case_number: 0, created_at: 0 }).execute();
      return threadId;
    });
