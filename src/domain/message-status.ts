export const MESSAGE_STATUSES = ['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A message comes in from the contact or goes out to them. */
export const DIRECTIONS = ['in', 'out'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Later states win; a late "sent" never hides "delivered" (delivery reports race). */
const STATUS_RANK: Record<MessageStatus, number> = {
  received: 0,
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  read: 4,
};

export function isStatusProgress(current: MessageStatus, next: MessageStatus): boolean {
  return next !== current && STATUS_RANK[next] >= STATUS_RANK[current];
}

/** Of several reports for one message, the one that tells the most. */
export function latestStatus<T extends { status: MessageStatus }>(reports: readonly T[]): T | undefined {
  return reports.reduce<T | undefined>((best, r) => (!best || STATUS_RANK[r.status] >= STATUS_RANK[best.status] ? r : best), undefined);
}
