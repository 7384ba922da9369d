/**
 * Slows password guessing: after `maxFailures` failed logins for one address or one
 * account within `windowMs`, further attempts are refused until the window passes. Kept
 * in memory, so each server process counts on its own.
 */
const MAX_KEYS = 100_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `keys` may try again, or 0 when they may try now. */
  retryAfterSeconds(keys: string[]): number {
    const cutoff = this.now() - this.windowMs;
    let wait = 0;
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
      this.failures.set(key, recent);
      if (recent.length >= this.maxFailures) wait = Math.max(wait, Math.ceil((recent[0]! - cutoff) / 1000));
    }
    return wait;
  }

  fail(keys: string[]): void {
    if (this.failures.size >= MAX_KEYS) this.forgetExpired();
    for (const key of keys) {
      const known = this.failures.get(key);
      // At the memory cap new keys go uncounted; keys already counted keep their count,
      // so a flood of new addresses cannot wipe a targeted account's failures.
      if (!known && this.failures.size >= MAX_KEYS) continue;
      this.failures.set(key, [...(known ?? []), this.now()]);
    }
  }

  private forgetExpired(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [key, times] of this.failures) {
      if (!times.some((t) => t > cutoff)) this.failures.delete(key);
    }
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
