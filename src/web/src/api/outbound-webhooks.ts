import { api, query } from './client.js';
import type {
  OutboundWebhook,
  OutboundWebhookDeliveryPage,
  OutboundWebhookDeliveryWithAttempts,
  OutboundWebhookEvent,
  OutboundWebhookList,
} from './types.js';

const one = (id: string) => `/outbound-webhooks/${encodeURIComponent(id)}`;

/** Outbound webhooks (DESIGN.md §10): subscriptions, their delivery logs and a test ping; admins only. */
export const outboundWebhooksApi = {
  list: () => api<OutboundWebhookList>('GET', '/outbound-webhooks'),
  create: (input: { url: string; events: OutboundWebhookEvent[]; secret: string }) =>
    api<OutboundWebhook>('POST', '/outbound-webhooks', input),
  remove: (id: string) => api<null>('DELETE', one(id)),
  deliveries: (id: string, cursor?: string | null) =>
    api<OutboundWebhookDeliveryPage>('GET', `${one(id)}/deliveries${query({ limit: 25, cursor: cursor ?? undefined })}`),
  /** Queues a `ping`; answers its delivery. */
  test: (id: string) => api<Omit<OutboundWebhookDeliveryWithAttempts, 'attemptLog'>>('POST', `${one(id)}/test`),
};
