import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { META, TWILIO, download, drainJobs, latestMedia, mediaChannels, useMediaFakes } from '../support/inbound-media-kit.js';
import { pdf, photo, voiceNote, type MediaFile } from '../support/media-files.js';
import { useCaseline } from '../support/harness.js';

/**
 * DESIGN.md §6, inbound: every file a person sends is fetched by Caseline with the number's
 * credentials, by a durable job after the webhook is answered, and served back from our own
 * store. Jobs are driven here (`jobs.runOnce()`), so each step is seen in order.
 */
describeEachDialect('inbound media', (dialect) => {
  const { fakes, registry } = useMediaFakes();
  const h = useCaseline(dialect, { providers: registry });
  const channels = mediaChannels(fakes);

  for (const channel of channels) {
    describe(channel.provider, () => {
      const files: Array<[string, MediaFile]> = [
        ['an image', photo(channel.provider.length)],
        ['a voice note', voiceNote()],
        ['a PDF', pdf()],
      ];
      for (const [what, file] of files) {
        it(`${what} is fetched with the number’s credentials and served back byte for byte`, async () => {
          const org = await h.newOrg();
          const path = await channel.addNumber(h, org);
          const sent = await channel.receive(h, path, file, 'From the flat');
          expect(sent.status).toBe(200);
          const [pending] = await latestMedia(h, org);
          expect(pending).toMatchObject({ status: 'pending', size: null, url: `/api/v1/media/${pending!.id}`, error: null });

          await drainJobs(h);
          const [stored] = await latestMedia(h, org);
          expect(stored).toMatchObject({ id: pending!.id, status: 'stored', contentType: file.storedType, size: file.bytes.length });
          if (file.name && channel.provider !== 'twilio') expect(stored!.name).toBe(file.name);
          const served = await download(h, stored!.url, org.admin.token);
          expect(served.status).toBe(200);
          expect(served.headers['content-type']).toContain(file.storedType.split(';')[0]);
          expect(served.headers['x-content-type-options']).toBe('nosniff');
          expect(Buffer.compare(served.bytes, file.bytes)).toBe(0);
          expect(sent.host.downloads.filter((d) => d.target === sent.target && d.completed)).toHaveLength(1);
        });
      }
    });
  }

  it('Twilio: the media URL is fetched with Basic auth, and its storage host is never sent the credentials', async () => {
    const twilio = channels.find((c) => c.provider === 'twilio')!;
    const org = await h.newOrg();
    const sent = await twilio.receive(h, await twilio.addNumber(h, org), photo(7));
    await drainJobs(h);
    expect((await latestMedia(h, org))[0]!.status).toBe('stored');
    const apiCall = fakes()
      .twilio.requests.filter((r) => r.method === 'GET')
      .at(-1)!;
    const basic = `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}`;
    expect(apiCall.headers.authorization).toBe(basic);
    const storage = sent.host.downloads.filter((d) => d.target === sent.target);
    expect(storage).toHaveLength(1);
    expect(storage[0]!.authorization).toBeUndefined();
  });

  it('Meta: the media id is looked up with the access token, then its URL fetched with the same token', async () => {
    const meta = channels.find((c) => c.provider === 'whatsapp-cloud')!;
    const org = await h.newOrg();
    const sent = await meta.receive(h, await meta.addNumber(h, org), pdf());
    await drainJobs(h);
    expect((await latestMedia(h, org))[0]).toMatchObject({ status: 'stored', name: 'tenancy-agreement.pdf' });
    const lookup = fakes()
      .meta.requests.filter((r) => r.method === 'GET')
      .at(-1)!;
    expect(lookup.path).toMatch(/^\/v\d+\.\d+\/\d+$/);
    expect(lookup.query.phone_number_id).toBe(META.phoneNumberId);
    expect(lookup.headers.authorization).toBe(`Bearer ${META.accessToken}`);
    expect(sent.host.downloads.find((d) => d.target === sent.target)!.authorization).toBe(`Bearer ${META.accessToken}`);
  });

  it('the webhook is answered while the provider’s media URL hangs, and the fetch happens after', async () => {
    const [channel] = channels;
    const org = await h.newOrg();
    const path = await channel!.addNumber(h, org);
    const first = await channel!.receive(h, path, photo(21));
    expect(first.status).toBe(200);
    first.host.failNext(first.target, 'hang');
    // The batch's booking runs first, then the fetch it booked.
    const fetching = drainJobs(h);
    await expect.poll(() => first.host.downloads.some((d) => d.target === first.target)).toBe(true);

    // The fetch is stuck at the provider; another webhook with media is answered at once.
    const started = Date.now();
    const second = await channel!.receive(h, path, photo(22));
    expect(second.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await latestMedia(h, org))[0]!.status).toBe('pending');

    first.host.releaseHangs();
    await fetching;
    await drainJobs(h);
    // The hung attempt failed (503) and waits for a retry; the second one was fetched.
    const items = (await h.record(org, (await h.records(org))[0]!.caseNumber)).messages.map(
      (m: { media: Array<{ status: string }> }) => m.media[0]!.status,
    );
    expect(items).toEqual(['pending', 'stored']);
  });

  it('another organisation gets 404 on the media URL', async () => {
    const [channel] = channels;
    const org = await h.newOrg();
    await channel!.receive(h, await channel!.addNumber(h, org), photo(31));
    await drainJobs(h);
    const [item] = await latestMedia(h, org);
    const other = await h.newOrg();
    expect((await download(h, item!.url, other.admin.token)).status).toBe(404);
  });
});
