import { Type, type Static } from '@sinclair/typebox';
import { DELIVERY_EVENTS, MAX_URL_LENGTH, MIN_SECRET_LENGTH, OUTBOUND_WEBHOOK_EVENTS } from '../domain/outbound-webhooks.js';
import { Nullable, StringEnum, Time, listOf } from './common.js';

export { DELIVERY_EVENTS, OUTBOUND_WEBHOOK_EVENTS, MIN_SECRET_LENGTH };
export type { DeliveryEvent, OutboundWebhookEvent } from '../domain/outbound-webhooks.js';

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

/**
 * `POST /outbound-webhooks` (admin). Events are checked by the service, so an unknown one
 * answers `webhook_event_unknown` naming it rather than a schema error.
 */
export const OutboundWebhookRequest = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH }),
    events: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 }),
    secret: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type OutboundWebhookRequest = Static<typeof OutboundWebhookRequest>;

/** One try: the receiver's status code, or why there was none, and how long it took. */
export const DeliveryAttempt = Type.Object({
  attempt: Type.Integer(),
  at: Time,
  durationMs: Type.Integer(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
});
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

/** §13 "an outbound webhook delivery", as the log shows it. */
export const OutboundWebhookDelivery = Type.Object({
  id: Type.String(),
  event: StringEnum(DELIVERY_EVENTS),
  state: StringEnum(DELIVERY_STATES),
  createdAt: Time,
  updatedAt: Time,
  attempts: Type.Integer(),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
});
export type OutboundWebhookDelivery = Static<typeof OutboundWebhookDelivery>;

export const OutboundWebhookDeliveryWithAttempts = Type.Intersect([
  OutboundWebhookDelivery,
  Type.Object({ attemptLog: Type.Array(DeliveryAttempt) }),
]);
export type OutboundWebhookDeliveryWithAttempts = Static<typeof OutboundWebhookDeliveryWithAttempts>;

/** A subscription; never its secret. */
export const OutboundWebhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(StringEnum(OUTBOUND_WEBHOOK_EVENTS)),
  createdAt: Time,
  lastDelivery: Nullable(OutboundWebhookDelivery),
});
export type OutboundWebhook = Static<typeof OutboundWebhook>;

export const OutboundWebhookList = Type.Object({ items: Type.Array(OutboundWebhook) });
export type OutboundWebhookList = Static<typeof OutboundWebhookList>;

/** `GET /outbound-webhooks/{id}/deliveries`: newest first, each with its attempts. */
export const OutboundWebhookDeliveryPage = listOf(OutboundWebhookDeliveryWithAttempts);
export type OutboundWebhookDeliveryPage = Static<typeof OutboundWebhookDeliveryPage>;

export const OutboundWebhookDeliveryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type OutboundWebhookDeliveryQuery = Static<typeof OutboundWebhookDeliveryQuery>;
