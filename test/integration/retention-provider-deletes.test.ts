import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { PROVIDER_DELETE_PACE } from '../../src/domain/retention.js';
import { describeEachDialect } from '../support/dialects.js';
import { twilioInboundFields, signTwilioWebhook, twilioSid } from '../support/fake-twilio.js';
import { signWhatsAppWebhook, whatsappInboundPayload } from '../support/fake-whatsapp-cloud.js';
import { pathOf, useCaseline, type TestOrg } from '../support/harness.js';
import { META, TWILIO, download, mediaChannels, useMediaFakes } from '../support/inbound-media-kit.js';
import { photo, type MediaFile } from '../support/media-files.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TWILIO_NUMBER = '+14155238886';
const BASIC = `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}`;

/**
 * Retention deletes the provider's copies too (DESIGN.md §9): Twilio's Message resources
 * and Meta's media, by durable jobs with the number's credentials, retried while the
 * provider is down, and reported as failed once given up on.
 */
describeEachDialect('retention: the provider’s copies', (dialect) => {
  let clock = Date.now();
  const { fakes, registry } = useMediaFakes();
  const h = useCaseline(dialect, { providers: registry, now: () => clock });
  const meta = mediaChannels(fakes).find((c) => c.provider === 'whatsapp-cloud')!;
  let contactSeq = 0;
  const newContact = () => `+4477009${String(40000 + ++contactSeq).slice(-5)}`;

  const post = (org: TestOrg, url: string, body?: unknown) => h.request('POST', `/api/v1${url}`, { token: org.admin.token, body });
  const status = async (org: TestOrg) =>
    (await h.request('GET', `/api/v1/surveys/${org.surveyId}/retention`, { token: org.admin.token })).body as {
      providerDeletes: { pending: number; failed: number; lastError: string | null };
    };

  /** Runs what is due once the provider deletes booked so far are due: they are paced from a minute on. */
  async function runJobs(): Promise<void> {
    clock += PROVIDER_DELETE_PACE.startAfterMs + SECOND;
    await runDueJobs();
  }

  /** Runs what is due now, without letting time pass. */
  async function runDueJobs(): Promise<void> {
    for (let round = 0; round < 50; round++) if ((await h.caseline().jobs.runOnce()) === 0) return;
    throw new Error('jobs kept coming');
  }

  async function twilioNumber(org: TestOrg): Promise<{ id: string; path: string }> {
    const res = await post(org, '/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: TWILIO_NUMBER,
      surveyId: org.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: 100,
      credentials: TWILIO,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, path: pathOf(res.body.webhooks.inbound) };
  }

  /** A signed SMS from `contact` to the Twilio number; answers the case it joined and its MessageSid. */
  async function twilioText(org: TestOrg, path: string, contact: string, text: string): Promise<{ n: number; sid: string }> {
    const sid = twilioSid('SM');
    const fields = twilioInboundFields({ from: contact, to: TWILIO_NUMBER, text, accountSid: TWILIO.accountSid, messageSid: sid });
    const delivery = signTwilioWebhook(`https://caseline.test${path}`, fields, TWILIO.authToken);
    expect((await h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers })).status).toBe(200);
    const n = (await h.records(org, 'status=open')).find((r) => r.contact === contact)!.caseNumber;
    return { n, sid };
  }

  /** An image from `contact` to the Meta number, kept at the fake; answers its media id there. */
  async function metaImage(path: string, contact: string, file: MediaFile): Promise<string> {
    const kept = fakes().meta.addMedia(META.phoneNumberId, { bytes: file.bytes, contentType: file.contentType, contentLength: true });
    const payload = whatsappInboundPayload({
      phoneNumberId: META.phoneNumberId,
      from: contact.slice(1),
      messageId: `wamid.${randomUUID()}`,
      media: { type: 'image', id: kept.id, mimeType: file.contentType, caption: 'The damp in the bedroom' },
    });
    const delivery = signWhatsAppWebhook(payload, META.appSecret);
    expect((await h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers })).status).toBe(200);
    return kept.id;
  }

  async function close(org: TestOrg, n: number): Promise<void> {
    expect((await post(org, `/records/${n}/lock`)).status).toBe(200);
    expect((await post(org, `/records/${n}/close`)).status).toBe(200);
  }

  /** Retention at zero days, run now: every closed case of the survey is redacted. */
  async function redactClosed(org: TestOrg) {
    const patch = await h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, {
      token: org.admin.token,
      body: { retention: { closedCaseDays: 0 } },
    });
    expect(patch.status).toBe(200);
    clock += MINUTE;
    const res = await post(org, `/surveys/${org.surveyId}/retention/run`, {});
    expect(res.status).toBe(200);
    return res.body as { cases: number; messages: number; media: number };
  }

  const deleteCalls = (sid: string) =>
    fakes().twilio.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/Messages/${sid}.json`));

  it('a Twilio number’s redacted inbound and outbound messages are deleted at Twilio with the account’s credentials', async () => {
    const org = await h.newOrg();
    const number = await twilioNumber(org);
    const contact = newContact();
    const inbound = await twilioText(org, number.path, contact, 'Please do not call, text only');
    expect((await post(org, `/records/${inbound.n}/lock`)).status).toBe(200);
    clock += MINUTE;
    expect((await h.reply(org, inbound.n, 'We will text you tomorrow')).status).toBe(202);
    await h.caseline().outbox.runOnce();
    const outboundSid = fakes().twilio.sent.find((s) => s.body.To === contact)!.id;
    expect((await post(org, `/records/${inbound.n}/close`)).status).toBe(200);

    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 2, media: 0 });
    expect((await status(org)).providerDeletes).toEqual({ pending: 2, failed: 0, lastError: null });
    await runJobs();
    const deleted = fakes().twilio.deletedMessages.filter((d) => [inbound.sid, outboundSid].includes(d.sid));
    expect(deleted.map((d) => d.sid).sort()).toEqual([inbound.sid, outboundSid].sort());
    for (const call of deleted) expect(call).toMatchObject({ accountSid: TWILIO.accountSid, authorization: BASIC });
    expect((await status(org)).providerDeletes).toEqual({ pending: 0, failed: 0, lastError: null });

    // The jobs are done: another run books and calls nothing more.
    expect(await redactClosed(org)).toEqual({ cases: 0, messages: 0, media: 0 });
    await runJobs();
    expect(deleteCalls(inbound.sid)).toHaveLength(1);
  });

  it('a WhatsApp Cloud number’s inbound image is deleted at Meta by its media id, and no longer served here', async () => {
    const org = await h.newOrg();
    const path = await meta.addNumber(h, org);
    const contact = newContact();
    const mediaId = await metaImage(path, contact, photo(41));
    await runJobs();
    const n = (await h.records(org, 'status=open')).find((r) => r.contact === contact)!.caseNumber;
    const [item] = (await h.record(org, n)).messages[0].media as Array<{ id: string; url: string; status: string }>;
    expect(item!.status).toBe('stored');
    const blob = await h.caseline().db.kysely.selectFrom('media').select('blob_id').where('id', '=', item!.id).executeTakeFirstOrThrow();
    await close(org, n);

    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 1 });
    expect((await download(h, item!.url, org.admin.token)).status).toBe(404);
    expect((await h.record(org, n)).messages[0]).toMatchObject({ text: '', media: [] });
    const blobs = await h.caseline().db.kysely.selectFrom('media_blobs').select('id').where('id', '=', blob.blob_id!).execute();
    expect(blobs).toEqual([]);

    await runJobs();
    expect(fakes().meta.deletedMedia.filter((d) => d.id === mediaId)).toEqual([
      {
        id: mediaId,
        phoneNumberId: META.phoneNumberId,
        authorization: `Bearer ${META.accessToken}`,
        query: { phone_number_id: META.phoneNumberId },
      },
    ]);
    expect((await status(org)).providerDeletes).toEqual({ pending: 0, failed: 0, lastError: null });
  });

  it('bytes another case also holds stay served for that case; Meta deletes only the redacted case’s copy', async () => {
    const org = await h.newOrg();
    const path = await meta.addNumber(h, org);
    const [gone, kept] = [newContact(), newContact()];
    const file = photo(42);
    const goneId = await metaImage(path, gone, file);
    const keptId = await metaImage(path, kept, file);
    await runJobs();
    const cases = await h.records(org, 'status=open');
    const caseOf = (contact: string) => cases.find((r) => r.contact === contact)!.caseNumber;
    const mediaOf = async (n: number) => (await h.record(org, n)).messages[0].media[0] as { id: string; url: string };
    const keptItem = await mediaOf(caseOf(kept));
    const goneItem = await mediaOf(caseOf(gone));
    await close(org, caseOf(gone));

    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 1 });
    await runJobs();
    expect((await download(h, goneItem.url, org.admin.token)).status).toBe(404);
    const served = await download(h, keptItem.url, org.admin.token);
    expect(served.status).toBe(200);
    expect(Buffer.compare(served.bytes, file.bytes)).toBe(0);
    const deleted = fakes().meta.deletedMedia.map((d) => d.id);
    expect(deleted).toContain(goneId);
    expect(deleted).not.toContain(keptId);
  });

  it('a provider that fails twice is tried again after its backoff, then the copy is deleted', async () => {
    const org = await h.newOrg();
    const number = await twilioNumber(org);
    const { n, sid } = await twilioText(org, number.path, newContact(), 'Is this confidential?');
    await close(org, n);
    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 0 });

    fakes().twilio.failDeletes(2, '500');
    await runJobs();
    expect(deleteCalls(sid)).toHaveLength(1);
    let deletes = (await status(org)).providerDeletes;
    expect(deletes).toMatchObject({ pending: 1, failed: 0 });
    expect(deletes.lastError).toContain('Twilio did not delete the message');
    // Not before its backoff.
    await runDueJobs();
    expect(deleteCalls(sid)).toHaveLength(1);

    clock += 10 * MINUTE;
    await runJobs();
    expect(deleteCalls(sid)).toHaveLength(2);
    clock += 10 * MINUTE;
    await runJobs();
    expect(deleteCalls(sid)).toHaveLength(3);
    expect(fakes().twilio.deletedMessages.filter((d) => d.sid === sid)).toHaveLength(1);
    deletes = (await status(org)).providerDeletes;
    expect(deletes).toEqual({ pending: 0, failed: 0, lastError: null });
  });

  it('a message Twilio is not yet done with (20009) is tried again later', async () => {
    const org = await h.newOrg();
    const number = await twilioNumber(org);
    const { n, sid } = await twilioText(org, number.path, newContact(), 'Just sent');
    await close(org, n);
    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 0 });
    fakes().twilio.failDeletes(1, '20009');
    await runJobs();
    expect((await status(org)).providerDeletes).toEqual({
      pending: 1,
      failed: 0,
      lastError: 'Twilio did not delete the message: Twilio cannot delete the message until it has finished with it (20009)',
    });
    clock += 10 * MINUTE;
    await runJobs();
    expect(fakes().twilio.deletedMessages.filter((d) => d.sid === sid)).toHaveLength(1);
    expect((await status(org)).providerDeletes).toEqual({ pending: 0, failed: 0, lastError: null });
  });

  it('credentials Twilio refuses fail the delete at once, with the reason', async () => {
    const org = await h.newOrg();
    // An account the fake Twilio does not know: its API answers 401 (20003).
    const stranger = { accountSid: `AC${'5e'.repeat(16)}`, authToken: 'c4ca4238a0b923820dcc509a6f75849b' };
    const res = await post(org, '/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: '+14155238887',
      surveyId: org.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      credentials: stranger,
    });
    expect(res.status).toBe(201);
    const path = pathOf(res.body.webhooks.inbound);
    const sid = twilioSid('SM');
    const fields = twilioInboundFields({
      from: newContact(),
      to: '+14155238887',
      text: 'hello',
      accountSid: stranger.accountSid,
      messageSid: sid,
    });
    const delivery = signTwilioWebhook(`https://caseline.test${path}`, fields, stranger.authToken);
    expect((await h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers })).status).toBe(200);
    const [record] = await h.records(org, 'status=open');
    await close(org, record!.caseNumber);

    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 0 });
    await runJobs();
    clock += 7 * HOUR;
    await runJobs();
    expect(deleteCalls(sid)).toHaveLength(1);
    expect((await status(org)).providerDeletes).toEqual({
      pending: 0,
      failed: 1,
      lastError: 'Twilio did not delete the message: Twilio rejected the account SID or auth token (20003)',
    });
  });

  it('a copy the provider no longer has counts as deleted', async () => {
    const org = await h.newOrg();
    const path = await meta.addNumber(h, org);
    const mediaId = await metaImage(path, newContact(), photo(43));
    await runJobs();
    const [record] = await h.records(org, 'status=open');
    await close(org, record!.caseNumber);
    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 1 });
    fakes().meta.failDeletes(1, '404');
    await runJobs();
    const calls = fakes().meta.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/${mediaId}`));
    expect(calls).toHaveLength(1);
    expect((await status(org)).providerDeletes).toEqual({ pending: 0, failed: 0, lastError: null });
  });

  it('a provider that always fails is given up on after 8 attempts; the status reports it without the number', async () => {
    const org = await h.newOrg();
    const number = await twilioNumber(org);
    const contact = newContact();
    const { n, sid } = await twilioText(org, number.path, contact, 'Please delete this');
    await close(org, n);
    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 0 });

    fakes().twilio.failDeletes(8, '500');
    for (let attempt = 1; attempt <= 8; attempt++) {
      await runJobs();
      expect(deleteCalls(sid), `attempt ${attempt}`).toHaveLength(attempt);
      clock += 7 * HOUR;
    }
    await runJobs();
    expect(deleteCalls(sid)).toHaveLength(8);
    const { providerDeletes } = await status(org);
    expect(providerDeletes).toMatchObject({ pending: 0, failed: 1 });
    expect(providerDeletes.lastError).toMatch(/^Gave up after 8 attempts: Twilio did not delete the message/);
    expect(providerDeletes.lastError).not.toContain(contact.slice(1));
    expect(providerDeletes.lastError).not.toContain('Please delete');
  });

  it('an archived number’s copies are still deleted, with its credentials', async () => {
    const org = await h.newOrg();
    const number = await twilioNumber(org);
    const { n, sid } = await twilioText(org, number.path, newContact(), 'One more thing');
    await close(org, n);
    expect((await h.request('DELETE', `/api/v1/numbers/${number.id}`, { token: org.admin.token })).status).toBe(204);

    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 0 });
    await runJobs();
    expect(fakes().twilio.deletedMessages.filter((d) => d.sid === sid)).toEqual([
      { accountSid: TWILIO.accountSid, sid, authorization: BASIC },
    ]);
    expect((await status(org)).providerDeletes).toEqual({ pending: 0, failed: 0, lastError: null });
  });

  it('a sandbox number has no copies to delete: nothing is booked', async () => {
    const org = await h.newOrg();
    await h.text(org, newContact(), 'hello');
    const [record] = await h.records(org, 'status=open');
    await close(org, record!.caseNumber);
    expect(await redactClosed(org)).toEqual({ cases: 1, messages: 1, media: 0 });
    expect((await status(org)).providerDeletes).toEqual({ pending: 0, failed: 0, lastError: null });
  });
});
