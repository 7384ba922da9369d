import i18next from 'i18next';
import { sameId, type CaseRecord, type Id } from '../../api/types.js';

/**
 * WhatsApp's 24-hour window on the case screen (DESIGN.md §8): how long free text can still
 * reach the contact, and a warning for the holder of a waiting case when under an hour is left.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOW_MS = 24 * HOUR;
export const WARN_BELOW_MS = HOUR;

export type WindowClock = { state: 'open'; leftMs: number; warn: boolean } | { state: 'closed' };

type WindowFacts = Pick<CaseRecord, 'channel' | 'windowOpen' | 'windowClosesAt' | 'waitingSince' | 'lockedBy'>;

/** The window of a WhatsApp case at `now`; null on SMS, and on WhatsApp when nothing tells (no time, no answer). */
export function windowClock(record: WindowFacts, myId: Id, now: number): WindowClock | null {
  if (record.channel !== 'whatsapp') return null;
  const closesAt = record.windowClosesAt === null ? Number.NaN : Date.parse(record.windowClosesAt);
  // No inbound message yet (a case opened by writing first): the server's answer is all there is.
  if (Number.isNaN(closesAt)) return record.windowOpen === false ? { state: 'closed' } : null;
  // Open up to and including the closing instant, as the server counts it.
  if (now > closesAt) return { state: 'closed' };
  // A clock a little behind the server's would show more than the window's whole length.
  const leftMs = Math.min(closesAt - now, WINDOW_MS);
  const heldByMe = record.lockedBy !== null && sameId(record.lockedBy.id, myId);
  return { state: 'open', leftMs, warn: leftMs < WARN_BELOW_MS && record.waitingSince !== null && heldByMe };
}

/** `3 h 20 min`, `24 h`, `42 min`, `under 1 min`: whole minutes left, rounded down. */
export function formatTimeLeft(ms: number): string {
  if (ms < MINUTE) return i18next.t('case:window.underOneMinute');
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (hours === 0) return i18next.t('case:window.minutes', { minutes });
  return minutes ? i18next.t('case:window.hoursMinutes', { hours, minutes }) : i18next.t('case:window.hours', { hours });
}

/**
 * How long until the shown text changes: the next whole minute of time left, or the closing
 * itself; null once closed, when nothing changes any more. Never more than a minute.
 */
export function msUntilChange(closesAt: number, now: number): number | null {
  const left = closesAt - now;
  if (left < 0) return null;
  return Math.min((left % MINUTE) + 1, MINUTE);
}
