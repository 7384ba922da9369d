import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { describeEachDialect } from '../../support/dialects.js';
import {
  metaError,
  signWhatsAppWebhook,
  startFakeWhatsAppCloud,
  whatsappInboundPayload,
  whatsappMessageId,
  whatsappStatusPayload,
  type FakeWhatsAppCloud,
  type WhatsAppInboundInput,
  type WhatsAppStatus,
  type WhatsAppStatusError,
} from '../../support/fake-whatsapp-cloud.js';
import { jsonFixture } from '../../fixtures/providers/fixtures.js';
import { useCaseline, type Harness, pathOf, type TestOrg } from '../../support/harness.js';

/**
 * Meta's WhatsApp Cloud API end to end (DESIGN.md §3): the verification handshake, webhooks
 * signed with the app secret in through the real Fastify app, replies out through the outbox
 * to a fake Graph API. Meta posts messages and statuses to one callback URL.
 */
const PHONE_NUMBER_ID = '106540352242922';
const ACCESS_TOKEN = 'EAAJB3x7ZBqgYBO2fakeSystemUserToken4Caseline';
const APP_SECRET = '3c4b0f7e2a9d41d6b5e8f0a1c2d3e4f5';
const VERIFY_TOKEN = 'caseline-verify-8d1f';
const UNUSED_API = 'http://127.0.0.1:9';
const TEMPLATE = { name: 'case_update', language: 'en_GB', parameters: ['{text}'] };
const ALICE = '447700900123';

interface NumberAnswer {
  id: string;
  webhooks: { inbound: string; status: string };
  [field: string]: unknown;
}

function postSigned(h: Harness, path: string, payload: unknown, appSecret = APP_SECRET) {
  const delivery = signWhatsAppWebhook(payload, appSecret);
  return h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers });
}

