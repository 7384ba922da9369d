import { describe, expect, it } from 'vitest';
import { reportBuckets } from '../../../src/domain/report-buckets.js';
import { summarise, type SlotCounts } from '../../../src/domain/report-summary.js';

const utc = (iso: string) => Date.parse(iso);

describe('report buckets', () => {
  it('are whole days in the zone, the last day included', () => {
    const days = reportBuckets('2026-03-02', '2026-03-03', 'Europe/Berlin', 'day');
    expect(days).toEqual([
      { start: '2026-03-02', startAt: utc('2026-03-01T23:00:00Z'), endAt: utc('2026-03-02T23:00:00Z') },
      { start: '2026-03-03', startAt: utc('2026-03-02T23:00:00Z'), endAt: utc('2026-03-03T23:00:00Z') },
    ]);
  });

  it('follow a change of clocks: the day the clocks go forward has 23 hours', () => {
    const [day] = reportBuckets('2026-03-29', '2026-03-29', 'Europe/London', 'day');
    expect(day!.endAt - day!.startAt).toBe(23 * 3600_000);
  });

  it('are ISO weeks from Monday and calendar months, cut to the range', () => {
    expect(reportBuckets('2026-03-04', '2026-03-17', 'UTC', 'week').map((b) => b.start)).toEqual([
      '2026-03-04',
      '2026-03-09',
      '2026-03-16',
    ]);
    const months = reportBuckets('2026-01-31', '2026-03-01', 'UTC', 'month');
    expect(months.map((b) => b.start)).toEqual(['2026-01-31', '2026-02-01', '2026-03-01']);
    expect(months.at(-1)!.endAt).toBe(utc('2026-03-02T00:00:00Z'));
  });

  it('start on a quarter hour in every zone, so counts per quarter hour fall wholly in one bucket', () => {
    for (const zone of ['Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns']) {
      for (const b of reportBuckets('2026-06-01', '2026-06-03', zone, 'day')) expect(b.startAt % 900_000).toBe(0);
    }
  });

  it('refuse a range of more buckets than a report holds', () => {
    expect(() => reportBuckets('2020-01-01', '2026-01-01', 'UTC', 'day')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(reportBuckets('2020-01-01', '2026-01-01', 'UTC', 'month')).toHaveLength(73);
  });
});

describe('summarise', () => {
  const buckets = reportBuckets('2026-03-02', '2026-03-03', 'UTC', 'day');
  const slot = (iso: string, counts: Partial<SlotCounts>): SlotCounts => ({
    slot: utc(iso),
    inbound: 0,
    outbound: 0,
    newCases: 0,
    closedCases: 0,
    backlogChange: 0,
    ...counts,
  });

  it('adds quarter hours into their bucket and carries the backlog from the start', () => {
    const summary = summarise({
      buckets,
      backlogAtStart: 10,
      slots: [
        slot('2026-03-02T00:00:00Z', { inbound: 2, newCases: 2, backlogChange: 2 }),
        slot('2026-03-02T23:45:00Z', { outbound: 1, closedCases: 1, backlogChange: -1 }),
        slot('2026-03-03T12:00:00Z', { inbound: 1, backlogChange: 1 }),
      ],
      firstResponses: [],
      closes: [],
      workerResponses: [],
      workers: [],
      names: new Map(),
    });
    expect(summary.buckets.map((b) => [b.inbound, b.outbound, b.newCases, b.closedCases, b.backlog])).toEqual([
      [2, 1, 2, 1, 11],
      [1, 0, 0, 0, 12],
    ]);
  });

  it('gives each bucket its median and 90th percentile duration in seconds, and each worker their median', () => {
    const summary = summarise({
      buckets,
      backlogAtStart: 0,
      slots: [],
      firstResponses: [
        { group: '0', median: 2000, p90: 2800 },
        { group: '1', median: 5000, p90: 5000 },
      ],
      closes: [{ group: '1', median: 60_000, p90: 60_000 }],
      workerResponses: [
        { group: 'u1', median: 5000, p90: 8200 },
        { group: 'u2', median: 3000, p90: 3000 },
      ],
      workers: [{ userId: 'u2', replies: 4, closedCases: 1 }],
      names: new Map([
        ['u1', 'Zainab'],
        ['u2', 'Amina'],
      ]),
    });
    expect(summary.buckets.map((b) => b.firstResponseSeconds)).toEqual([
      { median: 2, p90: 2.8 },
      { median: 5, p90: 5 },
    ]);
    expect(summary.buckets.map((b) => b.timeToCloseSeconds.median)).toEqual([null, 60]);
    expect(summary.workers).toEqual([
      { userId: 'u2', name: 'Amina', replies: 4, closedCases: 1, firstResponseSeconds: { median: 3 } },
      // A worker who only answered first still appears, with what they did.
      { userId: 'u1', name: 'Zainab', replies: 0, closedCases: 0, firstResponseSeconds: { median: 5 } },
    ]);
  });
});
