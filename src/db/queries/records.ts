import { DomainError, notFound } from '../../domain/errors.js';
import type { Executor, Transaction } from '../database.js';
import type { RecordTable } from '../schema.js';

/** Finding a record of an organisation by its case number, to read or to change. */
export type RecordRow = RecordTable;

function selectRecord(db: Executor, orgId: string, caseNumber: number) {
  return db.selectFrom('records').selectAll().where('org_id', '=', orgId).where('case_number', '=', caseNumber);
}

export async function findRecord(db: Executor, orgId: string, caseNumber: number): Promise<RecordRow> {
  const row = await selectRecord(db, orgId, caseNumber).executeTakeFirst();
  if (!row) throw notFound(`Case #${caseNumber}`);
  return row;
}

/** The record, locked against concurrent changes until the transaction ends; a redacted one is refused (409 `case_redacted`). */
export async function findRecordForChange(tx: Transaction, orgId: string, caseNumber: number): Promise<RecordRow> {
  const row = await tx.forUpdate(selectRecord(tx.db, orgId, caseNumber)).executeTakeFirst();
  if (!row) throw notFound(`Case #${caseNumber}`);
  // What is left of a redacted case is its outline for reports: no one writes into it again.
  if (row.redacted_at !== null) throw new DomainError('case_redacted', `Case #${caseNumber} was emptied for privacy and cannot be changed`);
  return row;
}

/** A user's id and name, as records show who holds them; null for none. */
export async function personOf(db: Executor, userId: string | null): Promise<{ id: string; name: string } | null> {
  if (!userId) return null;
  return (await db.selectFrom('users').select(['id', 'name']).where('id', '=', userId).executeTakeFirst()) ?? null;
}
