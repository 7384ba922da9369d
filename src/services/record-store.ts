import { newId } from './ids.js';
import type { Db, Executor, Transaction } from '../db/database.js';
import type { MessageStatus, RecordTable } from '../db/schema.js';
import { DomainError, notFound } from '../domain/errors.js';
import { caseStatus, reopenedStatus, type Answers } from '../domain/survey.js';
import type { MediaItem } from '../providers/provider.js';
import { addHistory, iso, type Actor } from './context.js';
import type { Survey } from './surveys.js';

/**
 * Reads and writes shared by the record use cases: finding a record in an organisation,
 * the lock check, creating a case with the next case number, linking messages, and the
 * record's public shape.
 */
export type RecordRow = RecordTable;

function selectRecord(db: Executor, orgId: string, caseNumber: number) {
  return db.selectFrom('records').selectAll().where('org_id', '=', orgId).where('case_number', '=', caseNumber);
}

export async function findRecord(db: Executor, orgId: string, caseNumber: number): Promise<RecordRow> {
  const row = await selectRecord(db, orgId, caseNumber).executeTakeFirst();
  if (!row) throw notFound(`Case #${caseNumber}`);
  return row;
}

/** The record, locked against concurrent changes until the transaction ends. */
export async function findRecordForChange(tx: Transaction, orgId: string, caseNumber: number): Promise<RecordRow> {
  const row = await tx.forUpdate(selectRecord(tx.db, orgId, caseNumber)).executeTakeFirst();
  if (!row) throw notFound(`Case #${caseNumber}`);
  return row;
}

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
  const holder = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', '=', record.locked_by ?? '')
    .executeTakeFirst();
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

export interface MessageView {
  id: string;
  direction: 'in' | 'out';
  text: string;
  media: MediaItem[];
  at: string;
  channel: string;
  status: MessageStatus;
  error: { code: string | null; message: string } | null;
  author: { id: string; name: string } | null;
  /** The case number an outbound message carries at its end (` #n`). */
  reference: number | null;
}

const OUTBOUND_REFERENCE = / #(\d+)$/;

interface MessageViewRow {
  id: string;
  direction: 'in' | 'out';
  body: string;
  media: string;
  created_at: number;
  channel: string;
  status: MessageStatus;
  error_code: string | null;
  error_text: string | null;
  author_id: string | null;
  author_name: string | null;
}

export function messageView(row: MessageViewRow): MessageView {
  const reference = row.direction === 'out' ? OUTBOUND_REFERENCE.exec(row.body) : null;
  return {
    id: row.id,
    direction: row.direction,
    text: row.body,
    media: JSON.parse(row.media) as MediaItem[],
    at: iso(row.created_at)!,
    channel: row.channel,
    status: row.status,
    error:
      row.error_code || row.error_text ? { code: row.error_code, message: row.error_text ?? `Provider error ${row.error_code}` } : null,
    author: row.author_id ? { id: row.author_id, name: row.author_name ?? '' } : null,
    reference: reference ? Number(reference[1]) : null,
  };
}

/** The messages of a record, newest first from the database, `limit` of them. */
export function selectRecordMessages(db: Executor, recordId: string) {
  return db
    .selectFrom('record_messages as rm')
    .innerJoin('messages as m', 'm.id', 'rm.message_id')
    .innerJoin('numbers as n', 'n.id', 'm.number_id')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select([
      'm.id',
      'm.direction',
      'm.body',
      'm.media',
      'm.created_at',
      'n.channel',
      'm.status',
      'm.error_code',
      'm.error_text',
      'm.author_id',
      'u.name as author_name',
      'rm.added_at',
    ])
    .where('rm.record_id', '=', recordId);
}
