import type { Db, Executor, Transaction } from '../db/database.js';
import { findRecord, findRecordForChange, type RecordRow } from '../db/queries/records.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import type { Actor } from './context.js';
import { lockHeldError } from './record-store.js';

/**
 * Two cases of one person that a change joins (merge, move into an existing case): both of
 * the organisation, of one survey and one contact, locked for the transaction.
 */
export interface CasePair {
  source: RecordRow;
  target: RecordRow;
}

/**
 * Loads the cases, checks they are one person's in one survey, and locks them: first the
 * routing of that person (rule 7), as inbound storing does, so a message arriving meanwhile
 * is routed before or after the change and never to a case half merged; then both rows,
 * lower case number first, so two changes on the same pair never wait on each other.
 */
export async function lockCasePair(db: Db, tx: Transaction, orgId: string, sourceNumber: number, targetNumber: number): Promise<CasePair> {
  if (sourceNumber === targetNumber) throw validationFailed(`Case #${sourceNumber} cannot be joined with itself`, { field: 'toCase' });
  const [source, target] = [await findRecord(tx.db, orgId, sourceNumber), await findRecord(tx.db, orgId, targetNumber)];
  if (source.survey_id !== target.survey_id) {
    throw validationFailed(`Case #${targetNumber} belongs to another survey`, { field: 'toCase' });
  }
  if (!source.contact || source.contact !== target.contact) {
    throw validationFailed(`Case #${targetNumber} is another person's case`, { field: 'toCase' });
  }
  await db.lockRoutingKeys(tx, [`${source.survey_id}:${source.contact}`]);
  const [first, second] = sourceNumber < targetNumber ? [sourceNumber, targetNumber] : [targetNumber, sourceNumber];
  const locked = new Map<number, RecordRow>();
  for (const n of [first, second]) locked.set(n, await findRecordForChange(tx, orgId, n));
  return { source: locked.get(sourceNumber)!, target: locked.get(targetNumber)! };
}

/** The case that receives must be open and free, or held by the caller (DESIGN.md §7). */
export async function requireOpenAndFree(db: Executor, record: RecordRow, actor: Actor): Promise<void> {
  if (record.status === 'closed') {
    throw new DomainError('case_closed', `Case #${record.case_number} is closed; reopen it first to add to it`);
  }
  if (record.locked_by !== null && record.locked_by !== actor.userId) throw await lockHeldError(db, record);
}
