import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { describeEachDialect } from '../support/dialects.js';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.js';
import { startFakeVonage, vonageApplication, type FakeVonage } from '../support/fake-vonage.js';
import { startFakeWhatsAppCloud, type FakeWhatsAppCloud } from '../support/fake-whatsapp-cloud.js';
import { useCaseline } from '../support/harness.js';
import { largePhoto, pdf, photo, voiceNote } from '../support/media-files.js';
import {
  META_NUMBER,
  TWILIO_ACCOUNT,
  addNumber,
  gif,
  openCase,
  replyWith,
  upload,
  written,
  type FileToSend,
  type NumberKind,
} from '../support/outbound-media-kit.js';
import { freePort } from '../support/server-process.js';

const HOUR = 60 * 60 * 1000;
const PNG = (variant = 0): FileToSend => ({ bytes: photo(variant).bytes, name: 'damp-wall.png', type: 'image/png' });
const PDF: FileToSend = { bytes: pdf().bytes, name: 'tenancy-agreement.pdf', type: 'application/pdf' };
const VOICE: FileToSend = { bytes: voiceNote().bytes, name: 'voice-note.ogg', type: 'audio/ogg' };

/**
 * Outbound attachments (DESIGN.md §6) through every provider, over real HTTP: Caseline
 * listens on a port that `PUBLIC_URL` names, and the fake Twilio and Vonage fetch
 * `/media/out/{token}` from it as the real ones do; the fake Meta receives the upload, then
 * the send by id. What a provider cannot carry is refused before anything is queued.
 */
