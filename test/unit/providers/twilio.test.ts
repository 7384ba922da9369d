import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, ProviderNumber, TemplateConfig } from '../../../src/providers/provider.js';
import { twilioProvider } from '../../../src/providers/twilio.js';
import { formBody, startWebhookRecorder, webhookRequestFrom, type WebhookRecorder } from '../../support/fake-server.js';
import { signTwilioWebhook, startFakeTwilio, twilioInboundFields, twilioStatusFields, type FakeTwilio } from '../../support/fake-twilio.js';
import { sendError, thrownBy, outboundMessage } from '../../support/provider-test-kit.js';
import { twilioFormFixture } from '../../fixtures/providers/fixtures.js';

const credentials = { accountSid: `AC${'a1'.repeat(16)}`, authToken: '0123456789abcdef0123456789abcdef' };
const webhookUrl = 'https://caseline.example.org/webhooks/twilio/num_7f3a';

function twilioNumber(channel: 'sms' | 'whatsapp' = 'sms', template: TemplateConfig | null = null): ProviderNumber<'twilio'> {
  return { id: 'num_7f3a', provider: 'twilio', channel, ourNumber: '+447700900001', credentials, template };
}

const outbound = (overrides: Partial<OutboundMessage> = {}) =>
  outboundMessage(webhookUrl, { messageId: 'msg_1', to: '+447700900123', text: 'Your appointment is on Monday #12', ...overrides });

const adapter = twilioProvider({ apiUrl: 'http://127.0.0.1:1' });
const inbound = (fields: Record<string, string>, token = credentials.authToken, url = webhookUrl) =>
  webhookRequestFrom(url, signTwilioWebhook(url, fields, token));

