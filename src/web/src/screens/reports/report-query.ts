import type { SummaryQuery } from '../../api/types.js';

/** The buckets the API offers (DESIGN.md §13 "the summary report"). */
export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** How many days the dashboard shows when the URL names no range, today included. */
export const DEFAULT_DAYS = 30;

/** The dashboard's filters as the screen holds them; '' means "all" for the three scopes. */
export interface ReportFilters {
  surveyId: string;
  numberId: string;
  userId: string;
  from: string;
  to: string;
  bucket: Bucket;
  tz: string;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60_000;

/** The browser's own time zone, UTC when it cannot tell. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether the browser knows `tz` as a time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day `now` falls on in `tz`, `YYYY-MM-DD`. */
export function todayIn(tz: string, now: Date = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The day `days` after `day` (before, when negative); days are calendar dates, so no zone applies. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The last `DEFAULT_DAYS` days in `tz`, today included. */
export function defaultRange(tz: string, now: Date = new Date()): { from: string; to: string } {
  const to = todayIn(tz, now);
  return { from: addDays(to, -(DEFAULT_DAYS - 1)), to };
}

const isDay = (value: string | null): value is string => value !== null && DAY_PATTERN.test(value) && !Number.isNaN(Date.parse(value));

/**
 * The filters a dashboard URL's query names (`survey`, `number`, `worker`, `from`, `to`,
 * `bucket`, `tz`); what it leaves out or gets wrong takes its default: every survey, number
 * and worker, the last 30 days, by day, in the browser's zone.
 */
export function parseReportSearch(search: string, now: Date = new Date(), fallbackZone: string = browserTimeZone()): ReportFilters {
  const params = new URLSearchParams(search);
  const zone = params.get('tz');
  const tz = zone && isTimeZone(zone) ? zone : fallbackZone;
  const range = defaultRange(tz, now);
  const from = params.get('from');
  const to = params.get('to');
  const bucket = params.get('bucket');
  return {
    surveyId: params.get('survey') ?? '',
    numberId: params.get('number') ?? '',
    userId: params.get('worker') ?? '',
    from: isDay(from) ? from : range.from,
    to: isDay(to) ? to : range.to,
    bucket: (BUCKETS as readonly string[]).includes(bucket ?? '') ? (bucket as Bucket) : 'day',
    tz,
  };
}

/**
 * The query of a dashboard URL for `filters`. Every filter is written, the dates too, so a
 * shared link shows the same days to whoever opens it, later or elsewhere.
 */
export function reportSearch(filters: ReportFilters): string {
  const params = new URLSearchParams();
  if (filters.surveyId) params.set('survey', filters.surveyId);
  if (filters.numberId) params.set('number', filters.numberId);
  if (filters.userId) params.set('worker', filters.userId);
  params.set('from', filters.from);
  params.set('to', filters.to);
  params.set('bucket', filters.bucket);
  params.set('tz', filters.tz);
  return params.toString();
}

/** The API's query for `filters`. */
export function summaryQuery(filters: ReportFilters): SummaryQuery {
  return {
    surveyId: filters.surveyId || undefined,
    numberId: filters.numberId || undefined,
    userId: filters.userId || undefined,
    from: filters.from,
    to: filters.to,
    bucket: filters.bucket,
    tz: filters.tz,
  };
}
