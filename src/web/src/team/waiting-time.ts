import i18next from 'i18next';

/** How long a case has waited for a person's answer (DESIGN.md §7, the queue), as the list shows it. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** From here on the line is drawn as waiting long. */
export const LONG_WAIT_MS = HOUR;

/** `waiting 12 min`, `waiting 3 h 5 min`, `waiting 2 days 4 h`; '' without a time. A clock ahead of the server's counts as 0. */
export function formatWaiting(since: string | null | undefined, now: number = Date.now()): string {
  const ms = waitedMs(since, now);
  return ms === null ? '' : i18next.t('cases:waiting.since', { duration: formatDuration(ms) });
}

/** How long since `since`, never below 0; null when there is no valid time. */
export function waitedMs(since: string | null | undefined, now: number = Date.now()): number | null {
  if (!since) return null;
  const at = Date.parse(since);
  return Number.isNaN(at) ? null : Math.max(0, now - at);
}

export function formatDuration(ms: number): string {
  if (ms < MINUTE) return i18next.t('cases:duration.underMinute');
  if (ms < HOUR) return i18next.t('cases:duration.minutes', { minutes: Math.floor(ms / MINUTE) });
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    return minutes ? i18next.t('cases:duration.hoursMinutes', { hours, minutes }) : i18next.t('cases:duration.hours', { hours });
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  // A week on, the hours no longer matter to anyone.
  return hours && days < 7
    ? i18next.t('cases:duration.daysHours', { count: days, hours })
    : i18next.t('cases:duration.days', { count: days });
}
