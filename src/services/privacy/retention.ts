import { setTimeout } from 'node:timers/promises';
import type { RetentionCounts, RetentionStatus } from '../../contract/index.js';
import type { Transaction } from '../../db/database.js';
import { scheduleTimers } from '../../db/queries/jobs.js';
import { dueForRetention, mediaOfMessages, messagesOnlyIn, type DueCursor } from '../../db/queries/redaction.js';
import {
  PROVIDER_DELETE_MEDIA_JOB,
  PROVIDER_DELETE_MESSAGE_JOB,
  RETENTION_INTERVAL_MS,
  RETENTION_JOB,
  retentionCutoff,
  retentionJobId,
  type RedactionCounts,
} from '../../domain/retention.js';
import type { JobHandler } from '../../jobs/job-worker.js';
import { iso, requireAdmin, type Actor, type ServiceContext } from '../context.js';
import { loadSurvey, type Survey } from '../surveys.js';
import type { PrivacyAudit } from './privacy-audit.js';
import { planForCases, type Redaction } from './redaction.js';

/**
 * Retention (DESIGN.md §9): a survey with `retention {closedCaseDays}` has one recurring job
 * that redacts its cases closed longer ago than that, then books itself a day later. It
 * works in small transactions, one batch of cases each, and after each batch rests as long
 * as the batch took: ingest waits at most one small batch for the database (SQLite has one
 * writer) and has it at least half the time. A run longer than `RUN_BUDGET_MS` stops and
 * books its rest at once, letting other jobs through. Each run, and each dry run, leaves a
 * line in the privacy audit trail.
 */
const BATCH = 50;
/** The dry run only reads: larger pages. */
const DRY_RUN_PAGE = 1_000;
const RUN_BUDGET_MS = 20_000;
/** How many recent entries to look through for the last real run past a string of dry runs. */
const LAST_RUN_LOOKBACK = 50;

/** Books the survey's retention run now (a new or changed setting), in the caller's transaction. */
export async function scheduleRetention(tx: Transaction, orgId: string, surveyId: string, now: number): Promise<void> {
  await scheduleTimers(tx, [{ id: retentionJobId(surveyId), orgId, kind: RETENTION_JOB, subjectId: surveyId, dueAt: now }], now);
}

const addCounts = (a: RedactionCounts, b: RedactionCounts): RedactionCounts => ({
  cases: a.cases + b.cases,
  messages: a.messages + b.messages,
  media: a.media + b.media,
});
const NONE: RedactionCounts = { cases: 0, messages: 0, media: 0 };

