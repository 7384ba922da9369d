import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/domain/backoff.js';

const options = { baseMs: 1000, capMs: 60_000 };
const lowest = () => 0;
const highest = () => 0.999999999;

describe('retry backoff of the outbox', () => {
  it('the first retry waits between half the base delay and the base delay', () => {
    expect(backoffDelay(1, { ...options, random: lowest })).toBe(500);
    expect(backoffDelay(1, { ...options, random: highest })).toBe(1000);
  });

  it('each further attempt doubles the delay', () => {
    const delays = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { ...options, random: highest }));
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
  });

  it('the delay never grows past the cap', () => {
    expect(backoffDelay(7, { ...options, random: highest })).toBe(60_000);
    expect(backoffDelay(50, { ...options, random: highest })).toBe(60_000);
    expect(backoffDelay(5000, { ...options, random: highest })).toBe(60_000);
  });

  it('half the delay is fixed, so retries never bunch up at zero', () => {
    expect(backoffDelay(20, { ...options, random: lowest })).toBe(30_000);
  });

  it('an attempt number below 1 waits like the first attempt', () => {
    expect(backoffDelay(0, { ...options, random: highest })).toBe(1000);
    expect(backoffDelay(-3, { ...options, random: highest })).toBe(1000);
  });

  it('without a random source the delay is still within its bounds', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(3, options);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it('every delay is a whole number of milliseconds between half the exponential delay and all of it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, extra, r) => {
          const capMs = baseMs + extra;
          const exponential = Math.min(capMs, baseMs * 2 ** (attempt - 1));
          const delay = backoffDelay(attempt, { baseMs, capMs, random: () => r });
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(exponential / 2));
          expect(delay).toBeLessThanOrEqual(Math.ceil(exponential));
          expect(delay).toBeLessThanOrEqual(capMs);
        },
      ),
    );
  });

  it('a later attempt never has a shorter range than an earlier one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (attempt) => {
        expect(backoffDelay(attempt + 1, { ...options, random: lowest })).toBeGreaterThanOrEqual(
          backoffDelay(attempt, { ...options, random: lowest }),
        );
        expect(backoffDelay(attempt + 1, { ...options, random: highest })).toBeGreaterThanOrEqual(
          backoffDelay(attempt, { ...options, random: highest }),
        );
      }),
    );
  });
});
