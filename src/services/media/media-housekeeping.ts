import { orphanBlobsQuery } from '../../db/queries/media.js';
import type { JobHandler } from '../../jobs/job-worker.js';
import type { ServiceContext } from '../context.js';
import { OUTBOUND_LINK_TTL_MS } from './outbound-links.js';

/**
 * What media leaves behind, cleared hourly by a recurring job (durable like any job, and one
 * run at a time however many processes share the database):
 *
 * - links of `/media/out/{token}` that ran out;
 * - uploads never sent: a file attached in the reply box and removed, or a send abandoned.
 *   They are kept as long as a link would be (24 hours), then deleted;
 * - bytes no media row refers to any more, and bytes a crash left half-written, after an
 *   hour (an upload or fetch in progress has its row by then).
 *
 * Each run deletes at most `BATCH` of each, so a backlog is worked off over several runs
 * without one long transaction.
 */
export const MEDIA_HOUSEKEEPING_JOB = 'media.housekeeping';
export const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;
const UNATTACHED_UPLOAD_TTL_MS = OUTBOUND_LINK_TTL_MS;
const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const BATCH = 500;

export function createMediaHousekeeping(ctx: ServiceContext) {
  const { db } = ctx;

  async function sweep(): Promise<{ links: number; uploads: number; blobs: number }> {
    const now = ctx.now();
    const links = await db.transaction(async (tx) => {
      const expired = await tx.db.selectFrom('media_links').select('token_hash').where('expires_at', '<=', now).limit(BATCH).execute();
      if (expired.length === 0) return 0;
      await tx.db
        .deleteFrom('media_links')
        .where(
          'token_hash',
          'in',
          expired.map((row) => row.token_hash),
        )
        .execute();
      return expired.length;
    });
    const uploads = await db.kysely
      .selectFrom('media')
      .select(['id', 'blob_id'])
      .where('message_id', 'is', null)
      .where('direction', '=', 'out')
      .where('created_at', '<', now - UNATTACHED_UPLOAD_TTL_MS)
      .limit(BATCH)
      .execute();
    if (uploads.length > 0) {
      const ids = uploads.map((row) => row.id);
      await db.transaction(async (tx) => {
        await tx.db.deleteFrom('media_links').where('media_id', 'in', ids).execute();
        // Still unattached: a send that took one meanwhile keeps it.
        await tx.db.deleteFrom('media').where('id', 'in', ids).where('message_id', 'is', null).execute();
      });
    }
    const orphans = await orphanBlobsQuery(db.kysely, now - ORPHAN_GRACE_MS, BATCH).execute();
    for (const { id } of orphans) await ctx.media.store.removeIfUnused(id);
    await ctx.media.store.sweepIncomplete(now - ORPHAN_GRACE_MS);
    return { links, uploads: uploads.length, blobs: orphans.length };
  }

  /**
   * Books the recurring job at start. Its id is fixed, so however many processes start at
   * once there is one; one that gave up (it should not: it retries hourly) starts again.
   */
  async function schedule(dueAt: number): Promise<void> {
    const now = ctx.now();
    await db.transaction(async (tx) => {
      await tx.db
        .insertInto('jobs')
        .values({
          id: MEDIA_HOUSEKEEPING_JOB,
          org_id: null,
          kind: MEDIA_HOUSEKEEPING_JOB,
          subject_id: 'media',
          state: 'pending',
          due_at: dueAt,
          attempts: 0,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ state: 'pending', due_at: dueAt, attempts: 0, claimed_until: null, updated_at: now })
            .where('jobs.state', '=', 'failed'),
        )
        .execute();
      tx.publish({ type: 'jobs.ready', orgId: '' });
    });
  }

  const handler: JobHandler = {
    kind: MEDIA_HOUSEKEEPING_JOB,
    // Retried hourly at most, practically for ever: cleaning must not stop after a bad hour.
    maxAttempts: 100_000,
    backoff: { baseMs: 60_000, capMs: HOUSEKEEPING_INTERVAL_MS },
    claimMs: 10 * 60_000,
    async run() {
      await sweep();
      return { state: 'done', runAgainAt: ctx.now() + HOUSEKEEPING_INTERVAL_MS };
    },
    giveUp: () => Promise.resolve(),
  };

  return { sweep, schedule, handler };
}
