import type { Executor, Transaction } from '../../db/database.js';
import { lastReopenedAt, recordByIdForChange } from '../../db/queries/auto-close.js';
import type { RecordRow } from '../../db/queries/records.js';
import { DomainError } from '../../domain/errors.js';
import { AUTO_CLOSE_JOB, autoCloseDueAt, fillCasePlaceholder, type AutoCloseSettings } from '../../domain/time-rules.js';
import type { JobHandler, JobOutcome } from '../../jobs/job-worker.js';
import { addHistory, type ServiceContext } from '../context.js';
import { queueOutbound } from '../outbound.js';
import type { RecordService } from '../records.js';
import { checkNumberCanSend } from '../send-checks.js';
import { loadSurvey } from '../surveys.js';
import { readTimedCase } from './case-timers.js';

/** Why a closing text was not sent; the close happens anyway and its history entry says this. */
export type ClosingTextSkipped = 'opted_out' | 'window_closed' | 'number_archived' | 'no_number';

/** The refusals of a send (src/services/send-checks.ts) that skip the closing text rather than keep the case open. */
const SKIPPED_BY_CODE: Record<string, ClosingTextSkipped> = {
  opted_out: 'opted_out',
  window_closed: 'window_closed',
  number_archived: 'number_archived',
  // The case's number no longer exists.
  validation_failed: 'no_number',
};

/** Where a case stands against its survey's auto-close rule at `now`. */
type Standing = { due: false; at?: number } | { due: true; settings: AutoCloseSettings; quietSince: number };

/**
 * The auto-close rule (DESIGN.md §8) for one case: nothing while the case is gone or closed,
 * or its survey has no auto-close or no case management (without it a case is never open or
 * closed); otherwise the case is due once it has been quiet `quietDays` — quiet since its
 * latest message in or out, its creation without messages, or its last reopening, whichever
 * is latest, so a case a person reopens is not closed again at once for its old silence.
 */
async function standing(db: Executor, recordId: string, now: number): Promise<Standing> {
  const timed = await readTimedCase(db, recordId);
  if (!timed?.open) return { due: false };
  const survey = await loadSurvey(db, timed.orgId, timed.surveyId);
  const settings = survey.autoClose;
  if (!settings || !survey.caseManagement) return { due: false };
  const quietSince = Math.max(timed.lastActivityAt, (await lastReopenedAt(db, recordId)) ?? 0);
  const dueAt = autoCloseDueAt(settings, quietSince);
  return dueAt > now ? { due: false, at: dueAt } : { due: true, settings, quietSince };
}

/**
 * The `case.auto-close` timer of a case (subject: its record id), booked when the case opens
 * and never moved by later messages: when it runs it reads the case, and either ends, books
 * itself for the moment the case will have been quiet long enough, or closes the case.
 *
 * Closing happens in `apply`, in the job's recording transaction, after reading the case
 * again under a row lock: a message that arrived between the run and now (an inbound
 * message locks the same row first) shows, and then nothing is sent or closed and the
 * timer is booked for the new due time. With the claim held by that transaction, a case is
 * closed and its closing text sent once, however often the timer runs.
 *
 * The closing text, when the survey has one, goes first, marked automatic with `{case}`
 * filled, through the same checks as a reply: none to an opted-out contact, none as free
 * text outside WhatsApp's 24-hour window, none from an archived or deleted number; the case
 * is closed anyway and its `closed` entry says `closingTextSkipped`.
 *
 * A locked case is closed too: `quietDays` without a message in or out means nobody is
 * working on it, and a forgotten lock must not keep a case open for ever. It is closed as
 * a person's Close closes it (src/services/records.ts `closeAsSystem`), which leaves the lock
 * with its holder, who can reopen it.
 */
export function createAutoCloseHandler(ctx: ServiceContext, records: RecordService): JobHandler {
  const { db } = ctx;

  async function closeQuietCase(tx: Transaction, recordId: string): Promise<{ runAgainAt: number } | undefined> {
    const record = await recordByIdForChange(tx, recordId);
    if (!record) return undefined;
    const now = ctx.now();
    const seen = await standing(tx.db, recordId, now);
    if (!seen.due) return seen.at === undefined ? undefined : { runAgainAt: seen.at };
    const { settings } = seen;
    const closingTextSkipped = settings.closingText === null ? null : await sendClosingText(tx, record, settings.closingText, now);
    await records.closeAsSystem(tx, record, {
      by: 'auto-close',
      quietDays: settings.quietDays,
      ...(closingTextSkipped ? { closingTextSkipped } : {}),
    });
    return undefined;
  }

  return {
    kind: AUTO_CLOSE_JOB,
    maxAttempts: 10,
    backoff: { baseMs: 5_000, capMs: 5 * 60_000 },
    claimMs: 60_000,
    async run(job): Promise<JobOutcome> {
      const seen = await standing(db.kysely, job.subject_id, ctx.now());
      if (!seen.due) return seen.at === undefined ? { state: 'done' } : { state: 'done', runAgainAt: seen.at };
      return { state: 'done', apply: (tx) => closeQuietCase(tx, job.subject_id) };
    },
    async giveUp() {},
  };
}

/** Queues the closing text, or answers why it cannot be sent. */
async function sendClosingText(tx: Transaction, record: RecordRow, text: string, now: number): Promise<ClosingTextSkipped | null> {
  if (record.number_id === null || record.contact === null) return 'no_number';
  try {
    await checkNumberCanSend(tx.db, { numberId: record.number_id, contact: record.contact, templated: false, now });
  } catch (error) {
    const skipped = error instanceof DomainError ? SKIPPED_BY_CODE[error.code] : undefined;
    if (skipped) return skipped;
    throw error;
  }
  const caseNumber = Number(record.case_number);
  const messageId = await queueOutbound(tx, {
    orgId: record.org_id,
    numberId: record.number_id,
    contact: record.contact,
    text: fillCasePlaceholder(text, caseNumber),
    authorId: null,
    automatic: true,
    recordIds: [record.id],
    at: now,
  });
  await addHistory(tx.db, { recordId: record.id, userId: null, action: 'message.out', detail: { messageId, closingText: true }, at: now });
  tx.publish({ type: 'message.added', orgId: record.org_id, caseNumber, surveyId: record.survey_id, messageId });
  return null;
}
