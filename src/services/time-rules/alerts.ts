import type { Alert, AlertList, AlertListQuery } from '../../contract/index.js';
import type { Transaction } from '../../db/database.js';
import {
  alertOf,
  alertPageQuery,
  alertRecipients,
  alertsInsert,
  insertFiring,
  markAlertsRead,
  unreadAlertCount,
  type AlertRow,
} from '../../db/queries/alerts.js';
import { enqueueJobs } from '../../db/queries/jobs.js';
import { encodeCursor } from '../../db/queries/record-list.js';
import { timedCase } from '../../db/queries/time-rules.js';
import { DomainError, notFound } from '../../domain/errors.js';
import {
  ALERT_EMAIL_JOB,
  ALERT_LEVELS,
  ALERT_TIMER_JOBS,
  alertDueAt,
  alertThresholdMinutes,
  timerJobId,
  type AlertLevel,
} from '../../domain/time-rules.js';
import type { Job, JobHandler } from '../../jobs/job-worker.js';
import { historyInsert, iso, type Actor, type ServiceContext } from '../context.js';
import { newId } from '../ids.js';
import { loadSurvey, type Survey } from '../surveys.js';

/**
 * Alerts (DESIGN.md §8): a case waiting past its survey's threshold alerts, in the console
 * and by email, the people §13 "alert recipients" names. A level's timer (booked when the
 * case starts waiting, see ./timers.ts) checks the case when it runs, and fires at most once
 * per case, level and waiting period: the firing's unique key decides, whatever runs the
 * timer twice (two processes, a duplicate row, a rerun after a crash).
 */

const MINUTE_MS = 60_000;

export const waitedMinutes = (waitedMs: number): number => Math.floor(waitedMs / MINUTE_MS);

/** Why a timer does nothing now, or when to look again; null when the alert is due. */
type Check = { state: 'done'; runAgainAt?: number } | null;

function check(survey: Survey, level: AlertLevel, waitingSince: number, now: number): Check {
  const minutes = survey.alerts ? alertThresholdMinutes(survey.alerts, level) : null;
  if (minutes === null) return { state: 'done' };
  const dueAt = alertDueAt(survey.businessHours, waitingSince, minutes);
  // A schedule that never opens again never reaches the threshold.
  if (dueAt === null) return { state: 'done' };
  return dueAt > now ? { state: 'done', runAgainAt: dueAt } : null;
}

async function surveyOf(ctx: ServiceContext, orgId: string, surveyId: string): Promise<Survey | null> {
  try {
    return await loadSurvey(ctx.db.kysely, orgId, surveyId);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return null;
    throw error;
  }
}

/**
 * Writes one firing, in the job's recording transaction. The case is read again here: one
 * answered (or closed, or waiting anew) since the timer looked is not alerted for the
 * period that ended. No row lock is taken on the case, so a reply committing in the same
 * instant may still be followed by its alert; locking it here, after the job row, would
 * invert the order in which a new message locks the case and then books this timer.
 */
async function fire(ctx: ServiceContext, tx: Transaction, survey: Survey, level: AlertLevel, recordId: string, waitingSince: number) {
  const current = await timedCase(tx.db, recordId);
  if (current?.status !== 'open' || current.waiting_since === null || Number(current.waiting_since) !== waitingSince) return;
  const now = ctx.now();
  const orgId = current.org_id;
  const caseNumber = Number(current.case_number);
  const recipients = await alertRecipients(tx.db, orgId, level, current.locked_by);
  const emails = uniqueAddresses([...recipients.map((r) => r.email), ...(survey.alerts?.emails ?? [])]);
  const firingId = newId(now);
  const waitedMs = Math.max(0, now - waitingSince);
  const fired = await insertFiring(tx, {
    id: firingId,
    org_id: orgId,
    record_id: recordId,
    survey_id: survey.id,
    case_number: caseNumber,
    level,
    waiting_since: waitingSince,
    waited_ms: waitedMs,
    emails: JSON.stringify(emails),
    created_at: now,
  });
  if (!fired) return;
  // Independent writes: one round trip on PostgreSQL.
  await ctx.db.writeTogether(tx, [
    alertsInsert(
      tx,
      recipients.map((user) => ({
        id: newId(now),
        org_id: orgId,
        firing_id: firingId,
        user_id: user.id,
        record_id: recordId,
        case_number: caseNumber,
        level,
        created_at: now,
        read_at: null,
      })),
    ),
    historyInsert(tx.db, [{ recordId, userId: null, action: 'alert', detail: { level, waitedMinutes: waitedMinutes(waitedMs) }, at: now }]),
  ]);
  for (const user of recipients) {
    tx.publish({ type: 'alert.created', orgId, userId: user.id, caseNumber, surveyId: survey.id, recordId });
  }
  if (ctx.mailer && emails.length > 0) {
    // Named after the firing, so the worker's log lines name the firing and no address.
    await enqueueJobs(
      tx,
      [{ id: timerJobId(ALERT_EMAIL_JOB, firingId), orgId, kind: ALERT_EMAIL_JOB, subjectId: firingId, dueAt: now }],
      now,
    );
  }
}

