import { newId } from './ids.js';
import type { Db, Executor, Transaction } from '../db/database.js';
import { personOf, type RecordRow } from '../db/queries/records.js';
import { DomainError } from '../domain/errors.js';
import { caseStatus, reopenedStatus, type Answers } from '../domain/survey.js';
import { addHistory, type Actor } from './context.js';
import type { Survey } from './surveys.js';

/**
 * Rules and writes shared by the record use cases: the lock and version checks, creating a
 * case with the next case number, and linking messages. Reads are in src/db/queries.
 */
export type { RecordRow };

/** Only the holder of the lock may change a case (DESIGN.md §1 "lock"). */
export async function requireLock(db: Executor, record: RecordRow, actor: Actor): Promise<void> {
  if (record.locked_by === actor.userId) return;
  if (record.locked_by === null) {
    throw new DomainError('lock_required', `Lock case #${record.case_number} for editing first`);
  }
  throw await lockHeldError(db, record);
}

/**
 * A write based on an older reading of the case is refused rather than undoing what changed
 * since (DESIGN.md §13 "stale writes"); without `expected` the write applies to the current case.
 */
export function requireVersion(record: RecordRow, expected: number | undefined): void {
  if (expected === undefined || expected === Number(record.version)) return;
  throw new DomainError(
    'stale_record',
    `Case #${record.case_number} has changed since it was loaded (its answers or status were saved meanwhile); load it again and redo the change`,
    { version: Number(record.version) },
  );
}

export async function lockHeldError(db: Executor, record: RecordRow): Promise<DomainError> {
  const holder = await personOf(db, record.locked_by);
  return new DomainError('lock_held', `Case #${record.case_number} is locked by ${holder?.name ?? 'another user'}`, {
    lockedBy: holder ?? null,
  });
}

/** Answers a brand-new case starts with: the contact, and the first non-final status. */
export function initialAnswers(survey: Survey, theirNumberQuestion: string | null, contact: string | null): Answers {
  const answers: Answers = {};
  if (theirNumberQuestion && contact) answers[theirNumberQuestion] = contact;
  if (survey.caseManagement) answers[survey.caseManagement.statusQuestion] = reopenedStatus(survey);
  return answers;
}

/**
 * Creates a record with the organisation's next case number, its `created` history entry
 * and any `moreHistory` of the same moment, in the caller's transaction.
 */
export async function createRecord(
  db: Db,
  tx: Transaction,
  input: {
    orgId: string;
    survey: Survey;
    contact: string | null;
    numberId: string | null;
    answers: Answers;
    userId: string | null;
    at: number;
    /** When the case starts waiting for an answer (DESIGN.md §7); null when it does not. */
    waitingSince?: number | null;
    historyDetail?: Record<string, unknown>;
    moreHistory?: Array<{ action: string; detail?: Record<string, unknown> }>;
  },
): Promise<RecordRow> {
  const [caseNumber] = await db.nextCaseNumbers(tx, input.orgId, 1);
  const status = caseStatus(input.survey.caseManagement, input.answers);
  const row: RecordRow = {
    id: newId(),
    org_id: input.orgId,
    survey_id: input.survey.id,
    case_number: caseNumber!,
    contact: input.contact,
    number_id: input.numberId,
    answers: JSON.stringify(input.answers),
    status,
    locked_by: null,
    locked_at: null,
    version: 0,
    created_at: input.at,
    updated_at: input.at,
    closed_at: status === 'closed' ? input.at : null,
    waiting_since: input.waitingSince ?? null,
    redacted_at: null,
    first_response_at: null,
    first_response_ms: null,
    first_response_by: null,
  };
  await tx.db.insertInto('records').values(row).execute();
  const entries = [{ action: 'created', detail: input.historyDetail }, ...(input.moreHistory ?? [])];
  await addHistory(
    tx.db,
    entries.map((e) => ({ recordId: row.id, userId: input.userId, action: e.action, detail: e.detail, at: input.at })),
  );
  return row;
}

/** Adds a message to one or more records' conversations. */
export async function linkMessage(db: Executor, recordIds: string[], messageId: string, at: number): Promise<void> {
  if (recordIds.length === 0) return;
  await db
    .insertInto('record_messages')
    .values(recordIds.map((recordId) => ({ record_id: recordId, message_id: messageId, added_at: at })))
    .execute();
}
