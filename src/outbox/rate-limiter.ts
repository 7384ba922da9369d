/**
 * A per-number send pacer: each number may start at most `ratePerSecond` sends a second.
 * `reserve` hands out the next free start time, so callers wait their turn without polling.
 */
export class SendPacer {
  private readonly nextFreeAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds the caller must wait before sending on `numberId`. */
  reserve(numberId: string, ratePerSecond: number): number {
    const interval = 1000 / ratePerSecond;
    const now = this.now();
    const slot = Math.max(now, this.nextFreeAt.get(numberId) ?? 0);
    this.nextFreeAt.set(numberId, slot + interval);
    return slot - now;
  }
}