describeEachDialect('WhatsApp Cloud API', (dialect) => {
  let fake: FakeWhatsAppCloud;
  beforeAll(async () => {
    fake = await startFakeWhatsAppCloud({ phoneNumbers: { [PHONE_NUMBER_ID]: ACCESS_TOKEN } });
  });
  afterAll(() => fake.close());

  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: UNUSED_API, vonage: UNUSED_API, whatsapp: fake.url, africastalking: UNUSED_API }),
    startOutbox: true,
    // Short backoff, so a retried send is seen within a test.
    outbox: { pollMs: 50, backoffBaseMs: 50, backoffCapMs: 200 },
  });

  const { totals, reply, lastMessage, waitForStatus } = h;
  const inboundPayload = (input: Partial<WhatsAppInboundInput> = {}) =>
    whatsappInboundPayload({ phoneNumberId: PHONE_NUMBER_ID, from: ALICE, text: 'My landlord cut the water off', ...input });
  const statusPayload = (messageId: string, status: WhatsAppStatus, errors?: WhatsAppStatusError[]) =>
    whatsappStatusPayload({ phoneNumberId: PHONE_NUMBER_ID, messageId, status, recipientId: ALICE, errors });

  async function setup() {
    const org = await h.newOrg();
    const res = await h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'whatsapp-cloud',
        channel: 'whatsapp',
        ourNumber: '+15550783881',
        surveyId: org.surveyId,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        sendRatePerSecond: 100,
        template: TEMPLATE,
        credentials: { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
      },
    });
    expect(res.status).toBe(201);
    const number = res.body as NumberAnswer;
    return { org, number, inbound: pathOf(number.webhooks.inbound), status: pathOf(number.webhooks.status) };
  }

  async function lockedCase(org: TestOrg, inboundPath: string, from = ALICE): Promise<number> {
    expect((await postSigned(h, inboundPath, inboundPayload({ from }))).status).toBe(200);
    const n = (await h.records(org))[0]!.caseNumber;
    expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);
    return n;
  }

  /** Meta's send carries no reference of ours, so a send is found by the text that went out. */
  async function sentWithText(text: string) {
    const match = (s: FakeWhatsAppCloud['sent'][number]) => JSON.stringify(s.body).includes(JSON.stringify(text));
    await expect.poll(() => fake.sent.some(match), { timeout: 5000 }).toBe(true);
    return fake.sent.find(match)!;
  }

  it('a number is created with its webhook URLs, and its credentials are never returned', async () => {
    const { org, number } = await setup();
    expect(number).toMatchObject({
      provider: 'whatsapp-cloud',
      channel: 'whatsapp',
      ourNumber: '+15550783881',
      template: TEMPLATE,
      webhooks: {
        inbound: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/whatsapp-cloud\/[\w-]{24}$/),
        status: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/whatsapp-cloud\/[\w-]{24}\/status$/),
      },
    });
    const read = await h.request('GET', `/api/v1/numbers/${number.id}`, { token: org.admin.token });
    for (const body of [number, read.body]) {
      const text = JSON.stringify(body);
      for (const secret of [ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN]) expect(text).not.toContain(secret);
      expect(text).not.toContain('credentials');
    }
  });

  it('the verification handshake with the verify token answers the challenge; a wrong token gets 403', async () => {
    const { inbound } = await setup();
    const handshake = (token: string) =>
      h.request('GET', `${inbound}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    const ok = await handshake(VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(String(ok.headers['content-type'])).toMatch(/^text\/plain/);
    expect(ok.body).toBe('1158201444');
    const wrong = await handshake('guessed-token');
    expect(wrong.status).toBe(403);
    expect(wrong.body).not.toContain('1158201444');
  });

  it('a signed inbound message creates a case with its media pending, with the declared content type', async () => {
    const { org, inbound } = await setup();
    const res = await postSigned(
      h,
      inbound,
      inboundPayload({ image: { id: '1603451893764523', mimeType: 'image/jpeg', caption: 'Photo of the damp' }, profileName: 'Alice' }),
    );
    expect(res.status).toBe(200);
    const [only, ...rest] = await h.records(org);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ status: 'open', contact: '+447700900123' });
    expect((await h.record(org, only!.caseNumber)).messages).toEqual([
      expect.objectContaining({
        direction: 'in',
        text: 'Photo of the damp',
        media: [
          {
            id: expect.any(String),
            contentType: 'image/jpeg',
            size: null,
            name: null,
            status: 'pending',
            url: expect.stringMatching(/^\/api\/v1\/media\//),
            error: null,
          },
        ],
        channel: 'whatsapp',
        status: 'received',
      }),
    ]);
  });

  it('a WhatsApp Flow reply is stored as its body and one line per answer, without the flow token', async () => {
    const { org, inbound } = await setup();
    expect((await postSigned(h, inbound, jsonFixture('whatsapp-cloud-flow-reply'))).status).toBe(200);
    const [only] = await h.records(org);
    expect(only).toMatchObject({ contact: '+447700900123' });
    const [text] = await h.conversation(org, only!.caseNumber);
    expect(text).toBe(
      'Sent\nName: Ana\nDate of birth: 1990-04-02\nHow can we help: My landlord cut the water off\nTopics: 0_Housing, 1_Debt\nCall me back: true',
    );
    expect(text).not.toContain('caseline-intake-7f3a');
  });

  it("shared contacts are stored with each contact's name and phone numbers", async () => {
    const { org, inbound } = await setup();
    expect((await postSigned(h, inbound, jsonFixture('whatsapp-cloud-contacts'))).status).toBe(200);
    const [only] = await h.records(org);
    expect(await h.conversation(org, only!.caseNumber)).toEqual([
      'Contact: Sam Okafor, +44 20 7946 0018, +44 7700 900456\nContact: Grace Mensah, +447700900789',
    ]);
  });

  it('a notification for another phone number id of the same app is acknowledged and stores nothing', async () => {
    const { inbound } = await setup();
    const before = await totals();
    const res = await postSigned(h, inbound, inboundPayload({ phoneNumberId: '999999999999999' }));
    expect(res.status).toBe(200);
    expect(await totals()).toEqual(before);
  });

  it('a tampered body, a wrong app secret or a missing signature is refused with 403 and stores nothing', async () => {
    const { inbound } = await setup();
    const before = await totals();
    const payload = inboundPayload({ text: 'genuine' });
    const signed = signWhatsAppWebhook(payload, APP_SECRET);
    const tampered = await h.request('POST', inbound, {
      rawBody: signed.body.replace('genuine', 'forged!'),
      headers: signed.headers,
    });
    const wrongSecret = await postSigned(h, inbound, payload, 'not-the-app-secret');
    const missing = await h.request('POST', inbound, { rawBody: signed.body, headers: { 'content-type': 'application/json' } });
    for (const res of [tampered, wrongSecret, missing]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('invalid_signature');
    }
    expect(await totals()).toEqual(before);
  });

  it('a webhook delivered twice, even at the same moment, is stored once', async () => {
    const { org, inbound } = await setup();
    const before = await totals();
    const payload = inboundPayload({ messageId: whatsappMessageId() });
    const answers = await Promise.all([postSigned(h, inbound, payload), postSigned(h, inbound, payload)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect((await postSigned(h, inbound, payload)).status).toBe(200);
    expect(await totals()).toEqual({ messages: before.messages + 1, records: before.records + 1 });
    expect(await h.conversation(org, (await h.records(org))[0]!.caseNumber)).toEqual(['My landlord cut the water off']);
  });

  it('a reply reaches the Graph API with " #<case number>" appended, and a status on the status URL marks it delivered', async () => {
    const { org, inbound, status } = await setup();
    const n = await lockedCase(org, inbound);
    const res = await reply(org, n, 'A plumber is on the way');
    expect(res.status).toBe(202);

    const sent = await sentWithText(`A plumber is on the way #${n}`);
    expect(sent.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(sent.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(sent.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: ALICE,
      type: 'text',
      text: { preview_url: false, body: `A plumber is on the way #${n}` },
    });
    await waitForStatus(org, n, 'sent');

    expect((await postSigned(h, status, statusPayload(sent.id, 'delivered'))).status).toBe(200);
    expect(await lastMessage(org, n)).toMatchObject({ direction: 'out', status: 'delivered', error: null });
  });

  it('statuses posted to the one callback URL (the inbound URL) update the reply too', async () => {
    const { org, inbound } = await setup();
    const n = await lockedCase(org, inbound);
    await reply(org, n, 'Did you get this?');
    const sent = await sentWithText(`Did you get this? #${n}`);
    await waitForStatus(org, n, 'sent');
    expect((await postSigned(h, inbound, statusPayload(sent.id, 'delivered'))).status).toBe(200);
    expect((await lastMessage(org, n)).status).toBe('delivered');
    expect((await postSigned(h, inbound, statusPayload(sent.id, 'read'))).status).toBe(200);
    expect((await lastMessage(org, n)).status).toBe('read');
  });

  it("a failed status marks the reply failed with Meta's error code and a readable reason", async () => {
    const { org, inbound } = await setup();
    const n = await lockedCase(org, inbound);
    await reply(org, n, 'Can you call us?');
    const sent = await sentWithText(`Can you call us? #${n}`);
    await waitForStatus(org, n, 'sent');
    const errors = [{ code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' }];
    expect((await postSigned(h, inbound, statusPayload(sent.id, 'failed', errors))).status).toBe(200);
    expect(await lastMessage(org, n)).toMatchObject({
      status: 'failed',
      error: {
        code: '131026',
        message: 'The message could not be delivered: the recipient may not use WhatsApp or may need to update it (131026)',
      },
    });
  });

  it('a status with a bad signature is refused and changes nothing', async () => {
    const { org, inbound, status } = await setup();
    const n = await lockedCase(org, inbound);
    await reply(org, n, 'Checking in');
    const sent = await sentWithText(`Checking in #${n}`);
    await waitForStatus(org, n, 'sent');
    expect((await postSigned(h, status, statusPayload(sent.id, 'delivered'), 'not-the-app-secret')).status).toBe(403);
    expect((await lastMessage(org, n)).status).toBe('sent');
  });

  it('a permanent Graph API error fails the reply at once with its reason, without retrying', async () => {
    const { org, inbound } = await setup();
    const n = await lockedCase(org, inbound);
    fake.failNext(1, metaError(400, 131030, '(#131030) Recipient phone number not in allowed list'));
    const before = fake.requests.length;
    const res = await reply(org, n, 'Are you still there?');
    await waitForStatus(org, n, 'failed');
    const record = await h.record(org, n);
    expect(record.messages.at(-1).error).toEqual({
      code: '131030',
      message: 'The recipient is not on the test number’s list of allowed recipients (131030)',
    });
    expect(record.optedOut).toBe(false);
    expect(fake.requests.length - before).toBe(1);
    // One attempt, then failed: a permanent error is never retried.
    const outbox = await h
      .caseline()
      .db.kysely.selectFrom('outbox')
      .select(['state', 'attempts'])
      .where('message_id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(outbox).toEqual({ state: 'failed', attempts: 1 });
  });

  it('a rate limit from Meta (130429, even on HTTP 400) is retried, and the reply then goes out once', async () => {
    const { org, inbound } = await setup();
    const n = await lockedCase(org, inbound);
    fake.failNext(1, metaError(400, 130429, '(#130429) Rate limit hit'));
    const before = fake.requests.length;
    const res = await reply(org, n, 'Sorry for the wait');
    await waitForStatus(org, n, 'sent');
    expect(fake.requests.length - before).toBe(2);
    expect(fake.sent.filter((s) => JSON.stringify(s.body).includes(`Sorry for the wait #${n}`))).toHaveLength(1);
    const outbox = await h
      .caseline()
      .db.kysely.selectFrom('outbox')
      .select(['state', 'attempts'])
      .where('message_id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(outbox).toEqual({ state: 'done', attempts: 2 });
  });

  it("outside the 24-hour window free text is refused, and the number's template goes out instead", async () => {
    const { org, number, inbound } = await setup();
    const n = await lockedCase(org, inbound);
    await h
      .caseline()
      .db.kysely.updateTable('messages')
      .set({ created_at: Date.now() - 25 * 3600_000 })
      .where('number_id', '=', number.id)
      .where('direction', '=', 'in')
      .execute();
    expect((await h.record(org, n)).windowOpen).toBe(false);
    const outboxBefore = await h.count('outbox');
    const late = await reply(org, n, 'Free text');
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('window_closed');
    expect(await h.count('outbox')).toBe(outboxBefore);

    const templated = await reply(org, n, 'We have news about your case', true);
    expect(templated.status).toBe(202);
    const sent = await sentWithText(`We have news about your case #${n}`);
    expect(sent.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: ALICE,
      type: 'template',
      template: {
        name: 'case_update',
        language: { code: 'en_GB' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: `We have news about your case #${n}` }] }],
      },
    });
    await waitForStatus(org, n, 'sent');
  });
});