describeEachDialect('outbound attachments', (dialect) => {
  const vonageApp = vonageApplication();
  let twilio: FakeTwilio;
  let vonage: FakeVonage;
  let meta: FakeWhatsAppCloud;
  let port: number;
  const config: Partial<Config> = {};
  /** Time the test lets pass on the server's clock. */
  let elapsed = 0;

  beforeAll(async () => {
    twilio = await startFakeTwilio({ accounts: { [TWILIO_ACCOUNT.accountSid]: TWILIO_ACCOUNT.authToken } });
    vonage = await startFakeVonage({ applications: { [vonageApp.applicationId]: vonageApp.publicKey } });
    meta = await startFakeWhatsAppCloud({ phoneNumbers: { [META_NUMBER.phoneNumberId]: META_NUMBER.accessToken } });
    port = await freePort();
    config.publicUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await twilio.close();
    await vonage.close();
    await meta.close();
  });

  const h = useCaseline(dialect, {
    providers: () =>
      createProviderRegistry({ twilio: twilio.url, vonage: vonage.url, whatsapp: meta.url, africastalking: 'http://127.0.0.1:9' }),
    startOutbox: true,
    outbox: { pollMs: 20, backoffBaseMs: 50, backoffCapMs: 100 },
    config,
    now: () => Date.now() + elapsed,
  });
  beforeAll(async () => {
    await h.caseline().app.listen({ port, host: '127.0.0.1' });
  });

  async function setup(kind: NumberKind) {
    const org = await h.newOrg();
    const numberId = await addNumber(h, org, kind, vonageApp);
    const caseNumber = await openCase(h, org, numberId);
    return { org, numberId, caseNumber, tag: randomUUID().slice(0, 8) };
  }

  /** The message's provider id and the state of its outbox row. */
  const sendState = (messageId: string) =>
    h
      .caseline()
      .db.kysely.selectFrom('messages as m')
      .innerJoin('outbox as o', 'o.message_id', 'm.id')
      .select(['m.status', 'm.provider_message_id', 'o.state', 'o.attempts'])
      .where('m.id', '=', messageId)
      .executeTakeFirstOrThrow();

  describe('reaching each provider in its real form', () => {
    it('Twilio MMS gets one MediaUrl per attachment, and fetching each (HEAD, then GET) gives back the same bytes', async () => {
      const { org, caseNumber, tag } = await setup('twilio-sms');
      const image = await upload(h, org.admin, PNG(1));
      const document = await upload(h, org.admin, PDF);
      const res = await replyWith(h, org, caseNumber, `Here is the form ${tag}`, [image.id, document.id]);
      expect(res.status).toBe(202);
      expect(res.body.text).toBe(`Here is the form ${tag} #${caseNumber}`);
      expect(res.body.media).toEqual([
        expect.objectContaining({ contentType: 'image/png', status: 'stored', name: 'damp-wall.png', url: `/api/v1/media/${image.id}` }),
        expect.objectContaining({ contentType: 'application/pdf', status: 'stored', name: 'tenancy-agreement.pdf' }),
      ]);

      await expect
        .poll(() => twilio.sent.find((s) => s.body.Body === `Here is the form ${tag} #${caseNumber}`), { timeout: 5000 })
        .toBeDefined();
      const send = twilio.sent.find((s) => s.body.Body === `Here is the form ${tag} #${caseNumber}`)!;
      const urls = new URLSearchParams(send.rawBody).getAll('MediaUrl');
      expect(urls).toHaveLength(2);
      for (const url of urls) expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/media/out/[\\w-]{43}$`));
      const fetched = twilio.mediaFetched.filter((f) => f.messageId === send.id);
      expect(fetched.map((f) => [f.headStatus, f.status, f.contentType])).toEqual([
        [200, 200, 'image/png'],
        [200, 200, 'application/pdf'],
      ]);
      expect(fetched[0]!.bytes.equals(PNG(1).bytes)).toBe(true);
      expect(fetched[1]!.bytes.equals(PDF.bytes)).toBe(true);
      await expect.poll(async () => (await sendState(res.body.id)).status, { timeout: 5000 }).toBe('sent');
    });

    it('Vonage WhatsApp gets an image message whose URL serves the bytes, with the text as its caption', async () => {
      const { org, caseNumber, tag } = await setup('vonage-whatsapp');
      const image = await upload(h, org.admin, PNG(2));
      const res = await replyWith(h, org, caseNumber, `Photo ${tag}`, [image.id]);
      expect(res.status).toBe(202);
      const isOurs = (s: FakeVonage['sent'][number]) =>
        (s.body.image as { caption?: string } | undefined)?.caption === `Photo ${tag} #${caseNumber}`;
      await expect.poll(() => vonage.sent.some(isOurs), { timeout: 5000 }).toBe(true);
      const send = vonage.sent.find(isOurs)!;
      expect(send.body).toMatchObject({ channel: 'whatsapp', message_type: 'image', client_ref: res.body.id });
      const fetched = vonage.mediaFetched.find((f) => f.messageId === send.id)!;
      expect(fetched).toMatchObject({ status: 200, contentType: 'image/png', url: (send.body.image as { url: string }).url });
      expect(fetched.bytes.equals(PNG(2).bytes)).toBe(true);
    });

    it('Vonage WhatsApp sends the text before a voice note, which takes no caption, and the status follows the voice note', async () => {
      const { org, caseNumber, tag } = await setup('vonage-whatsapp');
      const note = await upload(h, org.admin, VOICE);
      const res = await replyWith(h, org, caseNumber, `Listen ${tag}`, [note.id]);
      expect(res.status).toBe(202);
      await expect.poll(() => vonage.sent.some((s) => s.body.client_ref === res.body.id), { timeout: 5000 }).toBe(true);
      const [text, audio] = vonage.sent.filter((s) => String(s.body.client_ref).startsWith(res.body.id));
      expect(text!.body).toMatchObject({ message_type: 'text', text: `Listen ${tag} #${caseNumber}` });
      expect(audio!.body).toMatchObject({ message_type: 'audio', audio: { url: expect.stringContaining('/media/out/') } });
      expect(audio!.body.audio).not.toHaveProperty('caption');
      expect(vonage.mediaFetched.find((f) => f.messageId === audio!.id)!.bytes.equals(VOICE.bytes)).toBe(true);
      await expect.poll(async () => (await sendState(res.body.id)).provider_message_id, { timeout: 5000 }).toBe(audio!.id);
    });

    it('Meta receives the upload as multipart (file, type, messaging_product), then the send names its media id', async () => {
      const { org, caseNumber, tag } = await setup('whatsapp-cloud');
      const image = await upload(h, org.admin, PNG(3));
      const res = await replyWith(h, org, caseNumber, `Photo ${tag}`, [image.id]);
      expect(res.status).toBe(202);
      const isOurs = (s: FakeWhatsAppCloud['sent'][number]) =>
        (s.body.image as { caption?: string } | undefined)?.caption === `Photo ${tag} #${caseNumber}`;
      await expect.poll(() => meta.sent.some(isOurs), { timeout: 5000 }).toBe(true);
      const send = meta.sent.find(isOurs)!;
      const uploaded = meta.uploads.find((u) => u.id === (send.body.image as { id: string }).id)!;
      expect(uploaded).toMatchObject({
        phoneNumberId: META_NUMBER.phoneNumberId,
        type: 'image/png',
        partType: 'image/png',
        filename: 'damp-wall.png',
      });
      expect(uploaded.bytes.equals(PNG(3).bytes)).toBe(true);
      expect(send.body).toMatchObject({ messaging_product: 'whatsapp', to: '447700900123', type: 'image' });
      await expect.poll(async () => (await sendState(res.body.id)).provider_message_id, { timeout: 5000 }).toBe(send.id);
    });

    it('Meta gets a document with its file name, and a voice note after its text', async () => {
      const { org, caseNumber, tag } = await setup('whatsapp-cloud');
      const document = await upload(h, org.admin, PDF);
      const note = await upload(h, org.admin, VOICE);
      expect((await replyWith(h, org, caseNumber, `Agreement ${tag}`, [document.id])).status).toBe(202);
      const byCaption = (s: FakeWhatsAppCloud['sent'][number]) => (s.body.document as { caption?: string } | undefined)?.caption;
      await expect.poll(() => meta.sent.some((s) => byCaption(s) === `Agreement ${tag} #${caseNumber}`), { timeout: 5000 }).toBe(true);
      expect(meta.sent.find((s) => byCaption(s) === `Agreement ${tag} #${caseNumber}`)!.body.document).toMatchObject({
        filename: 'tenancy-agreement.pdf',
      });

      const before = meta.sent.length;
      expect((await replyWith(h, org, caseNumber, `Listen ${tag}`, [note.id])).status).toBe(202);
      await expect.poll(() => meta.sent.length, { timeout: 5000 }).toBe(before + 2);
      const [text, audio] = meta.sent.slice(before);
      expect(text!.body).toMatchObject({ type: 'text', text: { body: `Listen ${tag} #${caseNumber}` } });
      expect(audio!.body).toEqual(expect.objectContaining({ type: 'audio', audio: { id: expect.any(String) } }));
      expect(meta.uploads.find((u) => u.id === (audio!.body.audio as { id: string }).id)!.bytes.equals(VOICE.bytes)).toBe(true);
    });

    it('the sandbox delivers the attachments at once, and the message shows them', async () => {
      const { org, caseNumber } = await setup('sandbox');
      const image = await upload(h, org.admin, PNG(4));
      const res = await replyWith(h, org, caseNumber, '', [image.id]);
      expect(res.status).toBe(202);
      expect(res.body.text).toBe(`#${caseNumber}`);
      await h.waitForStatus(org, caseNumber, 'delivered');
      expect((await h.lastMessage(org, caseNumber)).media).toEqual([
        expect.objectContaining({ contentType: 'image/png', status: 'stored' }),
      ]);
    });
  });

  describe('refused before queueing', () => {
    it('Africa’s Talking refuses any attachment with media_not_supported, and nothing is queued', async () => {
      const { org, caseNumber, numberId } = await setup('africastalking');
      const image = await upload(h, org.admin, PNG(5));
      const before = await written(h);
      const res = await replyWith(h, org, caseNumber, 'Here is the photo', [image.id]);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('media_not_supported');
      expect(res.body.error.message).toContain('Africa’s Talking');
      const first = await h.request('POST', `/api/v1/surveys/${org.surveyId}/records`, {
        token: org.admin.token,
        body: { numberId, contact: '+254711000999', text: 'Hello', media: [image.id] },
      });
      expect(first.body.error.code).toBe('media_not_supported');
      expect(await written(h)).toEqual(before);
    });

    const refusals: Array<[string, NumberKind, () => FileToSend[], string]> = [
      ['a photo over Twilio MMS’s 5 MB', 'twilio-sms', () => [{ ...PNG(), bytes: largePhoto(5_100_000).bytes }], 'media_too_large'],
      [
        'a photo over WhatsApp’s 5 MB (Meta)',
        'whatsapp-cloud',
        () => [{ ...PNG(), bytes: largePhoto(5_100_000).bytes }],
        'media_too_large',
      ],
      [
        'attachments over 5 MB together on Twilio MMS',
        'twilio-sms',
        () => [1, 2].map((v) => ({ ...PNG(), bytes: largePhoto(2_600_000 + v).bytes })),
        'media_too_large',
      ],
      ['a GIF on Meta', 'whatsapp-cloud', () => [gif()], 'media_type_not_supported'],
      ['a GIF on Vonage WhatsApp', 'vonage-whatsapp', () => [gif()], 'media_type_not_supported'],
      [
        'an unknown binary on Twilio MMS',
        'twilio-sms',
        () => [{ bytes: Buffer.alloc(300, 7), name: 'data.bin', type: 'application/octet-stream' }],
        'media_type_not_supported',
      ],
      ['two photos on Meta', 'whatsapp-cloud', () => [PNG(6), PNG(7)], 'too_many_media'],
      ['two photos on Twilio WhatsApp', 'twilio-whatsapp', () => [PNG(6), PNG(7)], 'too_many_media'],
      ['a photo on Vonage SMS', 'vonage-sms', () => [PNG(8)], 'media_not_supported'],
    ];
    for (const [what, kind, files, code] of refusals) {
      it(`${what} is refused with ${code}, and nothing is queued`, async () => {
        const { org, caseNumber } = await setup(kind);
        const ids = [];
        for (const file of files()) ids.push((await upload(h, org.admin, file)).id);
        const before = await written(h);
        const res = await replyWith(h, org, caseNumber, 'Here it is', ids);
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe(code);
        expect(await written(h)).toEqual(before);
      });
    }

    it('a GIF that Twilio MMS takes is queued', async () => {
      const { org, caseNumber } = await setup('twilio-sms');
      expect((await replyWith(h, org, caseNumber, 'Map', [(await upload(h, org.admin, gif())).id])).status).toBe(202);
    });

    it('another organisation’s upload, or an unknown id, is not found, and nothing is written', async () => {
      const { org, caseNumber } = await setup('twilio-sms');
      const other = await h.newOrg();
      const theirs = await upload(h, other.admin, PNG(9));
      const before = await written(h);
      for (const id of [theirs.id, randomUUID()]) {
        const res = await replyWith(h, org, caseNumber, 'Here it is', [id]);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(JSON.stringify(res.body)).not.toContain(other.orgId);
      }
      expect(await written(h)).toEqual(before);
    });

    it('a reply needs text or an attachment, and a template carries none', async () => {
      const { org, caseNumber } = await setup('twilio-sms');
      const image = await upload(h, org.admin, PNG(10));
      const empty = await h.reply(org, caseNumber, '  ');
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toBe('A reply needs text or an attachment');
      const templated = await h.request('POST', `/api/v1/records/${caseNumber}/notifications`, {
        token: org.admin.token,
        body: { target: 'conversation', text: 'Hello', template: true, media: [image.id] },
      });
      expect(templated.status).toBe(400);
      expect(templated.body.error.message).toContain('template');
    });
  });

  describe('uploads and links', () => {
    it('writing first sends attachments alone, with the case reference as the text', async () => {
      const org = await h.newOrg();
      const numberId = await addNumber(h, org, 'twilio-sms', vonageApp);
      const image = await upload(h, org.admin, PNG(11));
      const res = await h.request('POST', `/api/v1/surveys/${org.surveyId}/records`, {
        token: org.admin.token,
        body: { numberId, contact: '07700 900555', media: [image.id] },
      });
      expect(res.status).toBe(201);
      const n = res.body.caseNumber;
      expect(res.body.messages).toEqual([
        expect.objectContaining({
          direction: 'out',
          text: `#${n}`,
          media: [expect.objectContaining({ id: image.id, contentType: 'image/png' })],
        }),
      ]);
      await expect
        .poll(() => twilio.sent.find((s) => s.body.To === '+447700900555' && s.body.Body === `#${n}`), { timeout: 5000 })
        .toBeDefined();
      const send = twilio.sent.find((s) => s.body.To === '+447700900555' && s.body.Body === `#${n}`)!;
      expect(twilio.mediaFetched.find((f) => f.messageId === send.id)!.bytes.equals(PNG(11).bytes)).toBe(true);
    });

    it('an upload attached twice is sent twice, as a second item over the same stored bytes', async () => {
      const { org, caseNumber, tag } = await setup('twilio-sms');
      const image = await upload(h, org.admin, PNG(12));
      const first = await replyWith(h, org, caseNumber, `One ${tag}`, [image.id]);
      const second = await replyWith(h, org, caseNumber, `Two ${tag}`, [image.id]);
      expect([first.status, second.status]).toEqual([202, 202]);
      const [a] = first.body.media;
      const [b] = second.body.media;
      expect(a.id).toBe(image.id);
      expect(b.id).not.toBe(image.id);
      const rows = await h
        .caseline()
        .db.kysely.selectFrom('media')
        .select(['id', 'blob_id', 'message_id'])
        .where('id', 'in', [a.id, b.id])
        .execute();
      expect(new Set(rows.map((r) => r.blob_id)).size).toBe(1);
      expect(new Set(rows.map((r) => r.message_id))).toEqual(new Set([first.body.id, second.body.id]));
      for (const text of [`One ${tag}`, `Two ${tag}`]) {
        await expect.poll(() => twilio.sent.find((s) => s.body.Body === `${text} #${caseNumber}`), { timeout: 5000 }).toBeDefined();
        const send = twilio.sent.find((s) => s.body.Body === `${text} #${caseNumber}`)!;
        expect(twilio.mediaFetched.find((f) => f.messageId === send.id)!.bytes.equals(PNG(12).bytes)).toBe(true);
      }
    });

    it('a link serves only its own file, as a download where not inline, never cached, and expires after 24 hours', async () => {
      const { org, caseNumber, tag } = await setup('twilio-sms');
      const image = await upload(h, org.admin, PNG(13));
      const document = await upload(h, org.admin, PDF);
      await replyWith(h, org, caseNumber, `Links ${tag}`, [image.id, document.id]);
      await expect.poll(() => twilio.sent.find((s) => s.body.Body === `Links ${tag} #${caseNumber}`), { timeout: 5000 }).toBeDefined();
      const send = twilio.sent.find((s) => s.body.Body === `Links ${tag} #${caseNumber}`)!;
      const [imageUrl, documentUrl] = new URLSearchParams(send.rawBody).getAll('MediaUrl') as [string, string];

      const pictured = await fetch(imageUrl);
      expect(Buffer.from(await pictured.arrayBuffer()).equals(PNG(13).bytes)).toBe(true);
      expect(pictured.headers.get('content-disposition')).toMatch(/^inline/);
      const download = await fetch(documentUrl);
      expect(Buffer.from(await download.arrayBuffer()).equals(PDF.bytes)).toBe(true);
      for (const [name, value] of [
        ['content-type', 'application/pdf'],
        ['x-content-type-options', 'nosniff'],
        ['content-security-policy', 'sandbox'],
        ['cache-control', 'no-store'],
      ]) {
        expect(download.headers.get(name!)).toBe(value);
      }
      expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="tenancy-agreement\.pdf"/);

      const token = imageUrl.split('/').pop()!;
      const tampered = `${imageUrl.slice(0, -token.length)}${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect((await fetch(tampered)).status).toBe(404);
      expect((await fetch(`${config.publicUrl}/media/out/${image.id}`)).status).toBe(404);

      try {
        elapsed = 24 * HOUR - 60_000;
        expect((await fetch(imageUrl)).status).toBe(200);
        elapsed = 24 * HOUR + 1000;
        expect((await fetch(imageUrl)).status).toBe(404);
        expect((await fetch(documentUrl, { method: 'HEAD' })).status).toBe(404);
      } finally {
        elapsed = 0;
      }
      const rows = await h.caseline().db.kysely.selectFrom('media_links').select(['token_hash']).where('media_id', '=', image.id).execute();
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('a send retried a day after its first attempt hands the provider a new link that works', async () => {
      const { org, caseNumber, tag } = await setup('twilio-sms');
      const image = await upload(h, org.admin, PNG(14));
      // Twilio is down, and asks to be tried again in an hour.
      twilio.failNext(1, { status: 503, body: { code: 20503, message: 'Service Unavailable' }, headers: { 'retry-after': '3600' } });
      const failedAt = twilio.requests.length;
      const res = await replyWith(h, org, caseNumber, `Retry ${tag}`, [image.id]);
      expect(res.status).toBe(202);
      await expect
        .poll(async () => ({ ...(await sendState(res.body.id)), asked: twilio.requests.length > failedAt }), { timeout: 5000 })
        .toMatchObject({ state: 'pending', attempts: 1, asked: true });
      const firstUrl = new URLSearchParams(twilio.requests[failedAt]!.rawBody).get('MediaUrl')!;
      try {
        elapsed = 25 * HOUR;
        await expect.poll(() => twilio.sent.find((s) => s.body.Body === `Retry ${tag} #${caseNumber}`), { timeout: 5000 }).toBeDefined();
        const send = twilio.sent.find((s) => s.body.Body === `Retry ${tag} #${caseNumber}`)!;
        const fetched = twilio.mediaFetched.find((f) => f.messageId === send.id)!;
        expect(fetched.url).not.toBe(firstUrl);
        expect(fetched.status).toBe(200);
        expect(fetched.bytes.equals(PNG(14).bytes)).toBe(true);
        expect((await fetch(firstUrl)).status).toBe(404);
      } finally {
        elapsed = 0;
      }
    });
  });
});
