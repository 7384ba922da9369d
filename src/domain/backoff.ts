/** Exponential backoff with jitter: attempt 1 waits about `baseMs`, doubling to `capMs`. */
export function backoffDelay(attempt: number, options: { baseMs: number; capMs: number; random?: () => number }): number {
  const random = options.random ?? Math.random;
  const exponential = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": half fixed, half random, so retries spread out but never bunch at zero.
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
