import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, ProviderNumber, TemplateConfig } from '../../../src/providers/provider.js';
import { whatsappCloudProvider } from '../../../src/providers/whatsapp-cloud.js';
import { startWebhookRecorder, webhookRequestFrom } from '../../support/fake-server.js';
import {
  metaError,
  signWhatsAppWebhook,
  startFakeWhatsAppCloud,
  whatsappInboundPayload,
  whatsappStatusPayload,
  type FakeWhatsAppCloud,
} from '../../support/fake-whatsapp-cloud.js';
import { sendError, thrownBy, outboundMessage } from '../../support/provider-test-kit.js';
import { firstWhatsAppMessage, jsonFixture } from '../../fixtures/providers/fixtures.js';

const webhookUrl = 'https://caseline.example.org/webhooks/whatsapp-cloud/num_c0ff';
const credentials = {
  phoneNumberId: '106540352242922',
  accessToken: 'EAAJB3Kx-test-token',
  appSecret: '3f2a9c0d7e6b5a4f3e2d1c0b9a8f7e6d',
  verifyToken: 'caseline-verify-5e1d',
};

function metaNumber(template: TemplateConfig | null = null): ProviderNumber<'whatsapp-cloud'> {
  return { id: 'num_c0ff', provider: 'whatsapp-cloud', channel: 'whatsapp', ourNumber: '+15550783881', credentials, template };
}

const outbound = (overrides: Partial<OutboundMessage> = {}) =>
  outboundMessage(webhookUrl, { messageId: 'msg_3', to: '+447700900123', text: 'Your case is closed #4', ...overrides });

const adapter = whatsappCloudProvider({ apiUrl: 'http://127.0.0.1:1' });
const signed = (payload: unknown, secret = credentials.appSecret) => webhookRequestFrom(webhookUrl, signWhatsAppWebhook(payload, secret));
const textPayload = () =>
  whatsappInboundPayload({ phoneNumberId: credentials.phoneNumberId, from: '447700900123', text: 'Hi', profileName: 'Amina' });

