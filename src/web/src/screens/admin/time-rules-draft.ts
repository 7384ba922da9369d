import i18next from 'i18next';
import type { BusinessHours, Survey } from '../../api/types.js';

/**
 * A survey's time rules (DESIGN.md §8) as the form edits them: business hours, alerts and
 * auto-close, each on or off (null when off). Numbers stay text while typed; the body the
 * API takes is made in `timeRulesBody`, and the server's validation has the last word.
 */
export type TimeRules = Pick<Survey, 'businessHours' | 'alerts' | 'autoClose'>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly (keyof BusinessHours['weekly'])[];
export type Weekday = (typeof WEEKDAYS)[number];
/** A weekday's name in `locale` ("Monday", "lundi"), from the browser's own calendar data. */
export function weekdayName(day: Weekday, locale: string): string {
  // 1 January 2024 was a Monday.
  const date = new Date(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(day)));
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(date);
}
/** The server's limit of intervals a day. */
export const MAX_INTERVALS = 12;

/**
 * One opening interval as time inputs give it, `HH:MM`. A time input cannot say 24:00, so an
 * interval that runs to midnight ends at 00:00 here and at 24:00 in the API.
 */
export interface Interval {
  start: string;
  end: string;
}

export interface TimeRulesDraft {
  hoursOn: boolean;
  timeZone: string;
  weekly: Record<Weekday, Interval[]>;
  /** `YYYY-MM-DD`, in order. */
  holidays: string[];
  alertsOn: boolean;
  firstLevelMinutes: string;
  /** Empty: no second level. */
  secondLevelMinutes: string;
  /** Addresses one a line (commas and spaces also separate). */
  emails: string;
  autoCloseOn: boolean;
  quietDays: string;
  /** Empty: close without a text. */
  closingText: string;
}

const MIDNIGHT = '00:00';
const END_OF_DAY = '24:00';
const OFFICE_HOURS: Interval = { start: '09:00', end: '17:00' };
const WORKING_DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** The browser's own time zone, the default for new business hours. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * The form for a survey's stored rules. What is off starts from a sensible default (office hours
 * Monday to Friday in `defaultZone`, an alert after 30 minutes, closing after 14 quiet days), so
 * switching a rule on shows something to adjust rather than an empty form.
 */
export function timeRulesDraft(rules: TimeRules, defaultZone: string): TimeRulesDraft {
  const { businessHours: hours, alerts, autoClose } = rules;
  const weekly = Object.fromEntries(
    WEEKDAYS.map((day) => [
      day,
      hours ? (hours.weekly[day] ?? []).map(([start, end]) => ({ start, end: end === END_OF_DAY ? MIDNIGHT : end })) : defaultDay(day),
    ]),
  ) as Record<Weekday, Interval[]>;
  return {
    hoursOn: hours !== null,
    timeZone: hours?.timeZone ?? defaultZone,
    weekly,
    holidays: [...(hours?.holidays ?? [])].sort(),
    alertsOn: alerts !== null,
    firstLevelMinutes: String(alerts?.firstLevelMinutes ?? 30),
    secondLevelMinutes: alerts && alerts.secondLevelMinutes !== null ? String(alerts.secondLevelMinutes) : '',
    emails: (alerts?.emails ?? []).join('\n'),
    autoCloseOn: autoClose !== null,
    quietDays: String(autoClose?.quietDays ?? 14),
    closingText: autoClose?.closingText ?? '',
  };
}

function defaultDay(day: Weekday): Interval[] {
  return WORKING_DAYS.includes(day) ? [{ ...OFFICE_HOURS }] : [];
}

/** The PATCH body for the survey: every rule, null when off. */
export function timeRulesBody(draft: TimeRulesDraft): TimeRules {
  return {
    businessHours: draft.hoursOn
      ? {
          timeZone: draft.timeZone,
          weekly: Object.fromEntries(
            WEEKDAYS.filter((day) => draft.weekly[day].length > 0).map((day) => [
              day,
              draft.weekly[day].map(({ start, end }): [string, string] => [start, end === MIDNIGHT ? END_OF_DAY : end]),
            ]),
          ),
          holidays: draft.holidays,
        }
      : null,
    alerts: draft.alertsOn
      ? {
          firstLevelMinutes: numberOf(draft.firstLevelMinutes),
          secondLevelMinutes: draft.secondLevelMinutes.trim() ? numberOf(draft.secondLevelMinutes) : null,
          emails: draft.emails.split(/[\s,;]+/).filter(Boolean),
        }
      : null,
    autoClose: draft.autoCloseOn
      ? { quietDays: numberOf(draft.quietDays), closingText: draft.closingText.trim() ? draft.closingText.trim() : null }
      : null,
  };
}

