import type { ChangeFeed } from '../../domain/change-events.js';
import type { Executor } from '../../db/database.js';
import { subscriptionEventsQuery } from '../../db/queries/outbound-webhooks.js';
import type { OutboundWebhookEvent, SubscriptionEvents } from '../../domain/outbound-webhooks.js';

/**
 * How many times this process has heard that subscriptions changed, in memory every thread
 * shares (the ingest thread adopts it, see ../inbound/store-batch-thread.ts): a thread's
 * cache empties when the count moves, though only the main thread hears the change feed.
 */
let generation = new Int32Array(new SharedArrayBuffer(4));

/** The change count of this thread, to hand to another thread. */
export function subscriptionsGeneration(): SharedArrayBuffer {
  return generation.buffer;
}

/** Makes this thread follow another thread's change count. */
export function useSubscriptionsGeneration(shared: SharedArrayBuffer): void {
  generation = new Int32Array(shared);
}

/** Every cache of every thread of this process forgets what it holds. */
export function forgetSubscriptions(): void {
  Atomics.add(generation, 0, 1);
}

/**
 * Each organisation's subscriptions (ids and events), kept in memory so that a change of an
 * organisation without any costs no query: ingest runs this on every transaction. A change
 * (`webhooks.changed`, from any process) empties it; the time limit covers a change notice
 * missed while PostgreSQL reconnected.
 */
export class SubscriptionCache {
  private readonly entries = new Map<string, { subscriptions: SubscriptionEvents[]; at: number }>();
  private seen = Atomics.load(generation, 0);

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The organisation's subscriptions if known, without a query. */
  known(orgId: string): SubscriptionEvents[] | undefined {
    this.forgetIfChanged();
    const entry = this.entries.get(orgId);
    if (!entry || this.now() - entry.at >= this.ttlMs) return undefined;
    return entry.subscriptions;
  }

  /** Reads the organisations' subscriptions through `db` (the caller's transaction) and keeps them. */
  async load(db: Executor, orgIds: string[]): Promise<Map<string, SubscriptionEvents[]>> {
    const started = Atomics.load(generation, 0);
    const rows = await subscriptionEventsQuery(db, orgIds).execute();
    const byOrg = new Map<string, SubscriptionEvents[]>(orgIds.map((id) => [id, []]));
    for (const row of rows) byOrg.get(row.org_id)?.push({ id: row.id, events: JSON.parse(row.events) as OutboundWebhookEvent[] });
    // A change heard while reading may not be in what was read: use it, keep it not.
    if (Atomics.load(generation, 0) === started) {
      this.forgetIfChanged();
      const at = this.now();
      for (const [orgId, subscriptions] of byOrg) this.entries.set(orgId, { subscriptions, at });
    }
    return byOrg;
  }

  private forgetIfChanged(): void {
    const current = Atomics.load(generation, 0);
    if (current !== this.seen) {
      this.entries.clear();
      this.seen = current;
    }
  }
}

/** Empties every cache of the process when any process says subscriptions changed (the main thread hears the feed). */
export function forgetSubscriptionsOnChange(changes: ChangeFeed): void {
  changes.on('change', (event) => {
    if (event.type === 'webhooks.changed') forgetSubscriptions();
  });
}
