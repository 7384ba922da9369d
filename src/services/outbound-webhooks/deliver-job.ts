import type { Transaction } from '../../db/database.js';
import { deliveryToSendQuery, pruneDeliveryLog, recordAttempt } from '../../db/queries/outbound-webhooks.js';
import type { OutboundWebhookDeliveryTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import type { JobHandler, JobOutcome } from '../../jobs/job-worker.js';
import { signSandboxBody } from '../../providers/sandbox.js';
import type { ServiceContext } from '../context.js';
import { newId } from '../ids.js';
import { DELIVER_JOB } from './delivery-recorder.js';
import { resolveDestination, UnresolvableHost, type Destination } from './destination.js';
import { postDelivery, type AttemptResult } from './send-delivery.js';

/** Read at every attempt. */
export interface OutboundWebhookSettings {
  /** Whether private addresses may receive webhooks (`CASELINE_WEBHOOKS_ALLOW_PRIVATE`). */
  allowPrivate: boolean;
  /** How long a receiver has to answer (`DELIVERY_TIMEOUT_MS`). */
  timeoutMs: number;
}

/**
 * Eight attempts over about two hours: a minute, then doubling (with jitter) up to an hour,
 * so a receiver that is down for a deploy or an outage of an hour or so misses nothing.
 */
export const DELIVERY_SCHEDULE = {
  maxAttempts: 8,
  backoff: { baseMs: 60_000, capMs: 60 * 60_000 },
  /** Longer than one attempt's deadline (10 s) many times over. */
  claimMs: 2 * 60_000,
} as const;

/** How long the delivery log keeps a delivery: long enough to look into a month-old complaint. */
export const DELIVERY_LOG_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

/**
 * Sends one delivery (docs/outbound-webhooks.md): resolves the host and checks the address
 * again, since DNS may have changed since the subscription, then connects to that address.
 * A 2xx answer delivers; 410 Gone fails the delivery at once; anything else, or no answer,
 * is tried again on the schedule. Each attempt is written to the log with the job's result.
 */
export function createDeliverHandler(ctx: ServiceContext, settings: OutboundWebhookSettings): JobHandler {
  const { db } = ctx;

  const attemptRecorder = (
    delivery: { id: string; webhook_id: string },
    attempt: number,
    at: number,
    result: AttemptResult,
    state: OutboundWebhookDeliveryTable['state'],
  ) => {
    return async (tx: Transaction) => {
      // Each finished delivery clears its subscription's log of what is past keeping.
      if (state !== 'pending') await pruneDeliveryLog(tx.db, delivery.webhook_id, at - DELIVERY_LOG_DAYS * DAY_MS);
      await recordAttempt(
        tx.db,
        {
          id: newId(at),
          delivery_id: delivery.id,
          attempt,
          at,
          duration_ms: result.durationMs,
          status_code: result.statusCode,
          error: result.error,
          response_excerpt: result.responseExcerpt,
        },
        state,
      );
    };
  };

  return {
    kind: DELIVER_JOB,
    ...DELIVERY_SCHEDULE,
    async run(job): Promise<JobOutcome> {
      const delivery = await deliveryToSendQuery(db.kysely, job.subject_id).executeTakeFirst();
      // The subscription was deleted, or an earlier run already recorded the end.
      if (!delivery || delivery.state !== 'pending') return { state: 'done' };
      const at = ctx.now();
      const record = (result: AttemptResult, state: OutboundWebhookDeliveryTable['state']) =>
        attemptRecorder(delivery, job.attempts, at, result, state);
      const url = new URL(delivery.url);

      let destination: Destination;
      try {
        destination = await resolveDestination(url, settings.allowPrivate);
      } catch (error) {
        if (error instanceof DomainError) {
          const refused = { statusCode: null, error: `${error.code}: ${error.message}`, responseExcerpt: null, durationMs: 0 };
          return { state: 'failed', reason: error.code, apply: record(refused, 'failed') };
        }
        if (!(error instanceof UnresolvableHost)) throw error;
        const unresolved = { statusCode: null, error: error.message, responseExcerpt: null, durationMs: 0 };
        return { state: 'retry', reason: error.message, apply: record(unresolved, 'pending') };
      }

      const secret = ctx.secrets.open(delivery.secret);
      if (typeof secret !== 'string') return { state: 'failed', reason: 'The subscription secret cannot be opened' };
      const result = await postDelivery(
        url,
        destination,
        {
          'content-type': 'application/json',
          'user-agent': 'Caseline-Webhooks',
          'x-caseline-event': delivery.event,
          'x-caseline-delivery': delivery.id,
          'x-caseline-signature': signSandboxBody(secret, delivery.body),
        },
        delivery.body,
        settings.timeoutMs,
      );
      const status = result.statusCode;
      if (status !== null && status >= 200 && status < 300) return { state: 'done', apply: record(result, 'delivered') };
      if (status === 410) return { state: 'failed', reason: 'The receiver answered 410 Gone', apply: record(result, 'failed') };
      const reason = status === null ? (result.error ?? 'no answer') : `The receiver answered ${status}`;
      return { state: 'retry', reason, apply: record(result, 'pending') };
    },
    async giveUp(tx, job) {
      await tx.db
        .updateTable('outbound_webhook_deliveries')
        .set({ state: 'failed', updated_at: ctx.now() })
        .where('id', '=', job.subject_id)
        .execute();
    },
  };
}