/** Addresses once each, compared without regard to case; the first spelling is kept. */
function uniqueAddresses(addresses: string[]): string[] {
  const seen = new Map<string, string>();
  for (const address of addresses) {
    const key = address.trim().toLowerCase();
    if (key && !seen.has(key)) seen.set(key, address.trim());
  }
  return [...seen.values()];
}

/** The timer of one alert level: `alert.first` or `alert.second`, subject the case. */
export function createAlertTimerHandler(ctx: ServiceContext, level: AlertLevel): JobHandler {
  return {
    kind: ALERT_TIMER_JOBS[level],
    maxAttempts: 10,
    backoff: { baseMs: 5_000, capMs: 5 * 60_000 },
    claimMs: 2 * 60_000,
    async run(job: Job) {
      const found = await timedCase(ctx.db.kysely, job.subject_id);
      // Gone, closed, or answered: the alert is cancelled.
      if (found?.status !== 'open' || found.waiting_since === null) return { state: 'done' };
      const survey = await surveyOf(ctx, found.org_id, found.survey_id);
      if (!survey) return { state: 'done' };
      const waitingSince = Number(found.waiting_since);
      const outcome = check(survey, level, waitingSince, ctx.now());
      if (outcome) return outcome;
      return { state: 'done', apply: (tx) => fire(ctx, tx, survey, level, found.id, waitingSince) };
    },
    async giveUp() {},
  };
}

export const createAlertTimerHandlers = (ctx: ServiceContext): JobHandler[] =>
  ALERT_LEVELS.map((level) => createAlertTimerHandler(ctx, level));

const PAGE = 50;

function alertView(row: AlertRow): Alert {
  return {
    id: row.id,
    caseNumber: Number(row.case_number),
    surveyId: row.survey_id,
    level: Number(row.level) as AlertLevel,
    at: iso(Number(row.created_at))!,
    waitedMinutes: waitedMinutes(Number(row.waited_ms)),
    readAt: iso(row.read_at === null ? null : Number(row.read_at)),
  };
}

/**
 * My alerts (§13 "alerts (mine)"): each user reads and marks their own only. Viewers are
 * never recipients, so theirs is an empty list.
 */
export function createAlertService(ctx: ServiceContext) {
  const { db } = ctx;
  const owner = (actor: Actor) => ({ orgId: actor.orgId, userId: actor.userId });
  return {
    async list(actor: Actor, query: AlertListQuery): Promise<AlertList> {
      const limit = query.limit ?? PAGE;
      const rows = await alertPageQuery(db.kysely, owner(actor), query, limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(alertView),
        nextCursor: rows.length > limit && last ? encodeCursor(Number(last.created_at), last.id) : null,
        unread: await unreadAlertCount(db.kysely, owner(actor)),
      };
    },

    /** Idempotent: an alert read before keeps the time it was first read. */
    async read(actor: Actor, id: string): Promise<Alert> {
      await markAlertsRead(db.kysely, owner(actor), ctx.now(), id);
      const row = await alertOf(db.kysely, owner(actor), id);
      if (!row) throw notFound('Alert');
      return alertView(row);
    },

    async readAll(actor: Actor): Promise<{ unread: number }> {
      await markAlertsRead(db.kysely, owner(actor), ctx.now());
      return { unread: 0 };
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
