import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendPacer } from '../../../src/outbox/rate-limiter.js';

/** A clock the test moves by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('pacing sends per number', () => {
  it('the first send on a number starts at once', () => {
    const pacer = new SendPacer(fakeClock().now);
    expect(pacer.reserve('number-1', 1)).toBe(0);
  });

  it('sends on one number at the same moment are spaced one interval apart', () => {
    const pacer = new SendPacer(fakeClock().now);
    const waits = [1, 2, 3, 4].map(() => pacer.reserve('number-1', 4));
    expect(waits).toEqual([0, 250, 500, 750]);
  });

  it('each number keeps its own pace', () => {
    const pacer = new SendPacer(fakeClock().now);
    expect(pacer.reserve('number-1', 1)).toBe(0);
    expect(pacer.reserve('number-2', 1)).toBe(0);
    expect(pacer.reserve('number-1', 1)).toBe(1000);
    expect(pacer.reserve('number-2', 1)).toBe(1000);
  });

  it('the wait shrinks as time passes', () => {
    const clock = fakeClock();
    const pacer = new SendPacer(clock.now);
    pacer.reserve('number-1', 1);
    clock.advance(400);
    expect(pacer.reserve('number-1', 1)).toBe(600);
  });

  it('a number that has been quiet for a while sends at once again', () => {
    const clock = fakeClock();
    const pacer = new SendPacer(clock.now);
    pacer.reserve('number-1', 1);
    pacer.reserve('number-1', 1);
    clock.advance(5000);
    expect(pacer.reserve('number-1', 1)).toBe(0);
    expect(pacer.reserve('number-1', 1)).toBe(1000);
  });

  it('a rate below one a second spaces sends more than a second apart', () => {
    const pacer = new SendPacer(fakeClock().now);
    pacer.reserve('number-1', 0.5);
    expect(pacer.reserve('number-1', 0.5)).toBe(2000);
  });

  it('uses the real clock when none is given', () => {
    const pacer = new SendPacer();
    expect(pacer.reserve('number-1', 1000)).toBe(0);
  });

  it('no more than `rate` sends start in any one second', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 }),
        (rate, gaps) => {
          const clock = fakeClock();
          const pacer = new SendPacer(clock.now);
          const starts: number[] = [];
          for (const gap of gaps) {
            clock.advance(gap);
            const wait = pacer.reserve('number-1', rate);
            expect(wait).toBeGreaterThanOrEqual(0);
            starts.push(clock.now() + wait);
          }
          starts.sort((a, b) => a - b);
          for (let i = 1; i < starts.length; i++) {
            // Consecutive starts are at least one interval apart (allowing for rounding of large timestamps).
            expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(1000 / rate - 0.01);
          }
        },
      ),
    );
  });
});
