import { describe, expect, it } from 'vitest';
import { PROVIDER_DELETE_PACE, pacedDueTimes, redactedAnswers, retentionCutoff, validateRetention } from '../../../src/domain/retention.js';

const { startAfterMs, intervalMs } = PROVIDER_DELETE_PACE;

describe('retention', () => {
  it('a case closed more than N days ago is due; at zero days every closed case is', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    expect(retentionCutoff({ closedCaseDays: 30 }, now)).toBe(now - 30 * 24 * 3_600_000);
    expect(retentionCutoff({ closedCaseDays: 0 }, now)).toBe(now);
  });

  it('days are whole numbers from 0 to 36500', () => {
    for (const closedCaseDays of [0, 1, 36_500]) expect(() => validateRetention({ closedCaseDays })).not.toThrow();
    for (const closedCaseDays of [-1, 0.5, 36_501, Number.NaN]) {
      expect(() => validateRetention({ closedCaseDays })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    }
  });

  it('a redacted case keeps only the status answer', () => {
    expect(redactedAnswers({ status: 'closed', phone: '+447700900123', topic: 'rent' }, 'status')).toEqual({ status: 'closed' });
    expect(redactedAnswers({ phone: '+447700900123' }, 'status')).toEqual({});
    expect(redactedAnswers({ status: 'closed' }, null)).toEqual({});
  });
});

describe('paced provider deletes', () => {
  it('start a minute from now, one every interval, and the next booking follows the last', () => {
    const now = 1_000_000;
    const first = pacedDueTimes(3, now, null);
    expect(first.dueTimes).toEqual([1, 2, 3].map((i) => now + startAfterMs + i * intervalMs));
    expect(first.horizon).toBe(now + startAfterMs + 3 * intervalMs);
    const second = pacedDueTimes(2, now + 10, first.horizon);
    expect(second.dueTimes).toEqual([first.horizon + intervalMs, first.horizon + 2 * intervalMs]);
  });

  it('a horizon long past is not caught up on: the pace starts again from now', () => {
    const now = 5_000_000;
    expect(pacedDueTimes(1, now, 10).dueTimes).toEqual([now + startAfterMs + intervalMs]);
    expect(pacedDueTimes(0, now, null)).toEqual({ dueTimes: [], horizon: now + startAfterMs });
  });
});
