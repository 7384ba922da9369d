import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, ProviderNumber, TemplateConfig } from '../../../src/providers/provider.js';
import { vonageProvider } from '../../../src/providers/vonage.js';
import { startWebhookRecorder, webhookRequestFrom } from '../../support/fake-server.js';
import {
  signVonageWebhook,
  startFakeVonage,
  vonageApplication,
  vonageInboundBody,
  vonageStatusBody,
  vonageWebhookToken,
  type FakeVonage,
  type VonageApplication,
} from '../../support/fake-vonage.js';
import { sendError, thrownBy, outboundMessage } from '../../support/provider-test-kit.js';
import { jsonFixture } from '../../fixtures/providers/fixtures.js';

const webhookUrl = 'https://caseline.example.org/webhooks/vonage/num_51c2';
const signatureSecret = 'sig-secret-0123456789abcdefghijklmnop';
let app: VonageApplication;

function vonageNumber(channel: 'sms' | 'whatsapp' = 'sms', template: TemplateConfig | null = null): ProviderNumber<'vonage'> {
  return {
    id: 'num_51c2',
    provider: 'vonage',
    channel,
    ourNumber: '+447700900001',
    credentials: { applicationId: app.applicationId, privateKey: app.privateKey, signatureSecret },
    template,
  };
}

const outbound = (overrides: Partial<OutboundMessage> = {}) =>
  outboundMessage(webhookUrl, { messageId: 'msg_2', to: '+447700900123', text: 'We have your form #8', ...overrides });

const adapter = vonageProvider({ apiUrl: 'http://127.0.0.1:1' });
const signing = () => ({ signatureSecret, applicationId: app.applicationId });
const signed = (body: unknown, options: Partial<ReturnType<typeof signing>> & { issuedAt?: number } = {}) =>
  webhookRequestFrom(webhookUrl, signVonageWebhook(body, { ...signing(), ...options }));

beforeAll(() => {
  app = vonageApplication();
});

