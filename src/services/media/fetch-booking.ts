import { enqueueJobs, type NewJob } from '../../db/queries/jobs.js';
import type { MediaTable } from '../../db/schema.js';
import { MEDIA_FETCH_BOOKING_JOB, MEDIA_FETCH_JOB } from '../../domain/media.js';
import type { JobHandler } from '../../jobs/job-worker.js';
import type { ServiceContext } from '../context.js';
import { groupBy } from '../group-by.js';
import { newId } from '../ids.js';

/**
 * Each inbound media item is fetched by a job of its own (./fetch-media.ts), but the
 * webhook's transaction does not write them: it writes one booking per organisation in the
 * batch, listing the batch's items, and the booking writes their fetch jobs once it runs,
 * after the answer: a job row per photo on the webhook's path made a photo's webhook
 * measurably slower than a text's (docs/decisions.md "One booking per batch"). The
 * booking's jobs are written in the transaction that ends it, so a crash either leaves the
 * booking to run again or has booked them all, never some.
 */
export function mediaFetchBookings(media: ReadonlyArray<Pick<MediaTable, 'id' | 'org_id'>>, now: number): NewJob[] {
  return [...groupBy(media, (item) => item.org_id)].map(([orgId, items]) => ({
    id: newId(now),
    orgId,
    kind: MEDIA_FETCH_BOOKING_JOB,
    subjectId: items[0]!.id,
    payload: JSON.stringify(items.map((item) => item.id)),
    dueAt: now,
  }));
}

export function createMediaFetchBookingHandler(ctx: ServiceContext): JobHandler {
  return {
    kind: MEDIA_FETCH_BOOKING_JOB,
    // It only writes rows: a retry is for a database that failed, and a crash is met by the
    // claim running out.
    maxAttempts: 10,
    backoff: { baseMs: 1_000, capMs: 30_000 },
    claimMs: 30_000,

    run(job) {
      const ids = mediaIdsOf(job.payload);
      if (!ids) return Promise.resolve({ state: 'failed', reason: 'The booking does not list its media' });
      const now = ctx.now();
      const fetches = ids.map((mediaId) => ({ id: newId(now), orgId: job.org_id, kind: MEDIA_FETCH_JOB, subjectId: mediaId, dueAt: now }));
      return Promise.resolve({ state: 'done', apply: (tx) => enqueueJobs(tx, fetches, now) });
    },

    // Nothing to mark: a booking fails only when its payload is unreadable, and then it
    // cannot say which items it was for. Its row stays, `failed`, with the reason.
    giveUp: () => Promise.resolve(),
  };
}

function mediaIdsOf(payload: string | null): string[] | null {
  if (payload === null) return null;
  try {
    const parsed: unknown = JSON.parse(payload);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((id) => typeof id === 'string') ? parsed : null;
  } catch {
    return null;
  }
}
