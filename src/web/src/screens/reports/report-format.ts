import i18next from 'i18next';
import { currentLocale } from '../../i18n/setup.js';
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
  if (s < 60) return i18next.t('reports:format.seconds', { seconds: formatCount(Math.round(s)) });
  const minutes = Math.round(s / 60);
  if (minutes < 60) return i18next.t('reports:format.minutes', { minutes: formatCount(minutes) });
  if (minutes < 24 * 60) {
    const h = formatCount(Math.floor(minutes / 60));
    const min = minutes % 60;
    return min === 0
      ? i18next.t('reports:format.hours', { hours: h })
      : i18next.t('reports:format.hoursMinutes', { hours: h, minutes: formatCount(min) });
  }
  const hours = Math.round(s / 3600);
  const d = formatCount(Math.floor(hours / 24));
  const h = hours % 24;
  return h === 0
    ? i18next.t('reports:format.days', { days: d })
    : i18next.t('reports:format.daysHours', { days: d, hours: formatCount(h) });
}

/** A figure written in the console's language: `1,234`, `1 234`, `١٬٢٣٤`. */
export function formatCount(value: number): string {
  return new Intl.NumberFormat(currentLocale()).format(value);
}

/** The unit a chart of durations counts in, chosen so its largest value reads well. */
export interface DurationUnit {
  name: 'minutes' | 'hours' | 'days';
  seconds: number;
}

const UNIT_NAMES = { minutes: 'reports:charts.minutes', hours: 'reports:charts.hours', days: 'reports:charts.days' } as const;

/** The unit's name on a chart's axis, in the console's language. */
export function durationUnitName(unit: DurationUnit): string {
  return i18next.t(UNIT_NAMES[unit.name]);
}

export function durationUnit(largestSeconds: number): DurationUnit {
  if (largestSeconds < 2 * 3600) return { name: 'minutes', seconds: 60 };
  if (largestSeconds < 3 * 24 * 3600) return { name: 'hours', seconds: 3600 };
  return { name: 'days', seconds: 24 * 3600 };
}

/** A calendar date `YYYY-MM-DD` formatted as itself, whatever the browser's zone. */
function formatDay(day: string, options: Intl.DateTimeFormatOptions): string {
  const at = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? day : at.toLocaleDateString(currentLocale(), { ...options, timeZone: 'UTC' });
}

/** A bucket in a table: `Mon 2 Mar 2026`, `Week of 2 Mar 2026`, `March 2026`. */
export function bucketLabel(start: string, bucket: Bucket): string {
  switch (bucket) {
    case 'day':
      return formatDay(start, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    case 'week':
      return i18next.t('reports:format.weekOf', { date: formatDay(start, { day: 'numeric', month: 'short', year: 'numeric' }) });
    case 'month':
      return formatDay(start, { month: 'long', year: 'numeric' });
  }
}

/** A bucket on a chart's axis, shorter: `2 Mar`, `Mar 2026`. */
export function bucketAxisLabel(start: string, bucket: Bucket): string {
  return bucket === 'month' ? formatDay(start, { month: 'short', year: 'numeric' }) : formatDay(start, { day: 'numeric', month: 'short' });
}

const BUCKET_HEADINGS = { day: 'reports:tables.day', week: 'reports:tables.week', month: 'reports:tables.month' } as const;

/** The heading of a table's first column. */
export function bucketHeading(bucket: Bucket): string {
  return i18next.t(BUCKET_HEADINGS[bucket]);
}
