import type { Transaction } from '../../db/database.js';
import type { MediaTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { sanitiseFileName } from '../../domain/file-names.js';
import { MEDIA_FETCH_JOB } from '../../domain/media.js';
import type { JobHandler, JobOutcome } from '../../jobs/job-worker.js';
import { SendError } from '../../providers/provider.js';
import { MediaTooLargeError } from '../../storage/media-store.js';
import type { ServiceContext } from '../context.js';
import type { LoadedNumber, NumberService } from '../numbers.js';
import { resolveMediaType } from './media-type.js';

/**
 * Fetches one inbound media item from its provider and stores it (DESIGN.md §6), as a job
 * booked for the message's batch once it is stored (./fetch-booking.ts), so the webhook
 * never waits for it and a crash only delays it. Bytes are stored first, by content (the same
 * bytes again become the same blob), and the row is marked `stored` in the worker's
 * recording transaction: a run repeated after a crash stores nothing twice.
 *
 * The schedule keeps DESIGN.md §13's promise that a fetch ends `stored` or `failed` within
 * 5 minutes: at most 4 attempts, each cut off after 60 s, with backoff of about 5, 10 and
 * 20 s between them (jitter only shortens it; a provider's `Retry-After` is held to 10 s,
 * so it lengthens only the first wait): at worst 4 × 60 + 10 + 10 + 20 = 280 s from the
 * booking's run, which comes first and, outside a backlog, at once. A claim
 * (90 s) outlives any attempt, so only a crashed worker's claim runs out, and a crash
 * delays the fetch by that much. The provider no longer having the file, refusing it, a
 * file over `CASELINE_MEDIA_MAX_BYTES` or an archived number end it `failed` at once.
 */
export const MEDIA_FETCH_SCHEDULE = {
  maxAttempts: 4,
  backoff: { baseMs: 5_000, capMs: 20_000 },
  attemptMs: 60_000,
  claimMs: 90_000,
  /** The longest a provider's `Retry-After` may delay the next attempt. */
  retryAfterCapMs: 10_000,
} as const;

type PendingMedia = Pick<
  MediaTable,
  'id' | 'org_id' | 'message_id' | 'number_id' | 'status' | 'direction' | 'source' | 'declared_type' | 'name'
>;

interface StoredFile {
  blobId: string;
  size: number;
  contentType: string | null;
  name: string | null;
}

export function createMediaFetchHandler(ctx: ServiceContext, numbers: NumberService): JobHandler {
  const { db } = ctx;
  const { attemptMs } = MEDIA_FETCH_SCHEDULE;

  async function fetchFromProvider(media: PendingMedia, source: string, number: LoadedNumber): Promise<JobOutcome> {
    const { adapter, provider } = number;
    if (!adapter.fetchMedia) return failed(media.id, 'media_fetch_failed', `${adapter.name} sends no files to fetch`);
    const { maxBytes } = ctx.media;
    const controller = new AbortController();
    const deadline = setTimeout(() => controller.abort(), attemptMs);
    try {
      const fetched = await adapter.fetchMedia(source, provider, controller.signal);
      // Refused before reading when the provider says how large it is.
      if (fetched.length !== null && fetched.length > maxBytes) return tooLarge(media.id, maxBytes);
      const blob = await ctx.media.store.put(media.org_id, fetched.body, maxBytes);
      const type = await resolveMediaType(blob.head, media.declared_type ?? fetched.contentType);
      const file = {
        blobId: blob.blobId,
        size: blob.size,
        contentType: type.contentType,
        name: media.name ?? sanitiseFileName(fetched.name),
      };
      return { state: 'done', apply: (tx) => markStored(tx, media, file) };
    } catch (error) {
      if (error instanceof MediaTooLargeError) return tooLarge(media.id, maxBytes);
      if (error instanceof SendError) {
        if (error.kind === 'permanent') return failed(media.id, 'media_fetch_failed', error.reason);
        const { retryAfterMs } = error.options;
        return {
          state: 'retry',
          reason: error.reason,
          retryAfterMs: retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, MEDIA_FETCH_SCHEDULE.retryAfterCapMs),
        };
      }
      if (controller.signal.aborted) {
        return { state: 'retry', reason: `The provider did not send the whole file within ${attemptMs / 1000} s` };
      }
      // undici ends a body cut off mid-way with a TypeError ("terminated").
      if (error instanceof TypeError) return { state: 'retry', reason: 'The download broke off before the end' };
      return { state: 'retry', reason: 'The file could not be stored' };
    } finally {
      clearTimeout(deadline);
      // Ends a download left unread (too large, refused early, failed).
      controller.abort();
    }
  }

  /** The sandbox's simulator uploaded the file already: its bytes are linked, not fetched. */
  async function linkUpload(media: PendingMedia, uploadId: string): Promise<JobOutcome> {
    const upload = await db.kysely
      .selectFrom('media')
      .select(['blob_id', 'size', 'content_type', 'name'])
      .where('id', '=', uploadId)
      .where('org_id', '=', media.org_id)
      .where('status', '=', 'stored')
      .executeTakeFirst();
    if (!upload?.blob_id) return failed(media.id, 'media_fetch_failed', 'The simulator’s upload was not found');
    const file = {
      blobId: upload.blob_id,
      size: Number(upload.size ?? 0),
      contentType: upload.content_type,
      name: media.name ?? upload.name,
    };
    return { state: 'done', apply: (tx) => markStored(tx, media, file) };
  }

  async function markStored(tx: Transaction, media: PendingMedia, file: StoredFile): Promise<void> {
    const updated = await tx.db
      .updateTable('media')
      .set({
        status: 'stored',
        blob_id: file.blobId,
        size: file.size,
        content_type: file.contentType,
        name: file.name,
        error_code: null,
        error_text: null,
        updated_at: ctx.now(),
      })
      .where('id', '=', media.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) await publishMediaUpdated(tx, media);
  }

  /** Fails a pending item with a code and a sentence a case worker can read; a no-op once it left `pending`. */
  async function markFailed(tx: Transaction, mediaId: string, code: string, text: string): Promise<void> {
    const updated = await tx.db
      .updateTable('media')
      .set({ status: 'failed', error_code: code, error_text: text, updated_at: ctx.now() })
      .where('id', '=', mediaId)
      .where('status', '=', 'pending')
      .returning(['id', 'org_id', 'message_id'])
      .executeTakeFirst();
    if (updated) await publishMediaUpdated(tx, updated);
  }

  function failed(mediaId: string, code: string, text: string): JobOutcome {
    return { state: 'failed', reason: text, apply: (tx) => markFailed(tx, mediaId, code, text) };
  }

  function tooLarge(mediaId: string, maxBytes: number): JobOutcome {
    return failed(mediaId, 'media_too_large', `The file is larger than the limit of ${readableSize(maxBytes)}, so it was not kept`);
  }

  return {
    kind: MEDIA_FETCH_JOB,
    maxAttempts: MEDIA_FETCH_SCHEDULE.maxAttempts,
    backoff: MEDIA_FETCH_SCHEDULE.backoff,
    claimMs: MEDIA_FETCH_SCHEDULE.claimMs,

    async run(job) {
      const media = await db.kysely
        .selectFrom('media')
        .select(['id', 'org_id', 'message_id', 'number_id', 'status', 'direction', 'source', 'declared_type', 'name'])
        .where('id', '=', job.subject_id)
        .executeTakeFirst();
      // Stored by an earlier run, or erased meanwhile: nothing to do.
      if (!media || media.status !== 'pending' || media.direction !== 'in') return { state: 'done' };
      const { source, number_id: numberId } = media;
      if (!source || !numberId) return failed(media.id, 'media_fetch_failed', 'Nothing says where to fetch this file from');
      let number: LoadedNumber;
      try {
        number = await numbers.load(numberId);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'number_archived') {
          return failed(media.id, 'number_archived', 'The number is archived, so its files are not fetched; an admin can restore it');
        }
        if (error instanceof DomainError && error.code === 'not_found') {
          return failed(media.id, 'media_fetch_failed', 'The number that received this file no longer exists');
        }
        throw error;
      }
      if (number.row.org_id !== media.org_id) return failed(media.id, 'media_fetch_failed', 'The file belongs to another organisation');
      if (number.row.provider === 'sandbox') return linkUpload(media, source);
      return fetchFromProvider(media, source, number);
    },

    giveUp: (tx, job, reason) => markFailed(tx, job.subject_id, 'media_fetch_failed', reason),
  };
}

/** Tells live consoles to reload the message's cases (DESIGN.md §6: pending, then stored or failed). */
async function publishMediaUpdated(tx: Transaction, media: Pick<MediaTable, 'org_id' | 'message_id'>): Promise<void> {
  if (!media.message_id) return;
  const cases = await tx.db
    .selectFrom('record_messages')
    .innerJoin('records', 'records.id', 'record_messages.record_id')
    .select(['records.case_number', 'records.survey_id'])
    .where('record_messages.message_id', '=', media.message_id)
    .execute();
  for (const c of cases) {
    tx.publish({
      type: 'media.updated',
      orgId: media.org_id,
      caseNumber: Number(c.case_number),
      surveyId: c.survey_id,
      messageId: media.message_id,
    });
  }
}

function readableSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number(mib.toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}
