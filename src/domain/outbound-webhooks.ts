import { BlockList, isIP } from 'node:net';
import type { ChangeEvent } from './change-events.js';
import { DomainError, validationFailed } from './errors.js';

/**
 * Outbound webhooks (DESIGN.md §10, docs/outbound-webhooks.md): which events a subscription
 * may ask for, which addresses it may point at, and which deliveries a transaction's
 * changes make. Pure rules; the service loads, calls these and writes.
 */
export const OUTBOUND_WEBHOOK_EVENTS = ['record.created', 'record.updated', 'record.closed', 'message.added', 'message.status'] as const;
export type OutboundWebhookEvent = (typeof OUTBOUND_WEBHOOK_EVENTS)[number];

/** What a delivery can carry: a subscribed event, or the `ping` an admin's test sends. */
export const DELIVERY_EVENTS = [...OUTBOUND_WEBHOOK_EVENTS, 'ping'] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

export const MIN_SECRET_LENGTH = 16;
export const MAX_URL_LENGTH = 2000;

/** Checks the events an admin chose; each once, in the order of `OUTBOUND_WEBHOOK_EVENTS`. */
export function parseWebhookEvents(raw: readonly string[]): OutboundWebhookEvent[] {
  if (raw.length === 0) throw validationFailed('Choose at least one event', { field: 'events' });
  const unknown = raw.find((event) => !(OUTBOUND_WEBHOOK_EVENTS as readonly string[]).includes(event));
  if (unknown !== undefined) {
    throw new DomainError('webhook_event_unknown', `${JSON.stringify(unknown.slice(0, 60))} is not an event a webhook can receive`, {
      field: 'events',
      allowed: [...OUTBOUND_WEBHOOK_EVENTS],
    });
  }
  return OUTBOUND_WEBHOOK_EVENTS.filter((event) => raw.includes(event));
}

export function checkWebhookSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw validationFailed(`The secret must be at least ${MIN_SECRET_LENGTH} characters`, { field: 'secret' });
  }
}

/** An http(s) URL without a user name or password (they would show in the list). */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw validationFailed('The URL is not a valid address', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw validationFailed('The URL must start with http:// or https://', { field: 'url' });
  if (url.username || url.password) throw validationFailed('The URL must not hold a user name or password', { field: 'url' });
  if (url.href.length > MAX_URL_LENGTH) throw validationFailed(`The URL can be at most ${MAX_URL_LENGTH} characters`, { field: 'url' });
  return url;
}

/** The URL's host as an IP address when it is one (`[::1]` unbracketed), else null. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? null : host;
}

/**
 * Addresses a webhook may not reach unless the server allows private ones: the machine
 * itself and its networks, which a subscriber could otherwise probe through us.
 */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [address, prefix] of [
    ['0.0.0.0', 8], // unspecified, "this network"
    ['10.0.0.0', 8], // private
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8], // loopback
    ['169.254.0.0', 16], // link-local (cloud metadata services)
    ['172.16.0.0', 12], // private
    ['192.0.0.0', 24], // protocol assignments
    ['192.168.0.0', 16], // private
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ] as const) {
    list.addSubnet(address, prefix, 'ipv4');
  }
  for (const [address, prefix] of [
    ['::', 128], // unspecified
    ['::1', 128], // loopback
    ['fe80::', 10], // link-local
    ['fc00::', 7], // unique-local
    ['ff00::', 8], // multicast
  ] as const) {
    list.addSubnet(address, prefix, 'ipv6');
  }
  return list;
})();

/** Whether a webhook may reach `address` with private addresses refused. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  // An IPv4 address written as IPv6 (mapped, or NAT64) is judged as the IPv4 address it holds.
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (embedded) return isPublicAddress(embedded);
  const embeddedHex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (embeddedHex) {
    const high = parseInt(embeddedHex[1]!, 16);
    const low = parseInt(embeddedHex[2]!, 16);
    return isPublicAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  return !NOT_PUBLIC.check(address, 'ipv6');
}

export function addressNotAllowed(): DomainError {
  return new DomainError(
    'webhook_address_not_allowed',
    'The URL points at a private, loopback or link-local address; webhooks go to public addresses only (CASELINE_WEBHOOKS_ALLOW_PRIVATE=true allows others)',
    { field: 'url' },
  );
}

/** A subscription as the planner needs it. */
export interface SubscriptionEvents {
  id: string;
  events: readonly OutboundWebhookEvent[];
}

/** One delivery to write: `subject` names the case (`caseNumber`) and, for message events, the message. */
export interface PlannedDelivery {
  webhookId: string;
  event: OutboundWebhookEvent;
  caseNumber: number;
  surveyId: string | null;
  messageId: string | null;
}

/**
 * The deliveries one transaction's changes make for one organisation's subscriptions. A
 * transaction that touches a case several times is one `record.updated` (or, for a case it
 * created, one `record.created`); a case it closed also makes a `record.closed`. A message
 * added to two cases is a `message.added` for each.
 */
export function planDeliveries(events: readonly ChangeEvent[], subscriptions: readonly SubscriptionEvents[]): PlannedDelivery[] {
  if (subscriptions.length === 0) return [];
  const happened = new Map<string, Omit<PlannedDelivery, 'webhookId'>>();
  const created = new Set<number>();
  const add = (event: OutboundWebhookEvent, source: ChangeEvent) => {
    if (source.caseNumber === undefined) return;
    const messageId = event.startsWith('message.') ? (source.messageId ?? null) : null;
    const key = `${event}:${source.caseNumber}:${messageId ?? ''}`;
    if (!happened.has(key)) happened.set(key, { event, caseNumber: source.caseNumber, surveyId: source.surveyId ?? null, messageId });
  };
  for (const source of events) {
    if (source.type === 'record.created' && source.caseNumber !== undefined) created.add(source.caseNumber);
  }
  for (const source of events) {
    switch (source.type) {
      case 'record.created':
        add('record.created', source);
        if (source.closed) add('record.closed', source);
        break;
      case 'record.updated':
        if (source.caseNumber !== undefined && !created.has(source.caseNumber)) add('record.updated', source);
        if (source.closed) add('record.closed', source);
        break;
      case 'message.added':
      case 'message.status':
        if (source.messageId !== undefined) add(source.type, source);
        break;
      default:
        break;
    }
  }
  const planned: PlannedDelivery[] = [];
  for (const subscription of subscriptions) {
    for (const delivery of happened.values()) {
      if (subscription.events.includes(delivery.event)) planned.push({ webhookId: subscription.id, ...delivery });
    }
  }
  return planned;
}

/** The change events that can make a delivery: a transaction without them costs the hook nothing. */
export function mayDeliver(event: ChangeEvent): boolean {
  return (
    event.type === 'record.created' || event.type === 'record.updated' || event.type === 'message.added' || event.type === 'message.status'
  );
}
