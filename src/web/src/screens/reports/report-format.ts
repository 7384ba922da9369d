import type { Bucket } from './report-query.js';

/** How the dashboard writes a figure with no data (the API's null). */
export const NO_FIGURE = '—';

/**
 * A duration as a person reads it: `45 s`, `12 min`, `1 h 5 min`, `2 d 3 h`; the two
 * largest units only, rounded to the smaller one. Null (no data) is `—`.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return NO_FIGURE;
  const s = Math.max(0, seconds);
  if (s < 60) return `${Math.round(s)} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const min = minutes % 60;
    return min === 0 ? `${h} h` : `${h} h ${min} min`;
  }
  const hours = Math.round(s / 3600);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

export function formatCount(value: number): string {
  return value.toLocaleString();
}

/** The unit a chart of durations counts in, chosen so its largest value reads well. */
export interface DurationUnit {
  name: 'minutes' | 'hours' | 'days';
  seconds: number;
}

export function durationUnit(largestSeconds: number): DurationUnit {
  if (largestSeconds < 2 * 3600) return { name: 'minutes', seconds: 60 };
  if (largestSeconds < 3 * 24 * 3600) return { name: 'hours', seconds: 3600 };
  return { name: 'days', seconds: 24 * 3600 };
}

/** A calendar date `YYYY-MM-DD` formatted as itself, whatever the browser's zone. */
function formatDay(day: string, options: Intl.DateTimeFormatOptions): string {
  const at = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? day : at.toLocaleDateString(undefined, { ...options, timeZone: 'UTC' });
}

/** A bucket in a table: `Mon 2 Mar 2026`, `Week of 2 Mar 2026`, `March 2026`. */
export function bucketLabel(start: string, bucket: Bucket): string {
  switch (bucket) {
    case 'day':
      return formatDay(start, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    case 'week':
      return `Week of ${formatDay(start, { day: 'numeric', month: 'short', year: 'numeric' })}`;
    case 'month':
      return formatDay(start, { month: 'long', year: 'numeric' });
  }
}

/** A bucket on a chart's axis, shorter: `2 Mar`, `Mar 2026`. */
export function bucketAxisLabel(start: string, bucket: Bucket): string {
  return bucket === 'month' ? formatDay(start, { month: 'short', year: 'numeric' }) : formatDay(start, { day: 'numeric', month: 'short' });
}

/** The heading of a table's first column. */
export const BUCKET_HEADINGS: Record<Bucket, string> = { day: 'Day', week: 'Week', month: 'Month' };