describe('WhatsApp Cloud webhook signatures', () => {
  it('accepts a body signed with the app secret', () => {
    expect(() => adapter.verify(signed(textPayload()), metaNumber())).not.toThrow();
  });

  it('refuses a body changed after signing', () => {
    const request = signed(textPayload());
    request.rawBody = Buffer.from(request.rawBody.toString().replace('Hi', 'Hi #1'));
    expect(thrownBy(() => adapter.verify(request, metaNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a body signed with another app secret', () => {
    const request = signed(textPayload(), 'another-app-secret');
    expect(thrownBy(() => adapter.verify(request, metaNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a body without X-Hub-Signature-256', () => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body: JSON.stringify(textPayload()) });
    expect(thrownBy(() => adapter.verify(request, metaNumber()))).toMatchObject({ code: 'invalid_signature' });
  });
});

describe('the WhatsApp Cloud verification handshake', () => {
  const handshake = (query: string) =>
    adapter.handshake?.(webhookRequestFrom(`${webhookUrl}?${query}`, { headers: {}, body: '' }, { method: 'GET' }), metaNumber());

  it('answers the challenge when the verify token is the number’s', () => {
    expect(handshake(`hub.mode=subscribe&hub.verify_token=${credentials.verifyToken}&hub.challenge=1158201444`)).toEqual({
      status: 200,
      contentType: 'text/plain',
      body: '1158201444',
    });
  });

  it.each([
    ['another verify token', 'hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1'],
    ['another mode', `hub.mode=unsubscribe&hub.verify_token=${credentials.verifyToken}&hub.challenge=1`],
    ['no challenge', `hub.mode=subscribe&hub.verify_token=${credentials.verifyToken}`],
  ])('refuses %s', (_, query) => {
    expect(thrownBy(() => handshake(query))).toMatchObject({ code: 'invalid_signature' });
  });
});

describe('WhatsApp Cloud webhook bodies', () => {
  it('reads a text message with the sender written internationally and the profile name', () => {
    const payload = textPayload();
    const parsed = adapter.parse(signed(payload), metaNumber());
    expect(parsed.statuses).toEqual([]);
    expect(parsed.messages).toEqual([
      { providerMessageId: expect.stringMatching(/^wamid\./), from: '+447700900123', text: 'Hi', media: [], profileName: 'Amina' },
    ]);
  });

  it('keeps an image as its media id, with its type and caption', () => {
    const payload = whatsappInboundPayload({
      phoneNumberId: credentials.phoneNumberId,
      from: '447700900123',
      image: { id: '1479537139650973', mimeType: 'image/jpeg', caption: 'the letter' },
    });
    expect(adapter.parse(signed(payload), metaNumber()).messages[0]).toMatchObject({
      text: 'the letter',
      media: [{ ref: '1479537139650973', contentType: 'image/jpeg', name: null }],
    });
  });

  it('keeps a document’s file name, and a voice note as audio', () => {
    const document = whatsappInboundPayload({
      phoneNumberId: credentials.phoneNumberId,
      from: '447700900123',
      media: { type: 'document', id: '2479537139650974', mimeType: 'application/pdf', filename: 'tenancy.pdf', caption: 'my lease' },
    });
    expect(adapter.parse(signed(document), metaNumber()).messages[0]).toMatchObject({
      text: 'my lease',
      media: [{ ref: '2479537139650974', contentType: 'application/pdf', name: 'tenancy.pdf' }],
    });
    const voice = whatsappInboundPayload({
      phoneNumberId: credentials.phoneNumberId,
      from: '447700900123',
      media: { type: 'audio', id: '3479537139650975', mimeType: 'audio/ogg; codecs=opus', voice: true },
    });
    expect(adapter.parse(signed(voice), metaNumber()).messages[0]).toMatchObject({
      text: '',
      media: [{ ref: '3479537139650975', contentType: 'audio/ogg; codecs=opus', name: null }],
    });
  });

  it('ignores entries for another phone number of the same app', () => {
    const payload = whatsappInboundPayload({ phoneNumberId: '999999999999', from: '447700900123', text: 'Hi' });
    expect(adapter.parse(signed(payload), metaNumber())).toEqual({ messages: [], statuses: [] });
  });

  it('reads a delivered status by its wamid', () => {
    const payload = whatsappStatusPayload({
      phoneNumberId: credentials.phoneNumberId,
      messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI',
      status: 'delivered',
      recipientId: '447700900123',
    });
    expect(adapter.parse(signed(payload), metaNumber())).toEqual({
      messages: [],
      statuses: [{ providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI', status: 'delivered' }],
    });
  });

  it.each([
    [131047, 'Outside the WhatsApp 24-hour window: only a template can be sent (131047)'],
    [131026, 'The message could not be delivered: the recipient may not use WhatsApp or may need to update it (131026)'],
    [135000, 'Generic user error (135000)'],
  ])('explains a failed status with error %i', (code, text) => {
    const payload = whatsappStatusPayload({
      phoneNumberId: credentials.phoneNumberId,
      messageId: 'wamid.X',
      status: 'failed',
      recipientId: '447700900123',
      errors: [{ code, title: 'Generic user error' }],
    });
    expect(adapter.parse(signed(payload), metaNumber()).statuses).toEqual([
      { providerMessageId: 'wamid.X', status: 'failed', errorCode: String(code), errorText: text },
    ]);
  });

  it.each([
    ['that is not JSON', 'nope'],
    ['from another kind of Meta object', JSON.stringify({ object: 'page', entry: [] })],
    ['whose entry has no changes', JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1' }] })],
  ])('refuses a body %s as a bad request', (_, raw) => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body: raw });
    expect(thrownBy(() => adapter.parse(request, metaNumber()))).toMatchObject({ code: 'bad_request' });
  });

  it('refuses a message without a sender as a bad request', () => {
    const payload = textPayload();
    const raw = JSON.stringify(payload).replace('"from":"447700900123",', '');
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body: raw });
    expect(thrownBy(() => adapter.parse(request, metaNumber()))).toMatchObject({ code: 'bad_request' });
  });
});

describe('WhatsApp Cloud messages that are not plain text', () => {
  it('reads a Flow reply (nfm_reply) as its body and one line per answer, without the flow token', () => {
    const [message] = adapter.parse(signed(jsonFixture('whatsapp-cloud-flow-reply')), metaNumber()).messages;
    expect(message).toEqual({
      providerMessageId: 'wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhggNEQ4QTk2QkYzRjc1MkU3QzE0NzBBMkE2NjZCQzAwMDAA',
      from: '+447700900123',
      text: [
        'Sent',
        'Name: Ana',
        'Date of birth: 1990-04-02',
        'How can we help: My landlord cut the water off',
        'Topics: 0_Housing, 1_Debt',
        'Call me back: true',
      ].join('\n'),
      media: [],
      profileName: 'Ana Lima',
    });
    expect(message?.text).not.toContain('caseline-intake-7f3a');
  });

  it('keeps a Flow reply whose response_json is not valid JSON, as its body', () => {
    const payload = jsonFixture('whatsapp-cloud-flow-reply');
    firstWhatsAppMessage(payload).interactive.nfm_reply.response_json = '{"screen_0_Name_0":';
    expect(adapter.parse(signed(payload), metaNumber()).messages[0]?.text).toBe('Sent');
  });

  it('reads shared contacts as one line per contact with its name and phone numbers', () => {
    const [message] = adapter.parse(signed(jsonFixture('whatsapp-cloud-contacts')), metaNumber()).messages;
    expect(message?.text).toBe('Contact: Sam Okafor, +44 20 7946 0018, +44 7700 900456\nContact: Grace Mensah, +447700900789');
  });

  it('still reads a button reply by its title', () => {
    const payload = jsonFixture('whatsapp-cloud-flow-reply');
    firstWhatsAppMessage(payload).interactive = { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Yes, call me' } };
    expect(adapter.parse(signed(payload), metaNumber()).messages[0]?.text).toBe('Yes, call me');
  });
});

describe('sending through WhatsApp Cloud', () => {
  let fake: FakeWhatsAppCloud;
  let provider: ReturnType<typeof whatsappCloudProvider>;

  beforeAll(async () => {
    fake = await startFakeWhatsAppCloud({ phoneNumbers: { [credentials.phoneNumberId]: credentials.accessToken } });
    provider = whatsappCloudProvider({ apiUrl: fake.url, timeoutMs: 1000 });
  });
  afterAll(() => fake.close());

  it('posts a text message with the access token and returns the wamid', async () => {
    const result = await provider.send(outbound(), metaNumber());
    const request = fake.sent.at(-1);
    expect(result).toEqual({ providerMessageId: request?.id, status: 'sent' });
    expect(request?.path).toBe(`/v21.0/${credentials.phoneNumberId}/messages`);
    expect(request?.headers.authorization).toBe(`Bearer ${credentials.accessToken}`);
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '447700900123',
      type: 'text',
      text: { preview_url: false, body: 'Your case is closed #4' },
    });
  });

  it('posts a template with body parameters, on the configured Graph version', async () => {
    const versioned = whatsappCloudProvider({ apiUrl: fake.url, graphVersion: 'v19.0', timeoutMs: 1000 });
    const template = { name: 'case_reply', language: 'en_US', parameters: ['Amina', '{text}'] };
    await versioned.send(outbound({ template }), metaNumber(template));
    const request = fake.sent.at(-1);
    expect(request?.path).toBe(`/v19.0/${credentials.phoneNumberId}/messages`);
    expect(request?.body).toMatchObject({
      type: 'template',
      template: {
        name: 'case_reply',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Amina' },
              { type: 'text', text: 'Your case is closed #4' },
            ],
          },
        ],
      },
    });
  });

  it('delivers a signed status the adapter verifies and reads', async () => {
    const recorder = await startWebhookRecorder({ status: 200, body: { ok: true } });
    try {
      const { providerMessageId } = await provider.send(outbound(), metaNumber());
      await fake.postStatus(`${recorder.url}/webhooks/whatsapp-cloud/num_c0ff`, providerMessageId, 'read', credentials.appSecret);
      const [request] = recorder.received;
      if (!request) throw new Error('no status arrived');
      expect(() => provider.verify(request, metaNumber())).not.toThrow();
      expect(provider.parse(request, metaNumber()).statuses).toEqual([{ providerMessageId, status: 'read' }]);
    } finally {
      await recorder.close();
    }
  });

  it.each([
    [131047, 'Re-engagement message', 'Outside the WhatsApp 24-hour window: only a template can be sent (131047)'],
    [
      131026,
      'Message undeliverable',
      'The message could not be delivered: the recipient may not use WhatsApp or may need to update it (131026)',
    ],
    [100, 'Invalid parameter', 'WhatsApp rejected a parameter of the message (100)'],
    [131009, '(#131009) Parameter value is not valid', 'Parameter value is not valid (131009)'],
  ])('fails at once for error %i', async (code, message, reason) => {
    fake.failNext(1, metaError(400, code, message));
    const error = await sendError(provider.send(outbound(), metaNumber()));
    expect(error).toMatchObject({ kind: 'permanent', reason });
    expect(error.options.code).toBe(String(code));
  });

  it('fails at once when the access token is refused', async () => {
    const number = { ...metaNumber(), credentials: { ...credentials, accessToken: 'expired' } };
    const error = await sendError(provider.send(outbound(), number));
    expect(error).toMatchObject({ kind: 'permanent', reason: 'The WhatsApp access token is invalid or has expired (190)' });
  });

  it.each([4, 80007, 130429, 131048, 131056])('retries later for the rate limit %i, even on HTTP 400', async (code) => {
    fake.failNext(1, metaError(400, code, 'rate limit'));
    const error = await sendError(provider.send(outbound(), metaNumber()));
    expect(error.kind).toBe('transient');
  });

  it('treats a 429 as transient and honours Retry-After', async () => {
    fake.failNext(1, '429');
    const error = await sendError(provider.send(outbound(), metaNumber()));
    expect(error.kind).toBe('transient');
    expect(error.options).toMatchObject({ code: '130429', retryAfterMs: 2000 });
  });

  it('treats a 500 as transient', async () => {
    fake.failNext(1, '500');
    expect((await sendError(provider.send(outbound(), metaNumber()))).kind).toBe('transient');
  });

  it('treats a provider that does not answer in time as transient', async () => {
    fake.failNext(1, 'timeout');
    expect((await sendError(provider.send(outbound(), metaNumber()))).kind).toBe('transient');
  });
});
