import { IANAZone } from 'luxon';
import { validationFailed } from './errors.js';

/**
 * A survey's business hours (DESIGN.md §8, §13 "survey settings"): an IANA time zone, a
 * weekly schedule of local opening intervals, and whole-day holidays. Intervals are
 * `["HH:MM", "HH:MM"]` with the start before the end; `"24:00"` ends a day. A night shift
 * is two intervals: `["22:00","24:00"]` on one day and `["00:00","06:00"]` on the next.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type OpeningInterval = [string, string];

export interface BusinessHours {
  timeZone: string;
  weekly: Partial<Record<Weekday, OpeningInterval[]>>;
  /** Local dates, `YYYY-MM-DD`, closed all day. */
  holidays: string[];
}

const CLOCK_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/u;
const LOCAL_DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/u;

const MINUTE_MS = 60_000;
const DAY_MS = 1440 * MINUTE_MS;
/** `addBusinessMinutes` gives up after this long without any open time (holidays could cover every opening day). */
const CLOSED_SEARCH_LIMIT_MS = 3 * 366 * DAY_MS;

/** Days since 1970-01-01 of a local date `YYYY-MM-DD`; null for anything else, including days a month lacks (02-30). */
function localDayNumber(date: string): number | null {
  if (!LOCAL_DATE.test(date)) return null;
  const midnight = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March 2 rather than refusing it.
  return new Date(midnight).toISOString().startsWith(date) ? midnight / DAY_MS : null;
}