describe('Vonage signed webhooks', () => {
  const body = () => vonageInboundBody({ from: '447700900123', to: '447700900001', text: 'Hello' });

  it('accepts a webhook signed with the signature secret over this body', () => {
    expect(() => adapter.verify(signed(body()), vonageNumber())).not.toThrow();
  });

  it('refuses a body changed after signing (payload_hash)', () => {
    const request = signed(body());
    request.rawBody = Buffer.from(JSON.stringify({ ...body(), text: 'Hello #99' }));
    expect(thrownBy(() => adapter.verify(request, vonageNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a token signed with another secret', () => {
    const request = signed(body(), { signatureSecret: 'another-secret-0123456789abcdef' });
    expect(thrownBy(() => adapter.verify(request, vonageNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a webhook without a token', () => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body: JSON.stringify(body()) });
    expect(thrownBy(() => adapter.verify(request, vonageNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a token issued an hour ago', () => {
    const request = signed(body(), { issuedAt: Math.floor(Date.now() / 1000) - 3600 });
    expect(thrownBy(() => adapter.verify(request, vonageNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a token past its exp', () => {
    const raw = JSON.stringify(body());
    const [head] = vonageWebhookToken(raw, signing()).split('.');
    const now = Math.floor(Date.now() / 1000);
    const payloadHash = createHash('sha256').update(raw).digest('hex');
    const claims = Buffer.from(JSON.stringify({ iat: now - 10, exp: now - 5, payload_hash: payloadHash })).toString('base64url');
    const signature = createHmac('sha256', signatureSecret).update(`${head}.${claims}`).digest('base64url');
    const request = webhookRequestFrom(webhookUrl, {
      headers: { authorization: `Bearer ${head}.${claims}.${signature}` },
      body: raw,
    });
    expect(thrownBy(() => adapter.verify(request, vonageNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses an unsigned token (alg none)', () => {
    const raw = JSON.stringify(body());
    const [, claims] = vonageWebhookToken(raw, signing()).split('.');
    const head = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const request = webhookRequestFrom(webhookUrl, { headers: { authorization: `Bearer ${head}.${claims}.` }, body: raw });
    expect(thrownBy(() => adapter.verify(request, vonageNumber()))).toMatchObject({ code: 'invalid_signature' });
  });
});

describe('Vonage webhook bodies', () => {
  it('reads an inbound SMS, writing the sender internationally', () => {
    const body = vonageInboundBody({ from: '447700900123', to: '447700900001', text: 'Re #8: thanks' });
    expect(adapter.parse(signed(body), vonageNumber())).toEqual({
      messages: [{ providerMessageId: body.message_uuid, from: '+447700900123', text: 'Re #8: thanks', media: [] }],
      statuses: [],
    });
  });

  it('reads a WhatsApp image with its caption and the profile name', () => {
    const body = vonageInboundBody({
      from: '447700900123',
      to: '447700900001',
      channel: 'whatsapp',
      profileName: 'Amina',
      image: { url: 'https://api-eu.nexmo.com/v3/media/1b456509-974c-458b-aafa-45ed3fe2d3e5', caption: 'my receipt' },
    });
    expect(adapter.parse(signed(body), vonageNumber('whatsapp')).messages).toEqual([
      {
        providerMessageId: body.message_uuid,
        from: '+447700900123',
        text: 'my receipt',
        profileName: 'Amina',
        media: [{ ref: 'https://api-eu.nexmo.com/v3/media/1b456509-974c-458b-aafa-45ed3fe2d3e5', contentType: null, name: null }],
      },
    ]);
  });

  it('reads a WhatsApp file with its name', () => {
    const url = 'https://api-eu.nexmo.com/v3/media/6c2e0f1a-9d8b-4e7c-a5f4-3b2a1c0d9e8f';
    const body = vonageInboundBody({
      from: '447700900123',
      to: '447700900001',
      channel: 'whatsapp',
      media: { type: 'file', url, caption: 'the lease', name: 'tenancy.pdf' },
    });
    expect(adapter.parse(signed(body), vonageNumber('whatsapp')).messages[0]).toMatchObject({
      text: 'the lease',
      media: [{ ref: url, contentType: null, name: 'tenancy.pdf' }],
    });
  });

  it.each([
    ['submitted', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
  ] as const)('maps the status %s to %s', (status, expected) => {
    const body = vonageStatusBody({
      messageUuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
      status,
      to: '447700900123',
      from: '447700900001',
    });
    expect(adapter.parse(signed(body), vonageNumber()).statuses).toEqual([
      { providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', status: expected },
    ]);
  });

  it('explains a rejected WhatsApp message outside the window', () => {
    const body = vonageStatusBody({
      messageUuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
      status: 'rejected',
      to: '447700900123',
      from: '447700900001',
      channel: 'whatsapp',
      error: { code: 1340, detail: 'Outside of the allowed window' },
    });
    expect(adapter.parse(signed(body), vonageNumber()).statuses).toEqual([
      {
        providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        status: 'failed',
        errorCode: '1340',
        errorText: 'Outside the WhatsApp 24-hour window: only a template can be sent (1340)',
      },
    ]);
  });

  it('explains an undeliverable SMS with Vonage’s own words', () => {
    const body = vonageStatusBody({
      messageUuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
      status: 'undeliverable',
      to: '447700900123',
      from: '447700900001',
      error: { code: 1320, detail: 'Message failed because the number is unknown' },
    });
    expect(adapter.parse(signed(body), vonageNumber()).statuses[0]).toMatchObject({
      status: 'undelivered',
      errorCode: '1320',
      errorText: 'Message failed because the number is unknown (1320)',
    });
  });

  it.each([
    ['that is not JSON', 'not json'],
    ['without a message_uuid', JSON.stringify({ message_type: 'text', text: 'hi', from: '447700900123' })],
    ['that is neither a message nor a status', JSON.stringify({ message_uuid: 'x' })],
    ['without a sender', JSON.stringify({ message_uuid: 'x', message_type: 'text', text: 'hi' })],
  ])('refuses a body %s as a bad request', (_, raw) => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body: raw });
    expect(thrownBy(() => adapter.parse(request, vonageNumber()))).toMatchObject({ code: 'bad_request' });
  });
});

describe('Vonage inbound without message_type', () => {
  it('reads an inbound SMS without message_type (Vonage’s SDK sample) as a text message', () => {
    const body = jsonFixture('vonage-sms-inbound-without-message-type');
    expect(adapter.parse(signed(body), vonageNumber())).toEqual({
      messages: [{ providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', from: '+447700900123', text: 'Hello', media: [] }],
      statuses: [],
    });
  });

  it('still refuses a body with neither message_type, text nor status', () => {
    const { text: _text, ...body } = jsonFixture('vonage-sms-inbound-without-message-type');
    expect(thrownBy(() => adapter.parse(signed(body), vonageNumber()))).toMatchObject({ code: 'bad_request' });
  });
});

describe('Vonage credentials', () => {
  it('keeps an application id, a PEM private key and the signature secret', () => {
    const raw = { applicationId: app.applicationId, privateKey: app.privateKey, signatureSecret };
    expect(adapter.validateCredentials(raw)).toEqual(raw);
  });

  it('refuses a private key that is not PEM', () => {
    const raw = { applicationId: app.applicationId, privateKey: 'not a key', signatureSecret };
    expect(thrownBy(() => adapter.validateCredentials(raw))).toMatchObject({ code: 'validation_failed' });
  });
});

describe('sending through Vonage', () => {
  let fake: FakeVonage;
  let provider: ReturnType<typeof vonageProvider>;

  beforeAll(async () => {
    fake = await startFakeVonage({ applications: { [app.applicationId]: app.publicKey } });
    provider = vonageProvider({ apiUrl: fake.url, timeoutMs: 1000 });
  });
  afterAll(() => fake.close());

  it('posts a v1 text message with an RS256 application token and returns the message_uuid', async () => {
    const result = await provider.send(outbound(), vonageNumber());
    const request = fake.sent.at(-1);
    expect(result).toEqual({ providerMessageId: request?.id, status: 'sent' });
    expect(request?.path).toBe('/v1/messages');
    expect(request?.body).toEqual({
      message_type: 'text',
      text: 'We have your form #8',
      to: '447700900123',
      from: '447700900001',
      channel: 'sms',
      client_ref: 'msg_2',
      webhook_url: `${webhookUrl}/status`,
    });
  });

  it('sends a WhatsApp template with a deterministic locale', async () => {
    const template = { name: 'case_update', language: 'en_GB', parameters: ['{text}'] };
    await provider.send(outbound({ template }), vonageNumber('whatsapp', template));
    expect(fake.sent.at(-1)?.body).toMatchObject({
      message_type: 'template',
      channel: 'whatsapp',
      template: { name: 'case_update', parameters: ['We have your form #8'] },
      whatsapp: { policy: 'deterministic', locale: 'en_GB' },
    });
  });

  it('delivers a signed status to the webhook_url the adapter verifies and reads', async () => {
    const recorder = await startWebhookRecorder({ status: 200, body: { ok: true } });
    try {
      const { providerMessageId } = await provider.send(
        outbound({ statusCallbackUrl: `${recorder.url}/webhooks/vonage/num_51c2/status` }),
        vonageNumber(),
      );
      await fake.postStatus(providerMessageId, 'delivered', signing());
      const [request] = recorder.received;
      if (!request) throw new Error('no status arrived');
      expect(() => provider.verify(request, vonageNumber())).not.toThrow();
      expect(provider.parse(request, vonageNumber()).statuses).toEqual([{ providerMessageId, status: 'delivered' }]);
    } finally {
      await recorder.close();
    }
  });

  it('fails at once when Vonage does not know the application’s key', async () => {
    const stranger = vonageApplication(app.applicationId);
    const number = { ...vonageNumber(), credentials: { ...vonageNumber().credentials, privateKey: stranger.privateKey } };
    const error = await sendError(provider.send(outbound(), number));
    expect(error).toMatchObject({ kind: 'permanent', reason: 'Unauthorized: You did not provide correct credentials.' });
    expect(error.options.code).toBe('401');
  });

  it('fails at once for invalid parameters, naming Vonage’s code', async () => {
    const error = await sendError(provider.send(outbound({ to: '12' }), vonageNumber()));
    expect(error).toMatchObject({
      kind: 'permanent',
      reason: 'Invalid params: The value of one or more parameters is invalid. (1150)',
    });
  });

  it('treats a 500 as transient', async () => {
    fake.failNext(1, '500');
    expect((await sendError(provider.send(outbound(), vonageNumber()))).kind).toBe('transient');
  });

  it('treats a 429 as transient and honours Retry-After', async () => {
    fake.failNext(1, '429');
    const error = await sendError(provider.send(outbound(), vonageNumber()));
    expect(error.kind).toBe('transient');
    expect(error.options.retryAfterMs).toBe(2000);
  });

  it('treats a provider that does not answer in time as transient', async () => {
    fake.failNext(1, 'timeout');
    expect((await sendError(provider.send(outbound(), vonageNumber()))).kind).toBe('transient');
  });
});
