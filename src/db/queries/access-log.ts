import type { Executor } from '../database.js';
import { decodeCursor } from './record-list.js';

/** Who read, in which organisation, and when. */
export interface AccessReader {
  orgId: string;
  userId: string;
  at: number;
}

/** One read of a case: its id and number are found by number in the reader's organisation, in the insert itself. */
export async function insertCaseRead(db: Executor, id: string, reader: AccessReader, caseNumber: number): Promise<void> {
  await db
    .insertInto('access_log')
    .values((eb) => ({
      id,
      org_id: reader.orgId,
      user_id: reader.userId,
      record_id: eb.selectFrom('records').select('id').where('org_id', '=', reader.orgId).where('case_number', '=', caseNumber).limit(1),
      case_number: caseNumber,
      kind: 'record' as const,
      subject_id: null,
      at: reader.at,
    }))
    .execute();
}

/** The case a media item's message belongs to in the reader's organisation, if any, for the one insert below. */
function caseOfMedia(db: Executor, orgId: string, mediaId: string) {
  return db
    .selectFrom('media as md')
    .innerJoin('record_messages as rm', 'rm.message_id', 'md.message_id')
    .innerJoin('records as r', 'r.id', 'rm.record_id')
    .where('md.id', '=', mediaId)
    .where('md.org_id', '=', orgId)
    .where('r.org_id', '=', orgId)
    .orderBy('r.case_number')
    .limit(1);
}

/** One read of a media item, with the case its message belongs to (none for an upload not yet sent). */
export async function insertMediaRead(db: Executor, id: string, reader: AccessReader, mediaId: string): Promise<void> {
  await db
    .insertInto('access_log')
    .values(() => ({
      id,
      org_id: reader.orgId,
      user_id: reader.userId,
      record_id: caseOfMedia(db, reader.orgId, mediaId).select('r.id'),
      case_number: caseOfMedia(db, reader.orgId, mediaId).select('r.case_number'),
      kind: 'media' as const,
      subject_id: mediaId,
      at: reader.at,
    }))
    .execute();
}

/** Whether this user's read of this media item was logged at or after `since`; read along `access_log_user`. */
export async function mediaReadSince(db: Executor, reader: Omit<AccessReader, 'at'>, mediaId: string, since: number): Promise<boolean> {
  const row = await db
    .selectFrom('access_log')
    .select('id')
    .where('org_id', '=', reader.orgId)
    .where('user_id', '=', reader.userId)
    .where('at', '>=', since)
    .where('kind', '=', 'media')
    .where('subject_id', '=', mediaId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Rows of an export's reads: one per case it holds, or one naming no case when it holds none. */
export interface ExportReadRow {
  id: string;
  recordId: string | null;
  caseNumber: number | null;
}

export async function insertExportReads(db: Executor, reader: AccessReader, exportId: string, rows: ExportReadRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('access_log')
    .values(
      rows.map((row) => ({
        id: row.id,
        org_id: reader.orgId,
        user_id: reader.userId,
        record_id: row.recordId,
        case_number: row.caseNumber,
        kind: 'export' as const,
        subject_id: exportId,
        at: reader.at,
      })),
    )
    .execute();
}

export interface AccessLogFilter {
  userId?: string;
  caseNumber?: number;
  /** Inclusive, epoch milliseconds. */
  from?: number;
  /** Exclusive, epoch milliseconds. */
  to?: number;
  cursor?: string;
}

/**
 * One page of the organisation's access log, newest first (`at`, then `id`), with the
 * reader's name; keyset pages along `access_log_org`, or the user or case index when filtered.
 */
export function accessLogPageQuery(db: Executor, orgId: string, filter: AccessLogFilter, limit: number) {
  let q = db
    .selectFrom('access_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.id', 'a.at', 'a.user_id', 'u.name as user_name', 'a.case_number', 'a.kind'])
    .where('a.org_id', '=', orgId);
  if (filter.userId !== undefined) q = q.where('a.user_id', '=', filter.userId);
  if (filter.caseNumber !== undefined) q = q.where('a.case_number', '=', filter.caseNumber);
  if (filter.from !== undefined) q = q.where('a.at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('a.at', '<', filter.to);
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor);
    q = q.where((eb) => eb.or([eb('a.at', '<', at), eb.and([eb('a.at', '=', at), eb('a.id', '<', id)])]));
  }
  return q.orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(limit);
}

export type AccessLogRow = Awaited<ReturnType<ReturnType<typeof accessLogPageQuery>['execute']>>[number];
