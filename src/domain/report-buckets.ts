import { DateTime } from 'luxon';
import { dayRange } from './day-range.js';
import { validationFailed } from './errors.js';
import type { BucketSpan, ReportBucket } from './report-summary.js';

/** Enough for three years by day; a longer range asks for weeks or months. */
export const MAX_REPORT_BUCKETS = 1100;

/** The buckets of `from`..`to` (both days in `tz`, `to` included): calendar days, ISO weeks (Monday first) or months, cut to the range. */
export function reportBuckets(from: string, to: string, tz: string | undefined, bucket: ReportBucket): BucketSpan[] {
  const range = dayRange(from, to, tz);
  const zone = tz ?? 'UTC';
  const spans: BucketSpan[] = [];
  let start = DateTime.fromMillis(range.from!, { zone });
  while (start.toMillis() < range.to!) {
    const next = start.startOf(bucket).plus({ [bucket]: 1 });
    const endAt = Math.min(next.toMillis(), range.to!);
    spans.push({ start: start.toISODate()!, startAt: start.toMillis(), endAt });
    if (spans.length > MAX_REPORT_BUCKETS) {
      throw validationFailed(`A report has at most ${MAX_REPORT_BUCKETS} buckets; choose a shorter range or a longer bucket`);
    }
    start = DateTime.fromMillis(endAt, { zone });
  }
  return spans;
}
