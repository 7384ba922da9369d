import { DomainError } from '../../domain/errors.js';
import { PROVIDER_DELETE_MEDIA_JOB, PROVIDER_DELETE_MESSAGE_JOB, parseProviderMediaSubject } from '../../domain/retention.js';
import type { JobHandler, JobOutcome } from '../../jobs/job-worker.js';
import { SendError } from '../../providers/provider.js';
import type { ServiceContext } from '../context.js';
import type { LoadedNumber, NumberService } from '../numbers.js';

/**
 * Deleting the provider's copies of what retention or an erasure emptied (DESIGN.md §9):
 * Twilio's Message resource, Meta's media. Redaction books one job per copy in its own
 * transaction (./redaction.ts); these handlers call the provider with the number's
 * credentials, archived or not. A provider that is down is tried again for about a day
 * (8 attempts, backoff from a minute to 6 hours); one that refuses, or never comes back,
 * leaves the job `failed` with its reason, which `GET /surveys/{id}/retention` reports.
 * Reasons come from the adapters, which name a status and a code, never a number or text.
 */
export const PROVIDER_DELETE_SCHEDULE = {
  maxAttempts: 8,
  backoff: { baseMs: 60_000, capMs: 6 * 60 * 60_000 },
  /** Longer than one call's deadline (15 s) many times over. */
  claimMs: 5 * 60_000,
} as const;

type Call = (number: LoadedNumber) => Promise<void> | null;

export function createProviderDeleteHandlers(ctx: ServiceContext, numbers: NumberService): JobHandler[] {
  const { db } = ctx;

  /** The number, archived or not; null when it no longer exists or its provider is not served here. */
  async function numberOf(numberId: string): Promise<LoadedNumber | null> {
    try {
      return await numbers.loadIncludingArchived(numberId);
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'validation_failed')) return null;
      throw error;
    }
  }

  /** Calls the provider; `call` answers null when the provider has no such deletion: nothing to do. */
  async function deleteAt(orgId: string | null, numberId: string, call: Call): Promise<JobOutcome> {
    const number = await numberOf(numberId);
    if (!number || number.row.org_id !== orgId) return { state: 'done' };
    try {
      const calling = call(number);
      if (calling) await calling;
      return { state: 'done' };
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      if (error.kind === 'permanent') return { state: 'failed', reason: error.reason };
      return { state: 'retry', reason: error.reason, retryAfterMs: error.options.retryAfterMs };
    }
  }

  const schedule = {
    maxAttempts: PROVIDER_DELETE_SCHEDULE.maxAttempts,
    backoff: PROVIDER_DELETE_SCHEDULE.backoff,
    claimMs: PROVIDER_DELETE_SCHEDULE.claimMs,
    // The worker keeps the failed job with its reason: that is the record of what is still held.
    async giveUp() {},
  };

  const deleteMessage: JobHandler = {
    kind: PROVIDER_DELETE_MESSAGE_JOB,
    ...schedule,
    async run(job) {
      const message = await db.kysely
        .selectFrom('messages')
        .select(['number_id', 'provider_message_id'])
        .where('id', '=', job.subject_id)
        .executeTakeFirst();
      const sid = message?.provider_message_id;
      if (!message || !sid) return { state: 'done' };
      return deleteAt(job.org_id, message.number_id, ({ adapter, provider }) => adapter.deleteMessage?.(sid, provider) ?? null);
    },
  };

  const deleteMedia: JobHandler = {
    kind: PROVIDER_DELETE_MEDIA_JOB,
    ...schedule,
    async run(job) {
      const subject = parseProviderMediaSubject(job.subject_id);
      if (!subject) return { state: 'failed', reason: 'The job does not name a number and a media id' };
      const { providerMediaId } = subject;
      return deleteAt(job.org_id, subject.numberId, ({ adapter, provider }) => adapter.deleteMedia?.(providerMediaId, provider) ?? null);
    },
  };

  return [deleteMessage, deleteMedia];
}
