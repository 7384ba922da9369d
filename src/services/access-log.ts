import type { AccessLogPage, AccessLogQuery } from '../contract/index.js';
import {
  accessLogPageQuery,
  insertCaseRead,
  insertExportReads,
  insertMediaRead,
  mediaReadSince,
  type AccessLogRow,
} from '../db/queries/access-log.js';
import { encodeCursor } from '../db/queries/record-list.js';
import { validationFailed } from '../domain/errors.js';
import { iso, requireAdmin, type Actor, type ServiceContext } from './context.js';
import { newId } from './ids.js';

const PAGE = 50;

/**
 * A player asks for one video or voice note in many byte ranges, and a browser asks again
 * for a picture it still holds (304): reads of the same item by the same user this close to
 * the last logged one are the same read.
 */
export const MEDIA_READ_WINDOW_MS = 60_000;

/** The cases an access export holds, as `exportRead` names them. */
export interface ExportedCase {
  recordId: string;
  caseNumber: number;
}

function entryView(row: AccessLogRow) {
  return {
    at: iso(Number(row.at)) as string,
    userId: row.user_id,
    userName: row.user_name ?? null,
    caseNumber: row.case_number === null ? null : Number(row.case_number),
    kind: row.kind,
  };
}

function epochOf(time: string | undefined, name: string): number | undefined {
  if (time === undefined) return undefined;
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) throw validationFailed(`${name} must be a date and time`);
  return ms;
}

/**
 * The access log (DESIGN.md §9): who read which case, media item or export, and when.
 * Routes call the `…Read` functions once a read has succeeded, so a refused or missing
 * case is never logged; a row holds ids, a case number, a kind and a time only, never the
 * search or query string that led to the case. A read whose row cannot be written fails
 * rather than go unrecorded.
 */
export function createAccessLogService(ctx: ServiceContext) {
  const { db } = ctx;
  const reader = (actor: Actor) => ({ orgId: actor.orgId, userId: actor.userId, at: ctx.now() });

  return {
    /** A read of a case: its view, its older messages, its notes or its history. */
    async caseRead(actor: Actor, caseNumber: number): Promise<void> {
      const who = reader(actor);
      await insertCaseRead(db.kysely, newId(who.at), who, caseNumber);
    },

    /** A read of a media item's bytes (whole, a range, or confirmed unchanged), once per item and user a minute. */
    async mediaRead(actor: Actor, mediaId: string): Promise<void> {
      const who = reader(actor);
      if (await mediaReadSince(db.kysely, who, mediaId, who.at - MEDIA_READ_WINDOW_MS)) return;
      await insertMediaRead(db.kysely, newId(who.at), who, mediaId);
    },

    /**
     * An access export handed to an admin (the export itself is built elsewhere): one row per
     * case it holds, all naming `exportId`, so a case's log shows it; one row of no case when it
     * holds none. `exportId` names the export, never the person it is about.
     */
    async exportRead(actor: Actor, exportId: string, cases: readonly ExportedCase[]): Promise<void> {
      const who = reader(actor);
      const rows =
        cases.length === 0
          ? [{ id: newId(who.at), recordId: null, caseNumber: null }]
          : cases.map((c) => ({ id: newId(who.at), recordId: c.recordId, caseNumber: c.caseNumber }));
      await insertExportReads(db.kysely, who, exportId, rows);
    },

    /** `GET /audit/access` (admin): the organisation's reads, newest first, a page at a time. */
    async list(actor: Actor, query: AccessLogQuery): Promise<AccessLogPage> {
      requireAdmin(actor);
      const limit = query.limit ?? PAGE;
      const filter = {
        userId: query.userId,
        caseNumber: query.caseNumber,
        from: epochOf(query.from, 'from'),
        to: epochOf(query.to, 'to'),
        cursor: query.cursor,
      };
      const rows = await accessLogPageQuery(db.kysely, actor.orgId, filter, limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(entryView),
        nextCursor: rows.length > limit && last ? encodeCursor(Number(last.at), last.id) : null,
      };
    },
  };
}

export type AccessLogService = ReturnType<typeof createAccessLogService>;