describe('Twilio webhook signatures', () => {
  const docsUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const docsParams = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };
  const docsNumber = { ...twilioNumber(), credentials: { ...credentials, authToken: '12345' } };

  it('matches the worked example of Twilio’s documentation, as computed by the official SDK', () => {
    // The SDK is the authority; the example's published value must agree with it.
    const expected = getExpectedTwilioSignature('12345', docsUrl, docsParams);
    expect(expected).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    const request = webhookRequestFrom(docsUrl, {
      headers: { 'x-twilio-signature': expected },
      body: formBody(docsParams),
    });
    expect(() => adapter.verify(request, docsNumber)).not.toThrow();
  });

  it('accepts a signature made over the URL with its default port, and the other way round', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    const signedWithPort = getExpectedTwilioSignature('12345', withPort, docsParams);
    const atPlainUrl = webhookRequestFrom(docsUrl, {
      headers: { 'x-twilio-signature': signedWithPort },
      body: formBody(docsParams),
    });
    expect(() => adapter.verify(atPlainUrl, docsNumber)).not.toThrow();

    const atPortUrl = webhookRequestFrom(withPort, {
      headers: { 'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' },
      body: formBody(docsParams),
    });
    expect(() => adapter.verify(atPortUrl, docsNumber)).not.toThrow();
  });

  it('accepts an inbound message signed with the number’s auth token', () => {
    const fields = twilioInboundFields({ from: '+447700900123', to: '+447700900001', text: 'Hello' });
    expect(() => adapter.verify(inbound(fields), twilioNumber())).not.toThrow();
  });

  it('refuses a body changed after signing', () => {
    const fields = twilioInboundFields({ from: '+447700900123', to: '+447700900001', text: 'Hello' });
    const request = inbound(fields);
    request.rawBody = Buffer.from(formBody({ ...fields, Body: 'Hello #99' }));
    expect(thrownBy(() => adapter.verify(request, twilioNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a signature made with another auth token', () => {
    const fields = twilioInboundFields({ from: '+447700900123', to: '+447700900001', text: 'Hello' });
    const request = inbound(fields, 'ffffffffffffffffffffffffffffffff');
    expect(thrownBy(() => adapter.verify(request, twilioNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a signature made for another webhook URL', () => {
    const fields = twilioInboundFields({ from: '+447700900123', to: '+447700900001', text: 'Hello' });
    const request = webhookRequestFrom(webhookUrl, signTwilioWebhook(`${webhookUrl}x`, fields, credentials.authToken));
    expect(thrownBy(() => adapter.verify(request, twilioNumber()))).toMatchObject({ code: 'invalid_signature' });
  });

  it('refuses a request without X-Twilio-Signature', () => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body: 'MessageSid=SM1&From=%2B1&Body=hi' });
    expect(thrownBy(() => adapter.verify(request, twilioNumber()))).toMatchObject({ code: 'invalid_signature' });
  });
});

describe('Twilio webhook bodies', () => {
  it('reads an inbound SMS', () => {
    const fields = twilioInboundFields({ from: '+447700900123', to: '+447700900001', text: 'Help (#12)' });
    expect(adapter.parse(inbound(fields), twilioNumber())).toEqual({
      messages: [{ providerMessageId: fields.MessageSid, from: '+447700900123', text: 'Help (#12)', media: [] }],
      statuses: [],
    });
  });

  it('reads a WhatsApp message with media and the sender’s profile name, keeping the whatsapp: prefix', () => {
    const fields = twilioInboundFields({
      from: 'whatsapp:+447700900123',
      to: 'whatsapp:+447700900001',
      text: '',
      profileName: 'Amina',
      media: [
        { url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', contentType: 'image/jpeg' },
        { url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2', contentType: 'audio/ogg' },
      ],
    });
    const [message] = adapter.parse(inbound(fields), twilioNumber('whatsapp')).messages;
    expect(message).toEqual({
      providerMessageId: fields.MessageSid,
      from: 'whatsapp:+447700900123',
      text: '',
      profileName: 'Amina',
      media: [
        { ref: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', contentType: 'image/jpeg', name: null },
        { ref: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2', contentType: 'audio/ogg', name: null },
      ],
    });
  });

  it('reads a status callback by its MessageSid', () => {
    const fields = twilioStatusFields({ messageSid: 'SM123', status: 'delivered', from: '+447700900001', to: '+447700900123' });
    expect(adapter.parse(inbound(fields), twilioNumber())).toEqual({
      messages: [],
      statuses: [{ providerMessageId: 'SM123', status: 'delivered' }],
    });
  });

  it.each([
    ['undelivered', '21610', 'undelivered', 'The recipient has unsubscribed (21610)'],
    ['failed', '21211', 'failed', 'The number is not a valid phone number (21211)'],
    ['undelivered', '30003', 'undelivered', 'The recipient’s phone is unreachable (switched off or out of coverage) (30003)'],
    ['failed', '63016', 'failed', 'Outside the WhatsApp 24-hour window: only a template can be sent (63016)'],
    ['failed', '99999', 'failed', 'Twilio reported an error (99999)'],
  ] as const)('explains a %s status with error %s', (status, code, expected, text) => {
    const fields = twilioStatusFields({ messageSid: 'SM9', status, from: '+1', to: '+2', errorCode: code });
    expect(adapter.parse(inbound(fields), twilioNumber()).statuses).toMatchObject([
      { providerMessageId: 'SM9', status: expected, errorCode: code, errorText: text },
    ]);
  });

  it('a failed status callback with 21610 (unsubscribed) reports the recipient opted out', () => {
    const fields = twilioFormFixture('twilio-status-failed-21610');
    expect(adapter.parse(inbound(fields), twilioNumber('whatsapp')).statuses).toEqual([
      {
        providerMessageId: 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        status: 'failed',
        errorCode: '21610',
        errorText: 'The recipient has unsubscribed (21610)',
        optedOut: true,
        recipient: 'whatsapp:+447700900123',
      },
    ]);
  });

  it.each(['21211', '30003', '30007'])('a failed status callback with %s does not report an opt-out', (code) => {
    const fields = twilioFormFixture('twilio-status-failed-21610', { ErrorCode: code });
    const [update] = adapter.parse(inbound(fields), twilioNumber('whatsapp')).statuses;
    expect(update).toMatchObject({ errorCode: code });
    expect(update).not.toHaveProperty('optedOut');
  });

  it('reads a WhatsApp location (empty Body, no media) as its label, address and a map link', () => {
    const fields = twilioFormFixture('twilio-whatsapp-location');
    expect(adapter.parse(inbound(fields), twilioNumber('whatsapp'))).toEqual({
      messages: [
        {
          providerMessageId: 'SM7c1d9e4a2b3f40c8a6e5d4c3b2a1f0e9',
          from: 'whatsapp:+447700900123',
          text:
            'Location: Citizens Advice Westminster, Trafalgar Square, London WC2N 5DN\n' +
            'https://www.openstreetmap.org/?mlat=51.5072178&mlon=-0.1275862#map=17/51.5072178/-0.1275862',
          media: [],
          profileName: 'Amina',
        },
      ],
      statuses: [],
    });
  });

  it('reads a dropped pin without label or address as its coordinates', () => {
    const { Label: _label, Address: _address, ...fields } = twilioFormFixture('twilio-whatsapp-location');
    const [message] = adapter.parse(inbound(fields), twilioNumber('whatsapp')).messages;
    expect(message?.text.split('\n')[0]).toBe('Location: 51.5072178, -0.1275862');
  });

  it('ignores a status it does not know rather than failing the callback', () => {
    const fields = twilioStatusFields({ messageSid: 'SM9', status: 'partially_delivered', from: '+1', to: '+2' });
    expect(adapter.parse(inbound(fields), twilioNumber())).toEqual({ messages: [], statuses: [] });
  });

  it.each([
    ['without a MessageSid', 'From=%2B447700900123&Body=hi'],
    ['without From', 'MessageSid=SM1&Body=hi'],
    ['with a nonsense NumMedia', 'MessageSid=SM1&From=%2B447700900123&Body=hi&NumMedia=lots'],
  ])('refuses a body %s as a bad request', (_, body) => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body });
    expect(thrownBy(() => adapter.parse(request, twilioNumber()))).toMatchObject({ code: 'bad_request' });
  });

  it('acknowledges with an empty TwiML response', () => {
    expect(adapter.acknowledge()).toEqual({
      status: 200,
      contentType: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
    });
  });
});

describe('Twilio credentials', () => {
  it('keeps a valid account SID and auth token', () => {
    expect(adapter.validateCredentials({ ...credentials, extra: 1 })).toEqual(credentials);
  });

  it.each([{}, { accountSid: 'AC123', authToken: credentials.authToken }, { accountSid: credentials.accountSid, authToken: 'x' }])(
    'refuses %j',
    (raw) => {
      expect(thrownBy(() => adapter.validateCredentials(raw))).toMatchObject({ code: 'validation_failed' });
    },
  );
});

describe('sending through Twilio', () => {
  let fake: FakeTwilio;
  let provider: ReturnType<typeof twilioProvider>;

  beforeAll(async () => {
    fake = await startFakeTwilio({ accounts: { [credentials.accountSid]: credentials.authToken } });
    provider = twilioProvider({ apiUrl: fake.url, timeoutMs: 1000 });
  });
  afterEach(() => fake.failRatio(0));
  afterAll(() => fake.close());

  it('posts the form Twilio expects, with Basic auth and the status callback, and returns the SID', async () => {
    const result = await provider.send(outbound(), twilioNumber());
    const request = fake.sent.at(-1);
    expect(result).toEqual({ providerMessageId: request?.id, status: 'sent' });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(request?.path).toBe(`/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`,
    );
    expect(request?.body).toEqual({
      To: '+447700900123',
      From: '+447700900001',
      Body: 'Your appointment is on Monday #12',
      StatusCallback: `${webhookUrl}/status`,
    });
  });

  it('prefixes both addresses with whatsapp: on a WhatsApp number', async () => {
    await provider.send(outbound(), twilioNumber('whatsapp'));
    expect(fake.sent.at(-1)?.body).toMatchObject({ To: 'whatsapp:+447700900123', From: 'whatsapp:+447700900001' });
  });

  it('sends a template as ContentSid with numbered ContentVariables, filling in the text', async () => {
    const template = { name: 'HX0123456789abcdef0123456789abcdef', language: 'en', parameters: ['Amina', '{text}'] };
    await provider.send(outbound({ template, text: 'Please reply #12' }), twilioNumber('whatsapp', template));
    const body = fake.sent.at(-1)?.body;
    expect(body?.ContentSid).toBe(template.name);
    expect(JSON.parse(body?.ContentVariables ?? '')).toEqual({ 1: 'Amina', 2: 'Please reply #12' });
    expect(body?.Body).toBeUndefined();
  });

  it('delivers a status callback the adapter verifies and reads', async () => {
    const recorder: WebhookRecorder = await startWebhookRecorder();
    try {
      const { providerMessageId } = await provider.send(
        outbound({ statusCallbackUrl: `${recorder.url}/webhooks/twilio/num_7f3a/status` }),
        twilioNumber(),
      );
      const answer = await fake.postStatus(providerMessageId, 'undelivered', { errorCode: '30005' });
      expect(answer.status).toBe(200);
      const [request] = recorder.received;
      expect(request).toBeDefined();
      if (!request) return;
      expect(() => provider.verify(request, twilioNumber())).not.toThrow();
      expect(provider.parse(request, twilioNumber()).statuses).toEqual([
        {
          providerMessageId,
          status: 'undelivered',
          errorCode: '30005',
          errorText: 'The number is unknown or no longer in service (30005)',
        },
      ]);
    } finally {
      await recorder.close();
    }
  });

  it('treats a 500 as transient', async () => {
    fake.failNext(1, '500');
    const error = await sendError(provider.send(outbound(), twilioNumber()));
    expect(error).toMatchObject({ kind: 'transient' });
  });

  it('treats a 429 as transient and honours Retry-After', async () => {
    fake.failNext(1, '429');
    const error = await sendError(provider.send(outbound(), twilioNumber()));
    expect(error.kind).toBe('transient');
    expect(error.options).toMatchObject({ code: '20429', retryAfterMs: 2000 });
  });

  it('treats a provider that does not answer in time as transient', async () => {
    fake.failNext(1, 'timeout');
    const started = Date.now();
    const error = await sendError(provider.send(outbound(), twilioNumber()));
    expect(error.kind).toBe('transient');
    expect(Date.now() - started).toBeLessThan(10_000); // the adapter gave up well before its 15 s default
  });

  it('treats an unreachable API as transient', async () => {
    const offline = twilioProvider({ apiUrl: 'http://127.0.0.1:9', timeoutMs: 200 });
    expect((await sendError(offline.send(outbound(), twilioNumber()))).kind).toBe('transient');
  });

  it('fails at once, marking the contact opted out, when the recipient has unsubscribed (21610)', async () => {
    const error = await sendError(provider.send(outbound({ to: '+15005550004' }), twilioNumber()));
    expect(error).toMatchObject({ kind: 'permanent', reason: 'The recipient has unsubscribed (21610)' });
    expect(error.options).toMatchObject({ code: '21610', optedOut: true });
  });

  it.each([
    ['+15005550001', '21211', 'The number is not a valid phone number (21211)'],
    ['+15005550009', '21614', 'The number is not a mobile number (21614)'],
  ])('fails at once for %s with a readable reason', async (to, code, reason) => {
    const error = await sendError(provider.send(outbound({ to }), twilioNumber()));
    expect(error).toMatchObject({ kind: 'permanent', reason });
    expect(error.options.code).toBe(code);
    expect(error.options.optedOut).toBeUndefined();
  });

  it('fails at once for WhatsApp free text outside the window (63016)', async () => {
    fake.failNext(1, {
      status: 400,
      body: { code: 63016, message: 'Failed to send freeform message because you are outside the allowed window.' },
    });
    const error = await sendError(provider.send(outbound(), twilioNumber('whatsapp')));
    expect(error).toMatchObject({
      kind: 'permanent',
      reason: 'Outside the WhatsApp 24-hour window: only a template can be sent (63016)',
    });
  });

  it('fails at once when Twilio refuses the credentials', async () => {
    const wrong = { ...twilioNumber(), credentials: { ...credentials, authToken: 'f'.repeat(32) } };
    const error = await sendError(provider.send(outbound(), wrong));
    expect(error).toMatchObject({ kind: 'permanent', reason: 'Twilio rejected the account SID or auth token (20003)' });
  });
});
