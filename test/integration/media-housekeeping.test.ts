import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { HOUSEKEEPING_INTERVAL_MS, MEDIA_HOUSEKEEPING_JOB } from '../../src/services/media/media-housekeeping.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';
import { openCase, replyWith, upload, type FileToSend } from '../support/outbound-media-kit.js';

const DAY = 24 * 60 * 60 * 1000;

function photo(): FileToSend {
  const header = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
  return { bytes: Buffer.concat([header, randomBytes(2000), Buffer.from([0xff, 0xd9])]), name: 'photo.jpg', type: 'image/jpeg' };
}

/** What media leaves behind is cleared by an hourly job (src/services/media/media-housekeeping.ts). */
describeEachDialect('media housekeeping', (dialect) => {
  let clock = Date.now();
  const h = useCaseline(dialect, { now: () => clock });

  const mediaRow = (id: string) => h.caseline().db.kysely.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
  const blobRow = (id: string) => h.caseline().db.kysely.selectFrom('media_blobs').selectAll().where('id', '=', id).executeTakeFirst();

  it('an upload never sent is deleted with its bytes after a day; a sent one and its bytes stay', async () => {
    const org = await h.newOrg();
    const unsent = await upload(h, org.admin, photo());
    const sent = await upload(h, org.admin, photo());
    const caseNumber = await openCase(h, org, org.numberId);
    expect((await replyWith(h, org, caseNumber, 'Here is the form', [sent.id])).status).toBe(202);
    const unsentBlob = (await mediaRow(unsent.id))!.blob_id!;
    const sentBlob = (await mediaRow(sent.id))!.blob_id!;

    clock += DAY - 60_000;
    await h.caseline().services.mediaHousekeeping.sweep();
    expect(await mediaRow(unsent.id)).toBeDefined();

    // Past the day, and past the hour after which unreferenced bytes go.
    clock += 2 * 60 * 60 * 1000;
    await h.caseline().services.mediaHousekeeping.sweep();
    expect(await mediaRow(unsent.id)).toBeUndefined();
    expect(await blobRow(unsentBlob)).toBeUndefined();
    expect((await mediaRow(sent.id))?.status).toBe('stored');
    expect(await blobRow(sentBlob)).toBeDefined();
    const answer = await h.request('GET', `/api/v1/records/${caseNumber}`, { token: org.admin.token });
    const media = (answer.body.messages as Array<{ media: Array<{ id: string; url: string }> }>).flatMap((m) => m.media);
    expect(media).toHaveLength(1);
    const served = await h.caseline().app.inject({ url: media[0]!.url, headers: { authorization: `Bearer ${org.admin.token}` } });
    expect(served.statusCode).toBe(200);
  });

  it('bytes another upload still uses are kept when one copy goes', async () => {
    const org = await h.newOrg();
    const file = photo();
    const first = await upload(h, org.admin, file);
    const caseNumber = await openCase(h, org, org.numberId, '+447700900222');
    expect((await replyWith(h, org, caseNumber, 'Same file', [first.id])).status).toBe(202);
    // The same bytes uploaded again and never sent: one blob for both.
    const second = await upload(h, org.admin, file);
    expect((await mediaRow(second.id))!.blob_id).toBe((await mediaRow(first.id))!.blob_id);
    clock += DAY + 2 * 60 * 60 * 1000;
    await h.caseline().services.mediaHousekeeping.sweep();
    expect(await mediaRow(second.id)).toBeUndefined();
    expect(await blobRow((await mediaRow(first.id))!.blob_id!)).toBeDefined();
  });

  it('expired links of /media/out go, and a valid one stays', async () => {
    const org = await h.newOrg();
    const file = await upload(h, org.admin, photo());
    const { kysely } = h.caseline().db;
    await kysely
      .insertInto('media_links')
      .values([
        { token_hash: `expired-${file.id}`, media_id: file.id, expires_at: clock - 1 },
        { token_hash: `valid-${file.id}`, media_id: file.id, expires_at: clock + DAY },
      ])
      .execute();
    await h.caseline().services.mediaHousekeeping.sweep();
    const left = await kysely.selectFrom('media_links').select('token_hash').where('media_id', '=', file.id).execute();
    expect(left.map((row) => row.token_hash)).toEqual([`valid-${file.id}`]);
  });

  it('the job books itself again an hour on, and scheduling twice keeps one', async () => {
    const { services, jobs, db } = h.caseline();
    await services.mediaHousekeeping.schedule(clock);
    await services.mediaHousekeeping.schedule(clock);
    const booked = () => db.kysely.selectFrom('jobs').selectAll().where('kind', '=', MEDIA_HOUSEKEEPING_JOB).execute();
    expect(await booked()).toHaveLength(1);
    expect(await jobs.runOnce()).toBeGreaterThanOrEqual(1);
    const [next] = await booked();
    expect(next).toMatchObject({ state: 'pending', attempts: 0 });
    expect(Number(next!.due_at)).toBe(clock + HOUSEKEEPING_INTERVAL_MS);
    expect(await jobs.runOnce()).toBe(0);
  });
});
