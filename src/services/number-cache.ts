import type { Db } from '../db/database.js';
import type { LoadedNumber } from './numbers.js';
import type { Survey } from './surveys.js';

/** A number as the inbound path needs it: credentials opened, adapter chosen, survey read. */
export type RoutableNumber = LoadedNumber & { survey: Survey };

/**
 * Keeps numbers and their surveys in memory, so a webhook does not read and decrypt them
 * every time. Any change to a number or survey (in any process, through the change feed)
 * empties it; the time limit covers a change notice missed while PostgreSQL reconnected.
 */
export class NumberCache {
  private readonly entries = new Map<string, { value: Promise<RoutableNumber>; at: number }>();

  constructor(
    private readonly load: (numberId: string) => Promise<RoutableNumber>,
    db: Db,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {
    db.changes.on('change', (event) => {
      if (event.type === 'config.changed') this.entries.clear();
    });
  }

  get(numberId: string): Promise<RoutableNumber> {
    const entry = this.entries.get(numberId);
    if (entry && this.now() - entry.at < this.ttlMs) return entry.value;
    const value = this.load(numberId);
    // A failed load (an unknown or deleted number) is not remembered.
    value.catch(() => this.entries.delete(numberId));
    this.entries.set(numberId, { value, at: this.now() });
    return value;
  }
}
