import { addBusinessMinutes, isOpenAt, type BusinessHours } from './business-hours.js';
import { validationFailed } from './errors.js';

/**
 * Time rules (DESIGN.md §8) over plain data: the settings' shapes, their validation, and the
 * moments the timers are due. Timers are durable jobs (src/jobs/job-worker.ts) whose kinds
 * are named here; a case's timer has an id derived from the case, so it is kept once.
 */
export const ALERT_LEVELS = [1, 2] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** A survey's alert thresholds, in minutes of waiting (business minutes when the survey has hours). */
export interface AlertSettings {
  firstLevelMinutes: number;
  /** Null: no second level. Counted from the same start as the first, so it must be later. */
  secondLevelMinutes: number | null;
  /** Further addresses every alert email of the survey goes to. */
  emails: string[];
}

export interface AutoCloseSettings {
  /** Days without any message, in or out, after which an open case is closed by the system. */
  quietDays: number;
  /** Sent, marked automatic, before the case closes; null closes silently. */
  closingText: string | null;
}

export interface Acknowledgement {
  text: string;
  /** Sent instead of `text` outside the survey's business hours; null sends `text` then too. */
  outOfHoursText: string | null;
}

/** Job kinds of the time rules' timers and the work they cause. */
export const ALERT_TIMER_JOBS: Record<AlertLevel, string> = { 1: 'alert.first', 2: 'alert.second' };
export const ALERT_EMAIL_JOB = 'alert.email';
export const AUTO_CLOSE_JOB = 'case.auto-close';

/** The id of a case's timer of `kind`: one row per case and kind, however often it is scheduled. */
export function timerJobId(kind: string, recordId: string): string {
  return `${kind}:${recordId}`;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Thresholds longer than this are mistakes (a month of waiting is not an alert). */
const MAX_ALERT_MINUTES = 60 * 24 * 31;
const MAX_QUIET_DAYS = 3650;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export function validateAlertSettings(alerts: AlertSettings): void {
  const { firstLevelMinutes: first, secondLevelMinutes: second } = alerts;
  if (!Number.isInteger(first) || first < 1 || first > MAX_ALERT_MINUTES) {
    throw validationFailed(`alerts.firstLevelMinutes must be a whole number from 1 to ${MAX_ALERT_MINUTES}`);
  }
  if (second !== null && (!Number.isInteger(second) || second <= first || second > MAX_ALERT_MINUTES)) {
    throw validationFailed(`alerts.secondLevelMinutes must be a whole number above firstLevelMinutes and at most ${MAX_ALERT_MINUTES}`);
  }
  for (const email of alerts.emails) {
    if (!EMAIL.test(email)) throw validationFailed(`alerts.emails: ${JSON.stringify(email)} is not an email address`);
  }
}

export function validateAutoClose(autoClose: AutoCloseSettings): void {
  if (!Number.isInteger(autoClose.quietDays) || autoClose.quietDays < 1 || autoClose.quietDays > MAX_QUIET_DAYS) {
    throw validationFailed(`autoClose.quietDays must be a whole number from 1 to ${MAX_QUIET_DAYS}`);
  }
  if (autoClose.closingText !== null && !autoClose.closingText.trim()) {
    throw validationFailed('autoClose.closingText must not be blank; use null to close without a text');
  }
}

export function validateAcknowledgement(ack: Acknowledgement): void {
  if (!ack.text.trim()) throw validationFailed('acknowledgement.text must not be blank; use null to send none');
  if (ack.outOfHoursText !== null && !ack.outOfHoursText.trim()) {
    throw validationFailed('acknowledgement.outOfHoursText must not be blank; use null to send the text at all hours');
  }
}

/** The minutes a level waits for, or null when the survey has no such level. */
export function alertThresholdMinutes(alerts: AlertSettings, level: AlertLevel): number | null {
  return level === 1 ? alerts.firstLevelMinutes : alerts.secondLevelMinutes;
}

/**
 * When a case waiting since `waitingSince` crosses `minutes`: that many business minutes
 * later when the survey has hours (null if it never opens again), else wall-clock minutes.
 */
export function alertDueAt(hours: BusinessHours | null, waitingSince: number, minutes: number): number | null {
  return hours ? addBusinessMinutes(hours, waitingSince, minutes) : waitingSince + minutes * MINUTE_MS;
}

/** When a case whose last message was at `lastActivityAt` has been quiet long enough to close. */
export function autoCloseDueAt(settings: AutoCloseSettings, lastActivityAt: number): number {
  return lastActivityAt + settings.quietDays * DAY_MS;
}

/** The acknowledgement text for a case created at `at`: the out-of-hours one when the survey is closed then. */
export function acknowledgementText(ack: Acknowledgement, hours: BusinessHours | null, at: number): { text: string; outOfHours: boolean } {
  const outOfHours = hours !== null && !isOpenAt(hours, at);
  return { text: outOfHours && ack.outOfHoursText !== null ? ack.outOfHoursText : ack.text, outOfHours };
}

/** `{case}` filled with the case number, digits only as in saved replies: write `#{case}` for `#123`. */
export function fillCasePlaceholder(text: string, caseNumber: number): string {
  return text.replaceAll('{case}', String(caseNumber));
}
