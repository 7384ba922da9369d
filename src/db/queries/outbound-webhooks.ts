import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../database.js';
import type { Database, OutboundWebhookDeliveryTable, OutboundWebhookAttemptTable } from '../schema.js';
import { decodeCursor } from './record-list.js';

/** Rows per insert: a delivery binds ten values, well under either database's limit at this size. */
const ROWS_PER_INSERT = 500;

/** The subscriptions of these organisations, with the events each receives (JSON). */
export function subscriptionEventsQuery(db: Executor, orgIds: string[]) {
  return db.selectFrom('outbound_webhooks').select(['id', 'org_id', 'events']).where('org_id', 'in', orgIds);
}

/** Case states and message directions and states, for the `data` of the deliveries one change makes. */
export async function loadDeliverySubjects(
  db: Executor,
  orgId: string,
  caseNumbers: number[],
  messageIds: string[],
): Promise<{ cases: Map<number, { surveyId: string; status: string }>; messages: Map<string, { direction: string; status: string }> }> {
  const cases = new Map<number, { surveyId: string; status: string }>();
  const messages = new Map<string, { direction: string; status: string }>();
  if (caseNumbers.length > 0) {
    const rows = await db
      .selectFrom('records')
      .select(['case_number', 'survey_id', 'status'])
      .where('org_id', '=', orgId)
      .where('case_number', 'in', caseNumbers)
      .execute();
    for (const row of rows) cases.set(Number(row.case_number), { surveyId: row.survey_id, status: row.status });
  }
  if (messageIds.length > 0) {
    const rows = await db.selectFrom('messages').select(['id', 'direction', 'status']).where('id', 'in', messageIds).execute();
    for (const row of rows) messages.set(row.id, { direction: row.direction, status: row.status });
  }
  return { cases, messages };
}

export async function insertDeliveries(db: Executor, rows: OutboundWebhookDeliveryTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('outbound_webhook_deliveries')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute();
  }
}

/** A delivery with what sending it needs: its subscription's URL and sealed secret. */
export function deliveryToSendQuery(db: Executor, deliveryId: string) {
  return db
    .selectFrom('outbound_webhook_deliveries as d')
    .innerJoin('outbound_webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.id', 'd.org_id', 'd.webhook_id', 'd.event', 'd.body', 'd.state', 'w.url', 'w.secret'])
    .where('d.id', '=', deliveryId);
}

/** Records one attempt and the delivery's state after it. */
export async function recordAttempt(
  db: Executor,
  attempt: OutboundWebhookAttemptTable,
  state: OutboundWebhookDeliveryTable['state'],
): Promise<void> {
  await db.insertInto('outbound_webhook_attempts').values(attempt).execute();
  await db
    .updateTable('outbound_webhook_deliveries')
    .set({ state, attempts: attempt.attempt, last_status: attempt.status_code, last_error: attempt.error, updated_at: attempt.at })
    .where('id', '=', attempt.delivery_id)
    .execute();
}

/**
 * Deletes a subscription's deliveries made before `before`, with their attempts and the
 * failed jobs kept for them, along `outbound_webhook_deliveries_log`.
 */
export async function pruneDeliveryLog(db: Executor, webhookId: string, before: number): Promise<void> {
  const old = (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.selectFrom('outbound_webhook_deliveries').select('id').where('webhook_id', '=', webhookId).where('created_at', '<', before);
  await db.deleteFrom('jobs').where('id', 'in', old).execute();
  await db.deleteFrom('outbound_webhook_deliveries').where('webhook_id', '=', webhookId).where('created_at', '<', before).execute();
}

/** One page of a subscription's deliveries, newest first, along `outbound_webhook_deliveries_log`. */
export function deliveryPageQuery(db: Executor, webhookId: string, cursor: string | undefined, limit: number) {
  let q = db
    .selectFrom('outbound_webhook_deliveries')
    .select(['id', 'event', 'state', 'attempts', 'last_status', 'last_error', 'created_at', 'updated_at'])
    .where('webhook_id', '=', webhookId);
  if (cursor !== undefined) {
    const [at, id] = decodeCursor(cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
}

export function attemptsOfQuery(db: Executor, deliveryIds: string[]) {
  return db
    .selectFrom('outbound_webhook_attempts')
    .select(['delivery_id', 'attempt', 'at', 'duration_ms', 'status_code', 'error'])
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('attempt');
}

/** Each subscription's newest delivery, for the list. */
export function lastDeliveriesQuery(db: Executor, webhookIds: string[]) {
  return db
    .selectFrom('outbound_webhook_deliveries as d')
    .select(['d.webhook_id', 'd.id', 'd.event', 'd.state', 'd.attempts', 'd.last_status', 'd.last_error', 'd.created_at', 'd.updated_at'])
    .where('d.webhook_id', 'in', webhookIds)
    .where('d.id', '=', (eb) =>
      eb
        .selectFrom('outbound_webhook_deliveries as newest')
        .select('newest.id')
        .whereRef('newest.webhook_id', '=', 'd.webhook_id')
        .orderBy('newest.created_at', 'desc')
        .orderBy('newest.id', 'desc')
        .limit(1),
    );
}

/**
 * Deletes an organisation's subscription with its log and the jobs still owed for it (a
 * delivery's job has the delivery's id); false when the organisation has no such subscription.
 */
export async function deleteSubscription(db: Executor, orgId: string, webhookId: string): Promise<boolean> {
  const owned = await db
    .selectFrom('outbound_webhooks')
    .select('id')
    .where('id', '=', webhookId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!owned) return false;
  await db
    .deleteFrom('jobs')
    .where('id', 'in', (eb) => eb.selectFrom('outbound_webhook_deliveries').select('id').where('webhook_id', '=', webhookId))
    .execute();
  await db.deleteFrom('outbound_webhooks').where('id', '=', webhookId).execute();
  return true;
}
