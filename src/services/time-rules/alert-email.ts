import { firingForEmail } from '../../db/queries/alerts.js';
import { ALERT_EMAIL_JOB } from '../../domain/time-rules.js';
import type { JobHandler } from '../../jobs/job-worker.js';
import { MailError, type MailMessage } from '../../mail/mailer.js';
import type { ServiceContext } from '../context.js';
import { waitedMinutes } from './alerts.js';

/**
 * An alert's email (DESIGN.md §8): one message to every address its firing recorded, sent
 * by a job so a slow or refusing mail server never holds up the firing. Helpline privacy
 * (§13 "alert recipients"): it names the case number, the survey, the level and the waiting
 * time, never a message's text or the contact's number; the job (and so the worker's log
 * lines) is named after the firing, never an address.
 */

/** "42 minutes", "3 hours 5 minutes", "2 days 16 hours". */
export function waitingTime(minutes: number): string {
  const unit = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (minutes < 120) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(minutes % 60, 'minute')}`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? unit(days, 'day') : `${unit(days, 'day')} ${unit(hours % 24, 'hour')}`;
}

const LEVELS: Record<number, string> = {
  1: 'first alert (to the case holder, or every analyst when nobody holds it)',
  2: 'second alert (to the admins)',
};

export interface AlertEmailInput {
  caseNumber: number;
  surveyName: string;
  level: number;
  waitedMinutes: number;
  waitingSince: number;
  /** The console's address, without a trailing slash. */
  publicUrl: string;
}

export function alertEmail(input: AlertEmailInput): Pick<MailMessage, 'subject' | 'text'> {
  const waited = waitingTime(input.waitedMinutes);
  const subject = `Case #${input.caseNumber} has waited ${waited}${input.level === 2 ? ' (second alert)' : ''}`;
  const text = [
    `Case #${input.caseNumber} in the survey "${input.surveyName}" has waited ${waited} for an answer.`,
    '',
    `Alert: ${LEVELS[input.level] ?? `level ${input.level}`}`,
    `Waiting since: ${new Date(input.waitingSince).toISOString()}`,
    '',
    `Open the case: ${input.publicUrl}/#/cases/${input.caseNumber}`,
    '',
    'This alert names no message and no contact; read the case in Caseline.',
  ].join('\n');
  return { subject, text };
}

export function createAlertEmailHandler(ctx: ServiceContext): JobHandler {
  return {
    kind: ALERT_EMAIL_JOB,
    maxAttempts: 10,
    backoff: { baseMs: 30_000, capMs: 30 * 60_000 },
    // Far longer than the mailer's connection, greeting and socket timeouts (src/mail/mailer.ts),
    // so a slow send is not taken for a crashed worker's and sent a second time.
    claimMs: 5 * 60_000,
    async run(job) {
      // Started without SMTP since the alert fired: the console has it; nothing to send.
      if (!ctx.mailer) return { state: 'done' };
      const firing = await firingForEmail(ctx.db.kysely, job.subject_id);
      if (!firing) return { state: 'done' };
      const recipients = JSON.parse(firing.emails) as string[];
      if (recipients.length === 0) return { state: 'done' };
      const message = alertEmail({
        caseNumber: Number(firing.case_number),
        surveyName: firing.survey_name ?? 'unknown',
        level: Number(firing.level),
        waitedMinutes: waitedMinutes(Number(firing.waited_ms)),
        waitingSince: Number(firing.waiting_since),
        publicUrl: ctx.publicUrl.replace(/\/+$/u, ''),
      });
      try {
        await ctx.mailer.send({ recipients, ...message });
      } catch (error) {
        if (error instanceof MailError && error.permanent) {
          return { state: 'failed', reason: `The mail server refused the alert email: ${error.message}` };
        }
        return { state: 'retry', reason: error instanceof Error ? error.message : String(error) };
      }
      return { state: 'done' };
    },
    async giveUp() {},
  };
}
