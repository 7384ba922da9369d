import type { Executor } from '../database.js';
import type { PrivacyAction } from '../schema.js';
import { decodeCursor } from './record-list.js';

export interface PrivacyAuditRow {
  id: string;
  orgId: string;
  userId: string | null;
  action: PrivacyAction;
  surveyId: string | null;
  contactHash: string | null;
  counts: Record<string, number | boolean>;
  at: number;
}

export async function insertPrivacyAudit(db: Executor, row: PrivacyAuditRow): Promise<void> {
  await db
    .insertInto('privacy_audit')
    .values({
      id: row.id,
      org_id: row.orgId,
      user_id: row.userId,
      action: row.action,
      survey_id: row.surveyId,
      contact_hash: row.contactHash,
      counts: JSON.stringify(row.counts),
      at: row.at,
    })
    .execute();
}

/** One page of the organisation's privacy audit trail, newest first, along `privacy_audit_org`. */
export function privacyAuditPageQuery(db: Executor, orgId: string, filter: { action?: PrivacyAction; cursor?: string }, limit: number) {
  let q = db
    .selectFrom('privacy_audit as p')
    .leftJoin('users as u', 'u.id', 'p.user_id')
    .select(['p.id', 'p.at', 'p.action', 'p.user_id', 'u.name as user_name', 'p.survey_id', 'p.counts'])
    .where('p.org_id', '=', orgId);
  if (filter.action !== undefined) q = q.where('p.action', '=', filter.action);
  if (filter.cursor !== undefined) {
    const [at, id] = decodeCursor(filter.cursor);
    q = q.where((eb) => eb.or([eb('p.at', '<', at), eb.and([eb('p.at', '=', at), eb('p.id', '<', id)])]));
  }
  return q.orderBy('p.at', 'desc').orderBy('p.id', 'desc').limit(limit);
}
