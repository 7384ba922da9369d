import type { Db } from '../../db/database.js';
import type { LoadedNumber } from '../numbers.js';
import type { Survey } from '../surveys.js';

/** A number as the inbound path needs it: credentials opened, adapter chosen, survey read. */
export type RoutableNumber = LoadedNumber & { survey: Survey };

/**
 * Keeps numbers and their surveys in memory, so a webhook does not read and decrypt them
 * every time. Any change to a number or survey (in any process, through the change feed)
 * empties it; the time limit covers a change notice missed while PostgreSQL reconnected.
 */
export class NumberCache {
  /** By webhook token, the key webhooks arrive with. */
  private readonly entries = new Map<string, { value: Promise<RoutableNumber>; at: number }>();

  constructor(
    private readonly load: (webhookToken: string) => Promise<RoutableNumber>,
    db: Db,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {
    db.changes.on('change', (event) => {
      if (event.type === 'config.changed') this.entries.clear();
    });
  }

  get(webhookToken: string): Promise<RoutableNumber> {
    const entry = this.entries.get(webhookToken);
    if (entry && this.now() - entry.at < this.ttlMs) return entry.value;
    const value = this.load(webhookToken);
    // A failed load (an unknown, rotated or archived token) is not remembered.
    value.catch(() => this.entries.delete(webhookToken));
    this.entries.set(webhookToken, { value, at: this.now() });
    return value;
  }
}
