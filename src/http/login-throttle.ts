/**
 * Slows password guessing: at most `maxFailures` attempts per key (an address, an account)
 * are ever in flight or failed within `windowMs`; further attempts are refused until the
 * oldest one leaves the window. Kept in memory, so each server process counts on its own.
 *
 * An attempt is counted when it starts (`reserve`), before the slow password check, so a
 * burst of parallel guesses cannot all pass the check before the first one is counted.
 */
export interface LoginAttempt {
  /** The password was wrong: the attempt stays counted for every key. */
  fail(): void;
  /**
   * The password was right: the attempt itself stops counting, and `clear` (the account's
   * key, never the address's) forgets its failures.
   */
  succeed(clear: string[]): void;
  /** The attempt ended without a verdict (bad input, an internal error): it stops counting. */
  release(): void;
}

/** How many of the least recently touched keys eviction looks at for one not locked out. */
const EVICTION_SCAN = 64;

export type Reservation = { attempt: LoginAttempt; retryAfterSeconds: 0 } | { attempt: null; retryAfterSeconds: number };

export class LoginThrottle {
  /** Attempt times per key, oldest first; the map's order is least recently touched first. */
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly now: () => number = Date.now,
    /** A hard cap on remembered keys; past it the least recently touched key is forgotten. */
    private readonly maxKeys = 100_000,
  ) {}

  /** How many keys are remembered (for tests and metrics). */
  get size(): number {
    return this.attempts.size;
  }

  /**
   * Counts an attempt for every key, or refuses it with the seconds to wait. A refused
   * attempt creates and changes nothing, so a flood of refused attempts costs no memory.
   */
  reserve(keys: string[]): Reservation {
    const now = this.now();
    const cutoff = now - this.windowMs;
    this.forgetExpired(cutoff);
    let wait = 0;
    for (const key of keys) {
      const times = this.recent(key, cutoff);
      if (times.length >= this.maxFailures) wait = Math.max(wait, Math.max(1, Math.ceil((times[0]! - cutoff) / 1000)));
    }
    if (wait > 0) return { attempt: null, retryAfterSeconds: wait };
    for (const key of keys) this.add(key, now, cutoff);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    return {
      retryAfterSeconds: 0,
      attempt: {
        fail: () => settle(() => {}),
        succeed: (clear) =>
          settle(() => {
            this.remove(keys, now);
            for (const key of clear) this.attempts.delete(key);
          }),
        release: () => settle(() => this.remove(keys, now)),
      },
    };
  }

  /** The key's attempts still inside the window (pruned in place). */
  private recent(key: string, cutoff: number): number[] {
    const times = this.attempts.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= cutoff) times.shift();
    if (times.length === 0) this.attempts.delete(key);
    return times;
  }

  private add(key: string, at: number, cutoff: number): void {
    const times = this.recent(key, cutoff);
    // Re-inserting moves the key to the end: the map stays ordered by last touch.
    this.attempts.delete(key);
    if (this.attempts.size >= this.maxKeys) this.evictOne();
    times.push(at);
    this.attempts.set(key, times);
  }

  /**
   * Forgets one key at the cap: among the least recently touched, the first that is not
   * locked out, so a flood of new keys cannot wipe a targeted account's count; the least
   * recently touched of all when every one of them is locked.
   */
  private evictOne(): void {
    let scanned = 0;
    let oldest: string | undefined;
    for (const [key, times] of this.attempts) {
      oldest ??= key;
      if (times.length < this.maxFailures) {
        this.attempts.delete(key);
        return;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    if (oldest !== undefined) this.attempts.delete(oldest);
  }

  private remove(keys: string[], at: number): void {
    for (const key of keys) {
      const times = this.attempts.get(key);
      const index = times?.indexOf(at) ?? -1;
      if (!times || index === -1) continue;
      times.splice(index, 1);
      if (times.length === 0) this.attempts.delete(key);
    }
  }

  /**
   * Drops keys whose last attempt left the window. The least recently touched keys come
   * first, so this stops at the first live key: cheap on every call.
   */
  private forgetExpired(cutoff: number): void {
    for (const [key, times] of this.attempts) {
      if (times.length > 0 && times[times.length - 1]! > cutoff) return;
      this.attempts.delete(key);
    }
  }
}