/** Minutes after local midnight of `HH:MM` (24:00 is 1440). */
export function minuteOfDay(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** Throws `validation_failed` naming the first thing wrong with `hours`. */
export function validateBusinessHours(hours: BusinessHours): void {
  if (!IANAZone.isValidZone(hours.timeZone)) {
    throw validationFailed(`businessHours.timeZone ${JSON.stringify(hours.timeZone)} is not an IANA time zone`);
  }
  let intervals = 0;
  // A Partial record's values may be undefined at run time (`{ sat: undefined }`).
  for (const [day, list] of Object.entries(hours.weekly) as [string, OpeningInterval[] | undefined][]) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) throw validationFailed(`businessHours.weekly.${day} is not a weekday (mon … sun)`);
    const sorted = [...(list ?? [])].sort((a, b) => minuteOfDay(a[0]) - minuteOfDay(b[0]));
    let previousEnd = -1;
    for (const [start, end] of sorted) {
      if (!CLOCK_TIME.test(start) || !CLOCK_TIME.test(end) || start === '24:00') {
        throw validationFailed(`businessHours.weekly.${day}: times are HH:MM, from 00:00 to 24:00`);
      }
      if (minuteOfDay(start) >= minuteOfDay(end)) {
        throw validationFailed(`businessHours.weekly.${day}: ${start}–${end} must start before it ends (split a night shift at midnight)`);
      }
      if (minuteOfDay(start) < previousEnd) throw validationFailed(`businessHours.weekly.${day}: intervals overlap`);
      previousEnd = minuteOfDay(end);
      intervals += 1;
    }
  }
  if (intervals === 0) throw validationFailed('businessHours.weekly needs at least one opening interval');
  for (const date of hours.holidays) {
    if (localDayNumber(date) === null) throw validationFailed(`businessHours.holidays: ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
  }
}

/** A validated schedule in the shape the arithmetic walks: milliseconds and day numbers. */
interface Schedule {
  zone: IANAZone;
  /** Per weekday (index 0 is Monday), `[open, close)` in ms after local midnight, in order. */
  week: [number, number][][];
  /** Local day numbers (days since 1970-01-01) closed all day. */
  holidays: Set<number>;
}

function compile(hours: BusinessHours): Schedule {
  const zone = IANAZone.create(hours.timeZone);
  if (!zone.isValid) throw validationFailed(`businessHours.timeZone ${JSON.stringify(hours.timeZone)} is not an IANA time zone`);
  const week = WEEKDAYS.map((day) =>
    (hours.weekly[day] ?? [])
      .map(([open, close]): [number, number] => [minuteOfDay(open) * MINUTE_MS, minuteOfDay(close) * MINUTE_MS])
      .sort((a, b) => a[0] - b[0]),
  );
  const holidays = new Set<number>();
  for (const date of hours.holidays) {
    const day = localDayNumber(date);
    if (day !== null) holidays.add(day);
  }
  return { zone, week, holidays };
}

/** 1970-01-01 was a Thursday, index 3 of WEEKDAYS. */
const weekdayIndex = (day: number): number => (((day + 3) % 7) + 7) % 7;

const offsetMs = (zone: IANAZone, at: number): number => zone.offset(at) * MINUTE_MS;

/**
 * The first instant in `(after, by]` whose UTC offset is not `offset`, given that `after` has it
 * and `by` does not. Probing whole minutes first ends the search in about a dozen look-ups,
 * since zones change offset on whole minutes; the search stays exact if one does not.
 */
function nextTransition(zone: IANAZone, after: number, by: number, offset: number): number {
  let lo = after;
  let hi = by;
  let probedEdge = false;
  while (hi - lo > 1) {
    let probe = Math.floor((lo + hi) / 2);
    if (hi - lo > MINUTE_MS) {
      const minute = Math.round(probe / MINUTE_MS) * MINUTE_MS;
      if (minute > lo && minute < hi) probe = minute;
    } else if (!probedEdge && hi % MINUTE_MS === 0) {
      probe = hi - 1;
      probedEdge = true;
    }
    if (offsetMs(zone, probe) === offset) lo = probe;
    else hi = probe;
  }
  return hi;
}

/**
 * The open stretches `[start, end)` from `from` (clipped to it) until `until`, in time order:
 * every instant whose local date is no holiday and whose local wall-clock time lies in one of
 * that weekday's intervals. Walking one local day, or one stretch of constant UTC offset, at a
 * time makes daylight-saving changes come out as real elapsed time: a skipped hour is never
 * open, a repeated hour is open twice, a start inside a skipped hour opens when the clock
 * jumps. Stops once `maxClosedMs` pass with nothing open. Assumes a zone changes offset at
 * most once a day, which every zone does.
 */
function* openStretches(schedule: Schedule, from: number, until: number, maxClosedMs = Infinity): Generator<[number, number]> {
  let at = from;
  let offset = offsetMs(schedule.zone, at);
  let lastOpen = from;
  while (at < until && at - lastOpen <= maxClosedMs) {
    const day = Math.floor((at + offset) / DAY_MS);
    const midnight = day * DAY_MS - offset;
    let segmentEnd = midnight + DAY_MS;
    let nextOffset = offsetMs(schedule.zone, segmentEnd);
    if (nextOffset !== offset) {
      segmentEnd = nextTransition(schedule.zone, at, segmentEnd, offset);
      nextOffset = offsetMs(schedule.zone, segmentEnd);
    }
    const end = Math.min(segmentEnd, until);
    if (!schedule.holidays.has(day)) {
      for (const [open, close] of schedule.week[weekdayIndex(day)]!) {
        const stretchStart = Math.max(midnight + open, at);
        const stretchEnd = Math.min(midnight + close, end);
        if (stretchStart < stretchEnd) {
          lastOpen = stretchEnd;
          yield [stretchStart, stretchEnd];
        }
      }
    }
    at = segmentEnd;
    offset = nextOffset;
  }
}

/**
 * Whether the survey is open at the instant `at` (ms since the epoch): `at`'s local date in the
 * zone is no holiday and its local time lies in one of that weekday's intervals, start
 * included, end excluded.
 */
export function isOpenAt(hours: BusinessHours, at: number): boolean {
  const schedule = compile(hours);
  const local = at + offsetMs(schedule.zone, at);
  const day = Math.floor(local / DAY_MS);
  if (schedule.holidays.has(day)) return false;
  const time = local - day * DAY_MS;
  return schedule.week[weekdayIndex(day)]!.some(([open, close]) => time >= open && time < close);
}

/**
 * The open time within `[from, to)`, in minutes: the exact open milliseconds divided by 60,000,
 * so fractional when the instants are not whole minutes apart. 0 when `to` is not after `from`.
 * Open time across a daylight-saving change is real elapsed time (see `openStretches`).
 */
export function businessMinutesBetween(hours: BusinessHours, from: number, to: number): number {
  const schedule = compile(hours);
  if (!(to > from)) return 0;
  let openMs = 0;
  for (const [start, end] of openStretches(schedule, from, to)) openMs += end - start;
  return openMs / MINUTE_MS;
}

/**
 * The earliest instant `t >= from` with `businessMinutesBetween(hours, from, t) === minutes`
 * (minutes are taken to the nearest millisecond). So a count that runs out at closing time
 * gives the closing instant, not the next opening; and 0 minutes gives `from` itself, open or
 * not, since no open time has to pass. Null when three years go by without any open time
 * (holidays covering every opening day). Throws a RangeError for negative or non-finite minutes.
 */
export function addBusinessMinutes(hours: BusinessHours, from: number, minutes: number): number | null {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`business minutes must be a finite number ≥ 0, not ${minutes}`);
  const schedule = compile(hours);
  let remainingMs = Math.round(minutes * MINUTE_MS);
  if (remainingMs === 0) return from;
  for (const [start, end] of openStretches(schedule, from, Infinity, CLOSED_SEARCH_LIMIT_MS)) {
    if (end - start >= remainingMs) return start + remainingMs;
    remainingMs -= end - start;
  }
  return null;
}
