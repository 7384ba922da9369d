import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/domain/backoff.js';
import { MEDIA_FETCH_SCHEDULE } from '../../../src/services/media/fetch-media.js';

/** DESIGN.md §13: a media fetch ends `stored` or `failed` within 5 minutes. */
describe('the media fetch schedule', () => {
  it('ends within 5 minutes even when every attempt runs to its deadline and the provider asks to wait', () => {
    const { maxAttempts, attemptMs, backoff, retryAfterCapMs } = MEDIA_FETCH_SCHEDULE;
    let worst = maxAttempts * attemptMs;
    for (let attempt = 1; attempt < maxAttempts; attempt += 1) {
      // The longest wait jitter allows, or the provider's Retry-After as far as it is heeded.
      worst += Math.max(backoffDelay(attempt, { ...backoff, random: () => 1 }), retryAfterCapMs);
    }
    expect(worst).toBe(280_000);
    expect(worst).toBeLessThan(5 * 60_000);
  });

  it('keeps a claim longer than any attempt, so a live worker never loses its job', () => {
    expect(MEDIA_FETCH_SCHEDULE.claimMs).toBeGreaterThan(MEDIA_FETCH_SCHEDULE.attemptMs);
  });
});
