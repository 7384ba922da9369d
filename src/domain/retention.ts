import { validationFailed } from './errors.js';

/** A survey's retention (DESIGN.md §9): closed cases are redacted this many days after closing. */
export interface RetentionSettings {
  /** 0 is allowed: every closed case is due (§13 "retention at zero"). */
  closedCaseDays: number;
}

/** What one retention run or erasure removed, or a dry run would remove. */
export interface RedactionCounts {
  cases: number;
  messages: number;
  media: number;
}

export const RETENTION_JOB = 'survey.retention';
export const PROVIDER_DELETE_MESSAGE_JOB = 'provider.delete-message';
export const PROVIDER_DELETE_MEDIA_JOB = 'provider.delete-media';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The daily run: once a day, counted from the end of the previous run. */
export const RETENTION_INTERVAL_MS = DAY_MS;
/** A hundred years: longer is a typo, and no one means it. */
const MAX_DAYS = 36_500;

export function validateRetention(retention: RetentionSettings): void {
  const days = retention.closedCaseDays;
  if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS) {
    throw validationFailed(`retention.closedCaseDays must be a whole number from 0 to ${MAX_DAYS}`);
  }
}

/** Cases closed before this instant are due. */
export function retentionCutoff(retention: RetentionSettings, now: number): number {
  return now - retention.closedCaseDays * DAY_MS;
}

/** One retention job per survey, however often it is booked. */
export function retentionJobId(surveyId: string): string {
  return `${RETENTION_JOB}:${surveyId}`;
}

/** The provider's copy of a media item to delete: the job's subject names the number and the provider's id. */
export function providerMediaSubject(numberId: string, providerMediaId: string): string {
  return `${numberId} ${providerMediaId}`;
}

export function parseProviderMediaSubject(subject: string): { numberId: string; providerMediaId: string } | null {
  const space = subject.indexOf(' ');
  if (space <= 0 || space === subject.length - 1) return null;
  return { numberId: subject.slice(0, space), providerMediaId: subject.slice(space + 1) };
}

/** What a redacted case keeps of its answers: the status question's, for reports (DESIGN.md §9). */
export function redactedAnswers(answers: Readonly<Record<string, unknown>>, statusQuestion: string | null): Record<string, unknown> {
  if (statusQuestion === null || !(statusQuestion in answers)) return {};
  return { [statusQuestion]: answers[statusQuestion] };
}

/**
 * The provider deletes are paced: a retention run books hundreds of thousands of them, and
 * jobs are claimed in order of due time, so booked all due at once they would stand before
 * every alert, media fetch and the retention run's own next batch until the last was done.
 * Spread out at this pace — across all organisations, about ten a second, politely below the
 * providers' API limits — other jobs due meanwhile take their turn between them.
 */
export const PROVIDER_DELETE_PACE = { startAfterMs: 60_000, intervalMs: 100 } as const;

/** Due times for `count` more provider deletes after those already booked up to `horizon`; and the new horizon. */
export function pacedDueTimes(count: number, now: number, horizon: number | null): { dueTimes: number[]; horizon: number } {
  const { startAfterMs, intervalMs } = PROVIDER_DELETE_PACE;
  const start = Math.max(now + startAfterMs, horizon ?? 0);
  const dueTimes = Array.from({ length: count }, (_, i) => start + (i + 1) * intervalMs);
  return { dueTimes, horizon: start + count * intervalMs };
}
