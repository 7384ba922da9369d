import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MEDIA_FETCH_BOOKING_JOB, MEDIA_FETCH_JOB } from '../../src/domain/media.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';
import { drainJobs } from '../support/inbound-media-kit.js';
import { upload } from '../support/person-kit.js';

const PHOTO = readFileSync(new URL('../fixtures/media/photo.png', import.meta.url));

/**
 * An inbound batch's media are booked by one job, not a job per item, on the webhook's path;
 * the booking then writes a fetch job per item (src/services/media/fetch-booking.ts).
 */
describeEachDialect('media fetches booked per batch', (dialect) => {
  const h = useCaseline(dialect);

  const jobsOf = (orgId: string, kind: string) =>
    h.caseline().db.kysely.selectFrom('jobs').selectAll().where('org_id', '=', orgId).where('kind', '=', kind).execute();

  /** One inbound message carrying the sandbox uploads `uploadIds`, stored through the inbound service. */
  async function receiveFiles(org: TestOrg, uploadIds: string[], contact: string) {
    const inbound = h.caseline().services.inbound;
    const number = await inbound.routable(org.numberId);
    const message = {
      providerMessageId: randomUUID(),
      from: contact,
      text: 'Photos of the damp',
      media: uploadIds.map((ref) => ({ ref, contentType: 'image/png', name: null })),
    };
    return inbound.receive(number, message, contact);
  }

  async function mediaOf(orgId: string) {
    return h
      .caseline()
      .db.kysely.selectFrom('media')
      .select(['id', 'status'])
      .where('org_id', '=', orgId)
      .where('direction', '=', 'in')
      .orderBy('position')
      .execute();
  }

  async function threeUploads(org: TestOrg) {
    return Promise.all([1, 2, 3].map((n) => upload(h, org.admin.token, PHOTO, `photo-${n}.png`, 'image/png')));
  }

  it('a message with three files commits one booking listing them and no fetch job; the booking books one fetch each', async () => {
    const org = await h.newOrg();
    await receiveFiles(org, await threeUploads(org), '+447700900601');
    const items = await mediaOf(org.orgId);
    expect(items.map((item) => item.status)).toEqual(['pending', 'pending', 'pending']);
    const bookings = await jobsOf(org.orgId, MEDIA_FETCH_BOOKING_JOB);
    expect(bookings).toHaveLength(1);
    expect(JSON.parse(bookings[0]!.payload!)).toEqual(items.map((item) => item.id));
    expect(await jobsOf(org.orgId, MEDIA_FETCH_JOB)).toEqual([]);

    // The booking alone runs first: it is the only job due.
    expect(await h.caseline().jobs.runOnce()).toBe(1);
    expect(await jobsOf(org.orgId, MEDIA_FETCH_BOOKING_JOB)).toEqual([]);
    const fetches = await jobsOf(org.orgId, MEDIA_FETCH_JOB);
    expect(fetches.map((job) => job.subject_id).sort()).toEqual(items.map((item) => item.id).sort());

    await drainJobs(h);
    expect((await mediaOf(org.orgId)).map((item) => item.status)).toEqual(['stored', 'stored', 'stored']);
    expect(await jobsOf(org.orgId, MEDIA_FETCH_JOB)).toEqual([]);
  });

  it('messages stored together share one booking per organisation, and every item is fetched once', async () => {
    const [first, second] = [await h.newOrg(), await h.newOrg()];
    const [a, b] = [await threeUploads(first), await threeUploads(second)];
    // Received at once, they are stored in as few batches as the batcher makes of them.
    await Promise.all([
      ...a.map((id, i) => receiveFiles(first, [id], `+44770090070${i}`)),
      ...b.map((id, i) => receiveFiles(second, [id], `+44770090080${i}`)),
    ]);
    for (const org of [first, second]) {
      const bookings = await jobsOf(org.orgId, MEDIA_FETCH_BOOKING_JOB);
      expect(bookings.length).toBeGreaterThanOrEqual(1);
      expect(bookings.length).toBeLessThanOrEqual(3);
      const listed = bookings.flatMap((job) => JSON.parse(job.payload!) as string[]);
      expect(listed.sort()).toEqual((await mediaOf(org.orgId)).map((item) => item.id).sort());
    }
    await drainJobs(h);
    for (const org of [first, second]) {
      expect((await mediaOf(org.orgId)).map((item) => item.status)).toEqual(['stored', 'stored', 'stored']);
    }
  });

  it('a booking whose worker crashed is claimed again once its claim runs out, and books each fetch once', async () => {
    const org = await h.newOrg();
    await receiveFiles(org, await threeUploads(org), '+447700900901');
    const [booking] = await jobsOf(org.orgId, MEDIA_FETCH_BOOKING_JOB);
    // As a worker that claimed it and died leaves it: running, its claim run out.
    await h
      .caseline()
      .db.kysely.updateTable('jobs')
      .set({ state: 'running', attempts: 1, claimed_until: 1, due_at: 1 })
      .where('id', '=', booking!.id)
      .execute();
    expect(await h.caseline().jobs.runOnce()).toBe(1);
    expect(await jobsOf(org.orgId, MEDIA_FETCH_JOB)).toHaveLength(3);
    await drainJobs(h);
    expect((await mediaOf(org.orgId)).map((item) => item.status)).toEqual(['stored', 'stored', 'stored']);
  });

  it('a booking that lists no media ends failed with a reason and books nothing', async () => {
    const org = await h.newOrg();
    const id = randomUUID();
    await h
      .caseline()
      .db.kysely.insertInto('jobs')
      .values({
        id,
        org_id: org.orgId,
        kind: MEDIA_FETCH_BOOKING_JOB,
        subject_id: id,
        payload: '{"not":"a list"}',
        state: 'pending',
        due_at: 0,
        attempts: 0,
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    await drainJobs(h);
    const [job] = await jobsOf(org.orgId, MEDIA_FETCH_BOOKING_JOB);
    expect(job).toMatchObject({ state: 'failed', last_error: 'The booking does not list its media' });
    expect(await jobsOf(org.orgId, MEDIA_FETCH_JOB)).toEqual([]);
  });
});