/** What was typed as a number; anything else is sent as it is for the server to name. */
function numberOf(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/** Whether another interval fits after the day's latest one (none fits after one that runs to midnight). */
export function canAddInterval(day: readonly Interval[]): boolean {
  return day.length < MAX_INTERVALS && !day.some((interval) => interval.end === MIDNIGHT);
}

/**
 * The day with one more interval: office hours on a closed day, else up to four hours from the
 * latest end (09:00–12:00 gets 12:00–16:00, to be narrowed to the afternoon's real hours).
 */
export function addInterval(day: readonly Interval[]): Interval[] {
  if (!canAddInterval(day)) return [...day];
  if (day.length === 0) return [{ ...OFFICE_HOURS }];
  const latestEnd = Math.max(...day.map((interval) => minutesOf(interval.end)));
  const end = Math.min(latestEnd + 4 * 60, 24 * 60);
  return [...day, { start: clockOf(latestEnd), end: end === 24 * 60 ? MIDNIGHT : clockOf(end) }];
}

export function removeInterval(day: readonly Interval[], index: number): Interval[] {
  return day.filter((_, i) => i !== index);
}

export function changeInterval(day: readonly Interval[], index: number, change: Partial<Interval>): Interval[] {
  return day.map((interval, i) => (i === index ? { ...interval, ...change } : interval));
}

/** Every day given `source`'s intervals, e.g. Monday's hours on every weekday. */
export function copyDay(weekly: Record<Weekday, Interval[]>, source: Weekday, to: readonly Weekday[]): Record<Weekday, Interval[]> {
  const next = { ...weekly };
  for (const day of to) next[day] = weekly[source].map((interval) => ({ ...interval }));
  return next;
}

/** The holidays with `date` added, once, in order; a value that is not a date is left out. */
export function addHoliday(holidays: readonly string[], date: string): string[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || holidays.includes(date)) return [...holidays];
  return [...holidays, date].sort();
}

/**
 * The zones to offer: the browser's list, with the selected one added if the browser does not
 * list it (a zone stored by another browser, or an alias such as UTC).
 */
export function timeZoneOptions(supported: readonly string[], selected: string): string[] {
  return supported.includes(selected) ? [...supported] : [...supported, selected].sort();
}

/** The browser's IANA zones; [] where `Intl.supportedValuesOf` is missing (the selected zone is still offered). */
export function supportedTimeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: 'timeZone') => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

/** One line about a survey's rules for the survey form: "Business hours (Europe/London) · Alerts after 30 min · …". */
export function describeTimeRules(rules: TimeRules): string {
  const parts: string[] = [];
  const { businessHours: hours, alerts, autoClose } = rules;
  if (hours) {
    const days = WEEKDAYS.filter((day) => (hours.weekly[day] ?? []).length > 0).length;
    parts.push(i18next.t('admin:timeRules.summary.hours', { zone: hours.timeZone, count: days }));
  }
  if (alerts) {
    parts.push(
      alerts.secondLevelMinutes === null
        ? i18next.t('admin:timeRules.summary.alerts', { first: alerts.firstLevelMinutes })
        : i18next.t('admin:timeRules.summary.alertsWithAdmins', { first: alerts.firstLevelMinutes, second: alerts.secondLevelMinutes }),
    );
  }
  if (autoClose) parts.push(i18next.t('admin:timeRules.summary.autoClose', { count: autoClose.quietDays }));
  return parts.length ? parts.join(' · ') : i18next.t('admin:timeRules.summary.none');
}

function minutesOf(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  // An end at 00:00 is midnight at the day's end.
  return clock === MIDNIGHT ? 24 * 60 : hours * 60 + minutes;
}

function clockOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
