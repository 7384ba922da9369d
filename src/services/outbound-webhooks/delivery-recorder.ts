import type { BeforeCommitHook, Db, Transaction } from '../../db/database.js';
import { enqueueJobs } from '../../db/queries/jobs.js';
import { insertDeliveries, loadDeliverySubjects } from '../../db/queries/outbound-webhooks.js';
import type { OutboundWebhookDeliveryTable } from '../../db/schema.js';
import type { ChangeEvent } from '../../domain/change-events.js';
import { mayDeliver, planDeliveries, type DeliveryEvent, type PlannedDelivery } from '../../domain/outbound-webhooks.js';
import { newId } from '../ids.js';
import { SubscriptionCache } from './subscription-cache.js';

/** The job that sends one delivery (./deliver-job.ts); its id is the delivery's. */
export const DELIVER_JOB = 'outbound-webhook.deliver';

/**
 * Installs on `db` the hook that turns each transaction's changes into outbound webhook
 * deliveries, written in that transaction with their jobs (DESIGN.md "Durable by
 * construction"): a delivery exists if and only if its change committed. `now` gives the
 * time of the transaction at hand (the ingest thread's is its batch's).
 */
export function installDeliveryRecorder(db: Db, now: () => number): void {
  const cache = new SubscriptionCache();
  const hook: BeforeCommitHook = async (tx, events) => {
    let byOrg: Map<string, ChangeEvent[]> | null = null;
    for (const event of events) {
      if (!mayDeliver(event)) continue;
      byOrg ??= new Map();
      const list = byOrg.get(event.orgId);
      if (list) list.push(event);
      else byOrg.set(event.orgId, [event]);
    }
    if (!byOrg) return;
    const unknown = [...byOrg.keys()].filter((orgId) => cache.known(orgId) === undefined);
    const loaded = unknown.length > 0 ? await cache.load(tx.db, unknown) : null;
    for (const [orgId, orgEvents] of byOrg) {
      const subscriptions = loaded?.get(orgId) ?? cache.known(orgId) ?? [];
      if (subscriptions.length === 0) continue;
      const planned = planDeliveries(orgEvents, subscriptions);
      if (planned.length > 0) await writeDeliveries(tx, orgId, planned, now());
    }
  };
  db.beforeCommit(hook);
}

/** A delivery's body: what the receiver gets, byte for byte, on every attempt. */
export function deliveryBody(id: string, event: DeliveryEvent, at: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id, event, at: new Date(at).toISOString(), data });
}

/** Writes deliveries and their jobs in `tx`. Data names the case and message and their states, never their content. */
async function writeDeliveries(tx: Transaction, orgId: string, planned: PlannedDelivery[], at: number): Promise<void> {
  const subjects = await loadDeliverySubjects(
    tx.db,
    orgId,
    [...new Set(planned.map((p) => p.caseNumber))],
    [...new Set(planned.flatMap((p) => (p.messageId ? [p.messageId] : [])))],
  );
  const rows: OutboundWebhookDeliveryTable[] = [];
  for (const delivery of planned) {
    const record = subjects.cases.get(delivery.caseNumber);
    const data: Record<string, unknown> = {
      caseNumber: delivery.caseNumber,
      surveyId: record?.surveyId ?? delivery.surveyId,
    };
    if (delivery.messageId === null) data.status = record?.status ?? null;
    else {
      const message = subjects.messages.get(delivery.messageId);
      Object.assign(data, { messageId: delivery.messageId, direction: message?.direction ?? null, status: message?.status ?? null });
    }
    const id = newId(at);
    rows.push(deliveryRow(id, orgId, delivery.webhookId, delivery.event, deliveryBody(id, delivery.event, at, data), at));
  }
  await queueDeliveries(tx, rows, at);
}

export function deliveryRow(
  id: string,
  orgId: string,
  webhookId: string,
  event: DeliveryEvent,
  body: string,
  at: number,
): OutboundWebhookDeliveryTable {
  return {
    id,
    org_id: orgId,
    webhook_id: webhookId,
    event,
    body,
    state: 'pending',
    attempts: 0,
    last_status: null,
    last_error: null,
    created_at: at,
    updated_at: at,
  };
}

/** Writes deliveries with a job each, due at once, in the caller's transaction. */
export async function queueDeliveries(tx: Transaction, rows: OutboundWebhookDeliveryTable[], at: number): Promise<void> {
  if (rows.length === 0) return;
  await insertDeliveries(tx.db, rows);
  await enqueueJobs(
    tx,
    rows.map((row) => ({ id: row.id, orgId: row.org_id, kind: DELIVER_JOB, subjectId: row.id, dueAt: at })),
    at,
  );
}
