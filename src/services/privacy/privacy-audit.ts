import type { PrivacyAuditPage, PrivacyAuditQuery } from '../../contract/index.js';
import type { Executor } from '../../db/database.js';
import { insertPrivacyAudit, privacyAuditPageQuery } from '../../db/queries/privacy-audit.js';
import { encodeCursor } from '../../db/queries/record-list.js';
import type { PrivacyAction } from '../../db/schema.js';
import { iso, requireAdmin, type Actor, type ServiceContext } from '../context.js';
import { newId } from '../ids.js';

const PAGE = 50;

/**
 * The privacy audit trail (DESIGN.md §9): every erasure, access export and retention run,
 * with who (null: the daily job), when and how many, and never whom it was about: a person
 * is kept as a keyed fingerprint of organisation and number, enough to tell that the same
 * person was erased twice and nothing more.
 */
export function createPrivacyAudit(ctx: ServiceContext) {
  const { db } = ctx;
  return {
    /** Writes one entry in the caller's transaction (`db`), so it exists if and only if the action commits. */
    async record(
      db: Executor,
      entry: {
        orgId: string;
        userId: string | null;
        action: PrivacyAction;
        surveyId: string | null;
        contact: string | null;
        counts: Record<string, number | boolean>;
      },
    ): Promise<void> {
      const at = ctx.now();
      await insertPrivacyAudit(db, {
        id: newId(at),
        orgId: entry.orgId,
        userId: entry.userId,
        action: entry.action,
        surveyId: entry.surveyId,
        contactHash: entry.contact === null ? null : ctx.secrets.fingerprint(`${entry.orgId}:${entry.contact}`),
        counts: entry.counts,
        at,
      });
    },

    /** `GET /audit/privacy` (admin): newest first, a page at a time. */
    async list(actor: Actor, query: PrivacyAuditQuery): Promise<PrivacyAuditPage> {
      requireAdmin(actor);
      const limit = query.limit ?? PAGE;
      const rows = await privacyAuditPageQuery(db.kysely, actor.orgId, { action: query.action, cursor: query.cursor }, limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({
          id: row.id,
          at: iso(Number(row.at))!,
          action: row.action,
          userId: row.user_id,
          userName: row.user_name ?? null,
          surveyId: row.survey_id,
          counts: JSON.parse(row.counts) as Record<string, number | boolean>,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(Number(last.at), last.id) : null,
      };
    },
  };
}

export type PrivacyAudit = ReturnType<typeof createPrivacyAudit>;
