import type {
  DeliveryEvent,
  OutboundWebhook,
  OutboundWebhookDelivery,
  OutboundWebhookDeliveryPage,
  OutboundWebhookDeliveryQuery,
  OutboundWebhookEvent,
  OutboundWebhookList,
  OutboundWebhookRequest,
} from '../../contract/index.js';
import type { Executor } from '../../db/database.js';
import { attemptsOfQuery, deleteSubscription, deliveryPageQuery, lastDeliveriesQuery } from '../../db/queries/outbound-webhooks.js';
import { encodeCursor } from '../../db/queries/record-list.js';
import type { OutboundWebhookDeliveryTable } from '../../db/schema.js';
import { notFound, validationFailed } from '../../domain/errors.js';
import { checkWebhookSecret, parseWebhookEvents, parseWebhookUrl } from '../../domain/outbound-webhooks.js';
import { iso, requireAdmin, type Actor, type ServiceContext } from '../context.js';
import { newId } from '../ids.js';
import type { OutboundWebhookSettings } from './deliver-job.js';
import { deliveryBody, deliveryRow, queueDeliveries } from './delivery-recorder.js';
import { resolveDestination, UnresolvableHost } from './destination.js';

/** Enough for a few systems per organisation; each one costs a delivery per change. */
export const MAX_SUBSCRIPTIONS = 20;
const PAGE = 50;

type DeliveryRow = Pick<
  OutboundWebhookDeliveryTable,
  'id' | 'event' | 'state' | 'attempts' | 'last_status' | 'last_error' | 'created_at' | 'updated_at'
>;

const deliveryView = (row: DeliveryRow): OutboundWebhookDelivery => ({
  id: row.id,
  event: row.event as DeliveryEvent,
  state: row.state,
  createdAt: iso(Number(row.created_at))!,
  updatedAt: iso(Number(row.updated_at))!,
  attempts: Number(row.attempts),
  lastStatus: row.last_status === null ? null : Number(row.last_status),
  lastError: row.last_error,
});

/** An organisation's outbound webhook subscriptions and their delivery logs (DESIGN.md §10); admins only. */
export function createOutboundWebhookService(ctx: ServiceContext, settings: OutboundWebhookSettings) {
  const { db } = ctx;

  async function requireSubscription(executor: Executor, actor: Actor, id: string): Promise<void> {
    const row = await executor
      .selectFrom('outbound_webhooks')
      .select('id')
      .where('id', '=', id)
      .where('org_id', '=', actor.orgId)
      .executeTakeFirst();
    if (!row) throw notFound('Webhook');
  }

  /** Refuses a URL whose host is, or resolves to, an address webhooks may not reach. */
  async function checkReachable(url: URL): Promise<void> {
    try {
      await resolveDestination(url, settings.allowPrivate);
    } catch (error) {
      if (error instanceof UnresolvableHost) throw validationFailed(error.message, { field: 'url' });
      throw error;
    }
  }

  return {
    async list(actor: Actor): Promise<OutboundWebhookList> {
      requireAdmin(actor);
      const rows = await db.kysely
        .selectFrom('outbound_webhooks')
        .select(['id', 'url', 'events', 'created_at'])
        .where('org_id', '=', actor.orgId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const last =
        rows.length === 0
          ? []
          : await lastDeliveriesQuery(
              db.kysely,
              rows.map((r) => r.id),
            ).execute();
      const lastById = new Map(last.map((row) => [row.webhook_id, deliveryView(row)]));
      return {
        items: rows.map((row) => ({
          id: row.id,
          url: row.url,
          events: JSON.parse(row.events) as OutboundWebhookEvent[],
          createdAt: iso(Number(row.created_at))!,
          lastDelivery: lastById.get(row.id) ?? null,
        })),
      };
    },

    async create(actor: Actor, input: OutboundWebhookRequest): Promise<OutboundWebhook> {
      requireAdmin(actor);
      const url = parseWebhookUrl(input.url);
      const events = parseWebhookEvents(input.events);
      checkWebhookSecret(input.secret);
      await checkReachable(url);
      const now = ctx.now();
      const row = {
        id: newId(now),
        org_id: actor.orgId,
        url: url.href,
        events: JSON.stringify(events),
        secret: ctx.secrets.seal(input.secret),
        created_at: now,
      };
      await db.transaction(async (tx) => {
        const count = await tx.db
          .selectFrom('outbound_webhooks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', actor.orgId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= MAX_SUBSCRIPTIONS) throw validationFailed(`An organisation can have at most ${MAX_SUBSCRIPTIONS} webhooks`);
        await tx.db.insertInto('outbound_webhooks').values(row).execute();
        tx.publish({ type: 'webhooks.changed', orgId: actor.orgId });
      });
      return { id: row.id, url: row.url, events, createdAt: iso(now)!, lastDelivery: null };
    },

    async remove(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      await db.transaction(async (tx) => {
        if (!(await deleteSubscription(tx.db, actor.orgId, id))) throw notFound('Webhook');
        tx.publish({ type: 'webhooks.changed', orgId: actor.orgId });
      });
    },

    /** Newest first, each delivery with its attempts. */
    async deliveries(actor: Actor, id: string, query: OutboundWebhookDeliveryQuery): Promise<OutboundWebhookDeliveryPage> {
      requireAdmin(actor);
      await requireSubscription(db.kysely, actor, id);
      const limit = query.limit ?? PAGE;
      const rows = await deliveryPageQuery(db.kysely, id, query.cursor, limit + 1).execute();
      const page = rows.slice(0, limit);
      const attempts =
        page.length === 0
          ? []
          : await attemptsOfQuery(
              db.kysely,
              page.map((r) => r.id),
            ).execute();
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({
          ...deliveryView(row),
          attemptLog: attempts
            .filter((a) => a.delivery_id === row.id)
            .map((a) => ({
              attempt: Number(a.attempt),
              at: iso(Number(a.at))!,
              durationMs: Number(a.duration_ms),
              statusCode: a.status_code === null ? null : Number(a.status_code),
              error: a.error,
            })),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(Number(last.created_at), last.id) : null,
      };
    },

    /** `POST /outbound-webhooks/{id}/test`: a `ping`, sent like any delivery. */
    async test(actor: Actor, id: string): Promise<OutboundWebhookDelivery> {
      requireAdmin(actor);
      const at = ctx.now();
      const deliveryId = newId(at);
      const row = deliveryRow(deliveryId, actor.orgId, id, 'ping', deliveryBody(deliveryId, 'ping', at, { webhookId: id }), at);
      await db.transaction(async (tx) => {
        await requireSubscription(tx.db, actor, id);
        await queueDeliveries(tx, [row], at);
      });
      return deliveryView(row);
    },
  };
}

export type OutboundWebhookService = ReturnType<typeof createOutboundWebhookService>;
