import type { Executor, Transaction } from '../database.js';
import type { RecordRow } from './records.js';

/** What auto-closing a case reads besides `timedCase` (src/db/queries/time-rules.ts). */

/** The record by id, locked against concurrent changes until the transaction ends; undefined when it is gone. */
export async function recordByIdForChange(tx: Transaction, recordId: string): Promise<RecordRow | undefined> {
  return tx.forUpdate(tx.db.selectFrom('records').selectAll().where('id', '=', recordId)).executeTakeFirst();
}

/** When the case was last reopened, or null if never. */
export async function lastReopenedAt(db: Executor, recordId: string): Promise<number | null> {
  const row = await db
    .selectFrom('history')
    .select((eb) => eb.fn.max<number | null>('created_at').as('at'))
    .where('record_id', '=', recordId)
    .where('action', '=', 'reopened')
    .executeTakeFirst();
  const at = row?.at ?? null;
  return at === null ? null : Number(at);
}
