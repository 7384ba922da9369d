import type { Executor, Transaction } from '../../db/database.js';
import { scheduleTimers, type NewTimer } from '../../db/queries/jobs.js';
import {
  deleteJobs,
  deleteMedia,
  mediaOfMessages,
  messagesOnlyIn,
  providerCopiesOfMessages,
  redactMessages,
  redactRecords,
  type RedactedMedia,
  type RedactedRecord,
} from '../../db/queries/redaction.js';
import type { ProviderName } from '../../db/schema.js';
import { readSettingForUpdate, writeSetting } from '../../db/queries/server-settings.js';
import { PROVIDER_NAMES } from '../../domain/providers.js';
import {
  PROVIDER_DELETE_MEDIA_JOB,
  PROVIDER_DELETE_MESSAGE_JOB,
  pacedDueTimes,
  providerMediaSubject,
  redactedAnswers,
  type RedactionCounts,
} from '../../domain/retention.js';
import { ALERT_TIMER_JOBS, AUTO_CLOSE_JOB, timerJobId } from '../../domain/time-rules.js';
import { historyInsert, publishUpdated, type ServiceContext } from '../context.js';
import { loadSurvey } from '../surveys.js';

/**
 * Emptying cases (DESIGN.md §9), shared by retention and erasure: a plan says what goes, so
 * a dry run counts exactly what a run removes; applying it redacts in the caller's
 * transaction and books the deletion of the provider's copies as jobs in that same
 * transaction. The bytes of deleted media go after the commit (`removeBlobs`); a crash
 * before then leaves bytes no row refers to, which media housekeeping removes.
 */
export interface RedactionPlan {
  records: RedactedRecord[];
  messageIds: string[];
  media: RedactedMedia[];
}

/** Where the last provider delete booked is due (`server_settings`): the next are paced after it. */
const PROVIDER_DELETE_HORIZON = 'provider-deletes.horizon';

export function countsOf(plan: RedactionPlan): RedactionCounts {
  return { cases: plan.records.length, messages: plan.messageIds.length, media: plan.media.length };
}

/** For retention: the cases, and the messages no case that keeps its data still shows. */
export async function planForCases(db: Executor, records: RedactedRecord[]): Promise<RedactionPlan> {
  const messageIds = await messagesOnlyIn(
    db,
    records.map((record) => record.id),
  );
  return { records, messageIds, media: await mediaOfMessages(db, messageIds) };
}

/** How the tombstone in each case's history reads. */
export type RedactionCause = { by: 'retention' } | { by: 'erasure'; userId: string };

export function createRedaction(ctx: ServiceContext) {
  const deletableMessages = PROVIDER_NAMES.filter((name) => ctx.providers[name]?.deleteMessage !== undefined);
  const deletesMedia = (provider: ProviderName | null) => provider !== null && ctx.providers[provider]?.deleteMedia !== undefined;

  /**
   * The deletions owed at the providers, as jobs: one per copy, booked once however often a
   * plan is applied, and paced after those already booked (`pacedDueTimes`).
   */
  async function providerDeletes(tx: Transaction, plan: RedactionPlan, now: number): Promise<NewTimer[]> {
    const messages = deletableMessages.length === 0 ? [] : await providerCopiesOfMessages(tx.db, plan.messageIds, deletableMessages);
    const media = plan.media.filter(
      (item) => item.direction === 'in' && item.source !== null && item.number_id !== null && deletesMedia(item.provider),
    );
    const count = messages.length + media.length;
    if (count === 0) return [];
    const horizon = await readSettingForUpdate(tx, PROVIDER_DELETE_HORIZON);
    const paced = pacedDueTimes(count, now, horizon === null ? null : Number(horizon));
    await writeSetting(tx, PROVIDER_DELETE_HORIZON, String(paced.horizon));
    const dueAt = (i: number) => paced.dueTimes[i]!;
    return [
      ...messages.map((message, i) => ({
        id: `${PROVIDER_DELETE_MESSAGE_JOB}:${message.id}`,
        orgId: message.org_id,
        kind: PROVIDER_DELETE_MESSAGE_JOB,
        subjectId: message.id,
        dueAt: dueAt(i),
      })),
      ...media.map((item, i) => ({
        id: `${PROVIDER_DELETE_MEDIA_JOB}:${item.id}`,
        orgId: item.org_id,
        kind: PROVIDER_DELETE_MEDIA_JOB,
        subjectId: providerMediaSubject(item.number_id!, item.source!),
        dueAt: dueAt(messages.length + i),
      })),
    ];
  }

  /** The status question of each survey among the cases: the one answer a redacted case keeps. */
  async function statusQuestions(db: Executor, records: readonly RedactedRecord[]): Promise<Map<string, string | null>> {
    const questions = new Map<string, string | null>();
    for (const { org_id: orgId, survey_id: surveyId } of records) {
      if (questions.has(surveyId)) continue;
      questions.set(surveyId, (await loadSurvey(db, orgId, surveyId)).caseManagement?.statusQuestion ?? null);
    }
    return questions;
  }

  return {
    /**
     * Empties the plan's cases, messages and media in `tx`, writes one tombstone per case,
     * and books the provider deletes. Answers the blobs to remove once `tx` commits.
     */
    async apply(
      tx: Transaction,
      plan: RedactionPlan,
      cause: RedactionCause,
      now: number,
    ): Promise<{ counts: RedactionCounts; blobIds: string[] }> {
      const questions = await statusQuestions(tx.db, plan.records);
      await scheduleTimers(tx, await providerDeletes(tx, plan, now), now);
      await deleteMedia(
        tx,
        plan.media.map((item) => item.id),
      );
      await redactMessages(tx, plan.messageIds, now);
      await redactRecords(
        tx,
        plan.records.map((record) => ({
          id: record.id,
          answers: JSON.stringify(
            redactedAnswers(JSON.parse(record.answers) as Record<string, unknown>, questions.get(record.survey_id) ?? null),
          ),
        })),
        now,
      );
      await deleteJobs(
        tx,
        plan.records.flatMap((record) => [...Object.values(ALERT_TIMER_JOBS), AUTO_CLOSE_JOB].map((kind) => timerJobId(kind, record.id))),
      );
      await historyInsert(
        tx.db,
        plan.records.map((record) =>
          cause.by === 'retention'
            ? { recordId: record.id, userId: null, action: 'redacted', detail: { by: 'retention' }, at: now }
            : { recordId: record.id, userId: cause.userId, action: 'erased', detail: { by: 'erasure' }, at: now },
        ),
      )?.execute();
      publishUpdated(tx, plan.records);
      const blobIds = [...new Set(plan.media.flatMap((item) => (item.blob_id ? [item.blob_id] : [])))];
      return { counts: countsOf(plan), blobIds };
    },

    /** Removes the bytes of deleted media that no other item shares (content is stored once per organisation). */
    async removeBlobs(blobIds: readonly string[]): Promise<void> {
      for (const blobId of blobIds) await ctx.media.store.removeIfUnused(blobId);
    },
  };
}

export type Redaction = ReturnType<typeof createRedaction>;
