import { describe, expect, it } from 'vitest';
import { dayRange } from '../../../src/domain/day-range.js';

describe('day ranges in a time zone', () => {
  it('runs from the start of `from` to the end of `to`, in UTC by default', () => {
    expect(dayRange('2026-11-30', '2026-11-30', undefined)).toEqual({
      from: Date.parse('2026-11-30T00:00:00Z'),
      to: Date.parse('2026-12-01T00:00:00Z'),
    });
    expect(dayRange(undefined, undefined, undefined)).toEqual({ from: undefined, to: undefined });
  });

  it('follows the zone, across a change of clocks', () => {
    expect(dayRange('2026-11-30', undefined, 'Europe/Berlin').from).toBe(Date.parse('2026-11-29T23:00:00Z'));
    // 29 March 2026 has 23 hours in London.
    expect(dayRange('2026-03-29', '2026-03-29', 'Europe/London')).toEqual({
      from: Date.parse('2026-03-29T00:00:00Z'),
      to: Date.parse('2026-03-29T23:00:00Z'),
    });
  });

  it('refuses a bad zone, a day that does not exist, and from after to', () => {
    for (const call of [
      () => dayRange(undefined, undefined, 'Mars/Olympus'),
      () => dayRange('2026-02-30', undefined, undefined),
      () => dayRange('30-11-2026', undefined, undefined),
      () => dayRange('2026-12-02', '2026-12-01', undefined),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    }
  });
});
