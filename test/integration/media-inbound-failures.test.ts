import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { MEDIA_FETCH_JOB } from '../../src/domain/media.js';
import { MEDIA_FETCH_SCHEDULE } from '../../src/services/media/fetch-media.js';
import { signSandboxBody } from '../../src/providers/sandbox.js';
import { describeEachDialect } from '../support/dialects.js';
import { signWhatsAppWebhook, whatsappInboundPayload } from '../support/fake-whatsapp-cloud.js';
import { META, download, drainJobs, latestMedia, mediaChannels, skipBackoff, useMediaFakes } from '../support/inbound-media-kit.js';
import { htmlDeclaredPng, largePhoto, photo } from '../support/media-files.js';
import { useCaseline, type Harness, type TestOrg } from '../support/harness.js';

/**
 * DESIGN.md §6 and §13: a fetch that cannot succeed ends `failed` with a reason a worker can
 * read — at once when the provider no longer has the file, after its retries when the
 * provider keeps failing — and never keeps more than `CASELINE_MEDIA_MAX_BYTES`.
 */
const MAX_BYTES = 1024 * 1024;

describeEachDialect('inbound media that cannot be kept as sent', (dialect) => {
  const { fakes, registry } = useMediaFakes();
  const h = useCaseline(dialect, { providers: registry, config: { mediaMaxBytes: MAX_BYTES } });
  const channels = mediaChannels(fakes);
  const [twilio, , meta] = channels as [(typeof channels)[0], (typeof channels)[0], (typeof channels)[0]];

  const fetchJob = (mediaId: string) =>
    h
      .caseline()
      .db.kysely.selectFrom('jobs')
      .selectAll()
      .where('kind', '=', MEDIA_FETCH_JOB)
      .where('subject_id', '=', mediaId)
      .executeTakeFirst();

  for (const channel of channels) {
    it(`${channel.provider}: an expired media URL (404) ends failed at once with a reason`, async () => {
      const org = await h.newOrg();
      const sent = await channel.receive(h, await channel.addNumber(h, org), photo(1));
      sent.host.failNext(sent.target, { status: 404 });
      await drainJobs(h);
      const [item] = await latestMedia(h, org);
      expect(item).toMatchObject({ status: 'failed', size: null, error: { code: 'media_fetch_failed' } });
      expect(item!.error!.message).toMatch(/no longer has this file \(404\)$/);
      expect((await fetchJob(item!.id))?.state).toBe('failed');
    });
  }

  it('Meta: a media id Meta no longer knows ends failed at once', async () => {
    const org = await h.newOrg();
    const path = await meta.addNumber(h, org);
    const payload = whatsappInboundPayload({
      phoneNumberId: META.phoneNumberId,
      from: '447700900123',
      media: { type: 'image', id: '999000111222333', mimeType: 'image/jpeg' },
    });
    const delivery = signWhatsAppWebhook(payload, META.appSecret);
    expect((await h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers })).status).toBe(200);
    await drainJobs(h);
    expect((await latestMedia(h, org))[0]).toMatchObject({
      status: 'failed',
      error: { code: 'media_fetch_failed', message: 'WhatsApp no longer has this file (100)' },
    });
  });

  it('a provider error (500) is retried with backoff, and the next attempt stores the file', async () => {
    const org = await h.newOrg();
    const sent = await twilio.receive(h, await twilio.addNumber(h, org), photo(2));
    sent.host.failNext(sent.target, { status: 500 });
    const before = Date.now();
    await drainJobs(h);
    const [pending] = await latestMedia(h, org);
    expect(pending!.status).toBe('pending');
    const job = (await fetchJob(pending!.id))!;
    expect(job).toMatchObject({ state: 'pending', attempts: 1 });
    // About 5 s after the first failure: half of it fixed, half random.
    const delay = Number(job.due_at) - before;
    expect(delay).toBeGreaterThanOrEqual(MEDIA_FETCH_SCHEDULE.backoff.baseMs / 2 - 50);
    expect(delay).toBeLessThanOrEqual(MEDIA_FETCH_SCHEDULE.backoff.baseMs + 1000);

    await skipBackoff(h);
    await drainJobs(h);
    expect((await latestMedia(h, org))[0]).toMatchObject({ status: 'stored', size: photo(2).bytes.length, error: null });
    expect(await fetchJob(pending!.id)).toBeUndefined();
  });

  it('a provider that keeps failing: failed after the last attempt, with the reason', async () => {
    const org = await h.newOrg();
    const sent = await twilio.receive(h, await twilio.addNumber(h, org), photo(3));
    sent.host.failNext(sent.target, ...Array.from({ length: MEDIA_FETCH_SCHEDULE.maxAttempts }, () => ({ status: 503 })));
    for (let attempt = 1; attempt <= MEDIA_FETCH_SCHEDULE.maxAttempts; attempt += 1) {
      expect((await latestMedia(h, org))[0]!.status).toBe('pending');
      await skipBackoff(h);
      await drainJobs(h);
    }
    const [item] = await latestMedia(h, org);
    expect(item).toMatchObject({ status: 'failed', error: { code: 'media_fetch_failed' } });
    expect(item!.error!.message).toBe(
      `Gave up after ${MEDIA_FETCH_SCHEDULE.maxAttempts} attempts: Twilio could not send the file just now (HTTP 503)`,
    );
  });

  it('a file over the limit is cut off while streaming and ends failed media_too_large', async () => {
    const org = await h.newOrg();
    const big = { ...largePhoto(24 * MAX_BYTES), chunked: true };
    const sent = await twilio.receive(h, await twilio.addNumber(h, org), big);
    await drainJobs(h);
    const [item] = await latestMedia(h, org);
    expect(item).toMatchObject({ status: 'failed', size: null, error: { code: 'media_too_large' } });
    expect(item!.error!.message).toBe('The file is larger than the limit of 1 MiB, so it was not kept');
    const transfer = sent.host.downloads.find((d) => d.target === sent.target)!;
    await expect.poll(() => transfer.ended).toBe(true);
    expect(transfer.completed).toBe(false);
    expect(transfer.bytesSent).toBeLessThan(big.bytes.length / 2);
    expect(await blobsOf(org)).toHaveLength(0);
  });

  it('a file whose announced size is over the limit is refused without reading it', async () => {
    const org = await h.newOrg();
    const big = largePhoto(24 * MAX_BYTES);
    const sent = await meta.receive(h, await meta.addNumber(h, org), big);
    await drainJobs(h);
    expect((await latestMedia(h, org))[0]).toMatchObject({ status: 'failed', error: { code: 'media_too_large' } });
    // Meta names the size (`file_size`, `Content-Length`): the answer is dropped once its headers arrive.
    const transfer = sent.host.downloads.find((d) => d.target === sent.target)!;
    await expect.poll(() => transfer.ended).toBe(true);
    expect(transfer.completed).toBe(false);
    expect(await blobsOf(org)).toHaveLength(0);
  });

  it('HTML declared image/png is stored as application/octet-stream and served only as a download', async () => {
    const org = await h.newOrg();
    const file = htmlDeclaredPng();
    await twilio.receive(h, await twilio.addNumber(h, org), file);
    await drainJobs(h);
    const [item] = await latestMedia(h, org);
    expect(item).toMatchObject({ status: 'stored', contentType: 'application/octet-stream' });
    const served = await download(h, item!.url, org.admin.token);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('application/octet-stream');
    expect(String(served.headers['content-disposition'])).toMatch(/^attachment/);
    expect(Buffer.compare(served.bytes, file.bytes)).toBe(0);
  });

  it('the same photo sent twice is stored once', async () => {
    const org = await h.newOrg();
    const path = await twilio.addNumber(h, org);
    await twilio.receive(h, path, photo(4));
    await twilio.receive(h, path, photo(4));
    await drainJobs(h);
    const rows = await h.caseline().db.kysely.selectFrom('media').select(['status', 'blob_id']).where('org_id', '=', org.orgId).execute();
    expect(rows.map((r) => r.status)).toEqual(['stored', 'stored']);
    expect(rows[0]!.blob_id).toBe(rows[1]!.blob_id);
    expect(await blobsOf(org)).toHaveLength(1);
  });

  it('the media of a number archived before the fetch end failed number_archived', async () => {
    const org = await h.newOrg();
    await twilio.receive(h, await twilio.addNumber(h, org), photo(5));
    const number = await h
      .caseline()
      .db.kysely.selectFrom('numbers')
      .select('id')
      .where('org_id', '=', org.orgId)
      .where('provider', '=', 'twilio')
      .executeTakeFirstOrThrow();
    expect((await h.request('DELETE', `/api/v1/numbers/${number.id}`, { token: org.admin.token })).status).toBe(204);
    await drainJobs(h);
    expect((await latestMedia(h, org))[0]).toMatchObject({ status: 'failed', error: { code: 'number_archived' } });
  });

  it('sandbox: a simulated message names an upload of the organisation, whose bytes are linked, not fetched', async () => {
    const org = await h.newOrg();
    const upload = await uploadPhoto(h, org);
    const otherOrg = await h.newOrg();
    const foreign = await uploadPhoto(h, otherOrg);
    expect((await sandboxMedia(h, org, [upload, foreign])).status).toBe(200);
    await drainJobs(h);
    const [own, stranger] = await latestMedia(h, org);
    expect(own).toMatchObject({ status: 'stored', contentType: 'image/png', size: photo(6).bytes.length });
    // Another organisation's upload is not theirs to name.
    expect(stranger).toMatchObject({ status: 'failed', error: { code: 'media_fetch_failed' } });
    expect(await blobsOf(org)).toHaveLength(1);
  });

  it('a sandbox body without media is still a text message', async () => {
    const org = await h.newOrg();
    expect((await h.text(org, '+447700900123', 'Just words')).status).toBe(200);
    expect(await latestMedia(h, org)).toEqual([]);
  });

  const blobsOf = (org: TestOrg) => h.caseline().db.kysely.selectFrom('media_blobs').select('id').where('org_id', '=', org.orgId).execute();
});

/** `POST /api/v1/media` with one file, as the simulator uploads it. */
async function uploadPhoto(h: Harness, org: TestOrg): Promise<string> {
  const boundary = `----caseline${randomUUID()}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n`),
    photo(6).bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await h.request('POST', '/api/v1/media', {
    token: org.admin.token,
    rawBody: body,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function sandboxMedia(h: Harness, org: TestOrg, uploads: string[]) {
  const raw = JSON.stringify({ id: randomUUID(), from: '+447700900123', text: 'See the photo', media: uploads.map((id) => ({ id })) });
  return h.request('POST', org.webhookPath, {
    rawBody: raw,
    headers: { 'content-type': 'application/json', 'x-caseline-signature': signSandboxBody(org.webhookSecret, raw) },
  });
}