export function createRetention(ctx: ServiceContext, redaction: Redaction, privacyAudit: PrivacyAudit) {
  const { db } = ctx;

  const audit = (tx: Transaction, survey: { orgId: string; id: string }, userId: string | null, counts: Record<string, number | boolean>) =>
    privacyAudit.record(tx.db, {
      orgId: survey.orgId,
      userId,
      action: 'retention',
      surveyId: survey.id,
      contact: null,
      counts: { ...counts },
    });

  /** Redacts due cases a batch per transaction until none is left or `budgetMs` has passed. */
  async function redactDue(orgId: string, survey: Survey, budgetMs: number): Promise<{ counts: RedactionCounts; more: boolean }> {
    if (!survey.retention) return { counts: NONE, more: false };
    const started = Date.now();
    const cutoff = retentionCutoff(survey.retention, ctx.now());
    let counts = NONE;
    for (;;) {
      const batchStarted = Date.now();
      const done = await db.transaction(async (tx) => {
        const due = await dueForRetention(tx.db, survey.id, cutoff, BATCH);
        if (due.length === 0) return null;
        const plan = await planForCases(tx.db, due);
        return redaction.apply(tx, plan, { by: 'retention' }, ctx.now());
      });
      if (!done) return { counts, more: false };
      await redaction.removeBlobs(done.blobIds);
      counts = addCounts(counts, done.counts);
      if (Date.now() - started > budgetMs) return { counts, more: true };
      await setTimeout(Date.now() - batchStarted);
    }
  }

  /** Counts what a run would redact now, reading in pages, writing nothing. */
  async function dryRun(survey: Survey): Promise<RedactionCounts> {
    if (!survey.retention) return NONE;
    const cutoff = retentionCutoff(survey.retention, ctx.now());
    let counts = NONE;
    let after: DueCursor | null = null;
    for (;;) {
      const page = await dueForRetention(db.kysely, survey.id, cutoff, DRY_RUN_PAGE, after);
      if (page.length === 0) return counts;
      const last = page[page.length - 1]!;
      after = { closedAt: Number(last.closed_at), id: last.id };
      const ids = page.map((record) => record.id);
      const messageIds = await messagesOnlyIn(db.kysely, ids, { surveyId: survey.id, cutoff, through: after });
      const media = await mediaOfMessages(db.kysely, messageIds);
      counts = addCounts(counts, { cases: page.length, messages: messageIds.length, media: media.length });
    }
  }

  const handler: JobHandler = {
    kind: RETENTION_JOB,
    maxAttempts: 10,
    backoff: { baseMs: 60_000, capMs: 60 * 60_000 },
    claimMs: 10 * 60_000,
    async run(job) {
      const orgId = job.org_id ?? '';
      let survey: Survey;
      try {
        survey = await loadSurvey(db.kysely, orgId, job.subject_id);
      } catch {
        return { state: 'done' };
      }
      // Turned off: the job ends; turning it on again books a new one.
      if (!survey.retention) return { state: 'done' };
      const { counts, more } = await redactDue(orgId, survey, RUN_BUDGET_MS);
      return {
        state: 'done',
        apply: (tx) => audit(tx, { orgId, id: survey.id }, null, { ...counts }),
        runAgainAt: more ? ctx.now() : ctx.now() + RETENTION_INTERVAL_MS,
      };
    },
    async giveUp() {},
  };

  return {
    handler,

    /** `POST /surveys/{id}/retention/run`: redacts what is due now, or counts it. */
    async runNow(actor: Actor, surveyId: string, options: { dryRun?: boolean }): Promise<RetentionCounts> {
      requireAdmin(actor);
      const survey = await loadSurvey(db.kysely, actor.orgId, surveyId);
      const counts = options.dryRun ? await dryRun(survey) : (await redactDue(actor.orgId, survey, Number.POSITIVE_INFINITY)).counts;
      await db.transaction((tx) =>
        audit(tx, { orgId: actor.orgId, id: survey.id }, actor.userId, options.dryRun ? { ...counts, dryRun: true } : { ...counts }),
      );
      return counts;
    },

    /** `GET /surveys/{id}/retention`: the setting, the last run, the next, and what the providers still hold. */
    async status(actor: Actor, surveyId: string): Promise<RetentionStatus> {
      requireAdmin(actor);
      const survey = await loadSurvey(db.kysely, actor.orgId, surveyId);
      // The last run, daily or run now; a dry run ran nothing.
      const recent = await db.kysely
        .selectFrom('privacy_audit')
        .select(['at', 'counts'])
        .where('org_id', '=', actor.orgId)
        .where('survey_id', '=', survey.id)
        .where('action', '=', 'retention')
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(LAST_RUN_LOOKBACK)
        .execute();
      const last = recent.find((row) => !(JSON.parse(row.counts) as { dryRun?: boolean }).dryRun);
      const next = await db.kysely.selectFrom('jobs').select('due_at').where('id', '=', retentionJobId(survey.id)).executeTakeFirst();
      const deletes = db.kysely
        .selectFrom('jobs')
        .where('org_id', '=', actor.orgId)
        .where('kind', 'in', [PROVIDER_DELETE_MESSAGE_JOB, PROVIDER_DELETE_MEDIA_JOB]);
      const byState = await deletes
        .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('state')
        .execute();
      const lastError = await deletes
        .select('last_error')
        .where('last_error', 'is not', null)
        .orderBy('updated_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const count = (failed: boolean) =>
        byState.filter((row) => (row.state === 'failed') === failed).reduce((sum, row) => sum + Number(row.n), 0);
      const lastCounts = last ? (JSON.parse(last.counts) as RedactionCounts) : null;
      return {
        closedCaseDays: survey.retention?.closedCaseDays ?? null,
        lastRun: last && lastCounts ? { at: iso(Number(last.at))!, ...lastCounts } : null,
        nextRunAt: survey.retention && next ? iso(Number(next.due_at)) : null,
        providerDeletes: {
          pending: count(false),
          failed: count(true),
          lastError: lastError?.last_error ?? null,
        },
      };
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
