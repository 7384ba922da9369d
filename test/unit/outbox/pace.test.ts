import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATE_TOLERANCE_MS, planSends, startDecision } from '../../../src/outbox/pace.js';

describe('planning a number’s send slots', () => {
  it('books one slot per interval from now, up to the horizon', () => {
    const plan = planSends(['a', 'b', 'c', 'd'], { now: 1000, horizonMs: 250, nextSendAt: 0, ratePerSecond: 10 });
    expect(plan.slots).toEqual([
      { row: 'a', startAt: 1000 },
      { row: 'b', startAt: 1100 },
      { row: 'c', startAt: 1200 },
    ]);
    expect(plan.nextSendAt).toBe(1300);
  });

  it('starts after slots another process booked', () => {
    const plan = planSends(['a', 'b'], { now: 1000, horizonMs: 1000, nextSendAt: 1500, ratePerSecond: 2 });
    expect(plan.slots).toEqual([
      { row: 'a', startAt: 1500 },
      { row: 'b', startAt: 2000 },
    ]);
    expect(plan.nextSendAt).toBe(2500);
  });

  it('books nothing when the number is booked past the horizon, and leaves its next slot alone', () => {
    const plan = planSends(['a'], { now: 1000, horizonMs: 500, nextSendAt: 1600, ratePerSecond: 1 });
    expect(plan).toEqual({ slots: [], nextSendAt: 1600 });
  });

  it('never books more than the rate allows in any window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0.1, max: 2000, noNaN: true }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        (count, ratePerSecond, horizonMs, booked) => {
          const now = 10_000;
          const plan = planSends(
            Array.from({ length: count }, (_, i) => i),
            { now, horizonMs, nextSendAt: now + booked - 2500, ratePerSecond },
          );
          const interval = 1000 / ratePerSecond;
          plan.slots.forEach((slot, i) => {
            expect(slot.row).toBe(i);
            expect(slot.startAt).toBeGreaterThanOrEqual(Math.max(now, now + booked - 2500));
            expect(slot.startAt).toBeLessThanOrEqual(now + horizonMs);
            if (i > 0) expect(slot.startAt - plan.slots[i - 1]!.startAt).toBeCloseTo(interval, 6);
          });
        },
      ),
    );
  });
});

describe('when a claimed send starts', () => {
  it('waits for its slot', () => {
    expect(startDecision({ now: 1000, slot: 1040, previousStart: undefined, ratePerSecond: 10 })).toEqual({ kind: 'start', waitMs: 40 });
  });

  it('keeps an interval after this worker’s previous start on the number, even if the slot is earlier', () => {
    expect(startDecision({ now: 1000, slot: 1000, previousStart: 990, ratePerSecond: 50 })).toEqual({ kind: 'start', waitMs: 10 });
  });

  it('starts a little late rather than not at all', () => {
    expect(startDecision({ now: 1000 + LATE_TOLERANCE_MS, slot: 1000, previousStart: undefined, ratePerSecond: 100 })).toEqual({
      kind: 'start',
      waitMs: 0,
    });
  });

  it('is booked again when it would start later than its slot by more than the tolerance', () => {
    expect(startDecision({ now: 1000 + LATE_TOLERANCE_MS + 1, slot: 1000, previousStart: undefined, ratePerSecond: 100 })).toEqual({
      kind: 'rebook',
    });
    // A slow number tolerates half an interval.
    expect(startDecision({ now: 1400, slot: 1000, previousStart: undefined, ratePerSecond: 1 })).toEqual({ kind: 'start', waitMs: 0 });
    expect(startDecision({ now: 1501, slot: 1000, previousStart: undefined, ratePerSecond: 1 })).toEqual({ kind: 'rebook' });
    // Or when the previous start pushes it too far past its slot.
    expect(startDecision({ now: 1000, slot: 1000, previousStart: 1900, ratePerSecond: 1 })).toEqual({ kind: 'rebook' });
  });
});
