import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { africasTalkingProvider } from '../../../src/providers/africastalking.js';
import type { OutboundMessage, ProviderNumber } from '../../../src/providers/provider.js';
import { startWebhookRecorder, webhookRequestFrom } from '../../support/fake-server.js';
import {
  africasTalkingDelivery,
  africasTalkingInboundFields,
  africasTalkingReportFields,
  startFakeAfricasTalking,
  type FakeAfricasTalking,
} from '../../support/fake-africastalking.js';
import { sendError, thrownBy, outboundMessage } from '../../support/provider-test-kit.js';

const webhookUrl = 'https://caseline.example.org/webhooks/africastalking/num_9b1e';
const credentials = { username: 'caseline', apiKey: 'atsk_0123456789abcdef' };

function atNumber(allowedIps?: string[]): ProviderNumber<'africastalking'> {
  return {
    id: 'num_9b1e',
    provider: 'africastalking',
    channel: 'sms',
    ourNumber: '20880',
    credentials: allowedIps ? { ...credentials, allowedIps } : credentials,
    template: null,
  };
}

const outbound = (overrides: Partial<OutboundMessage> = {}) =>
  outboundMessage(webhookUrl, { messageId: 'msg_4', to: '+254711000123', text: 'Asante, we received your report #31', ...overrides });

const adapter = africasTalkingProvider({ apiUrl: 'http://127.0.0.1:1' });
const webhook = (fields: Record<string, string>, remoteAddress = '52.48.80.34') =>
  webhookRequestFrom(webhookUrl, africasTalkingDelivery(fields), { remoteAddress });
const inboundFields = () => africasTalkingInboundFields({ from: '+254711000123', to: '20880', text: 'Report #31 update' });

describe('Africa’s Talking webhook authenticity', () => {
  it('accepts any sender when the number has no allow-list, as the path is the secret', () => {
    expect(() => adapter.verify(webhook(inboundFields()), atNumber())).not.toThrow();
    expect(() => adapter.verify(webhook(inboundFields()), atNumber([]))).not.toThrow();
  });

  it('accepts an allowed address, also written as IPv4-mapped IPv6', () => {
    expect(() => adapter.verify(webhook(inboundFields(), '52.48.80.34'), atNumber(['52.48.80.34']))).not.toThrow();
    expect(() => adapter.verify(webhook(inboundFields(), '::ffff:52.48.80.34'), atNumber(['52.48.80.34']))).not.toThrow();
  });

  it('refuses an address outside the allow-list', () => {
    const request = webhook(inboundFields(), '203.0.113.9');
    expect(thrownBy(() => adapter.verify(request, atNumber(['52.48.80.34'])))).toMatchObject({ code: 'invalid_signature' });
  });
});

describe('Africa’s Talking webhook bodies', () => {
  it('reads an incoming SMS', () => {
    const fields = inboundFields();
    expect(adapter.parse(webhook(fields), atNumber())).toEqual({
      messages: [{ providerMessageId: fields.id, from: '+254711000123', text: 'Report #31 update', media: [] }],
      statuses: [],
    });
  });

  it.each([
    ['Submitted', 'sent'],
    ['Sent', 'sent'],
    ['Buffered', 'sent'],
    ['Success', 'delivered'],
  ] as const)('maps the delivery report %s to %s', (status, expected) => {
    const fields = africasTalkingReportFields({ id: 'ATXid_1', status, phoneNumber: '+254711000123' });
    expect(adapter.parse(webhook(fields), atNumber())).toEqual({
      messages: [],
      statuses: [{ providerMessageId: 'ATXid_1', status: expected }],
    });
  });

  it.each([
    ['Failed', 'UserInBlackList', 'undelivered', 'The recipient has blocked messages from this sender (UserInBlackList)'],
    ['Rejected', 'DoNotDisturbRejection', 'failed', 'The recipient has Do Not Disturb turned on (DoNotDisturbRejection)'],
    ['Failed', 'SomethingNew', 'undelivered', 'The message could not be delivered (SomethingNew)'],
  ] as const)('explains a %s report because of %s', (status, failureReason, expected, text) => {
    const fields = africasTalkingReportFields({ id: 'ATXid_2', status, phoneNumber: '+254711000123', failureReason });
    expect(adapter.parse(webhook(fields), atNumber()).statuses).toEqual([
      { providerMessageId: 'ATXid_2', status: expected, errorCode: failureReason, errorText: text },
    ]);
  });

  it.each([
    ['without an id', 'from=%2B254711000123&text=hi'],
    ['without a sender', 'id=1&text=hi'],
    ['without text or status', 'id=1&from=%2B254711000123'],
  ])('refuses a body %s as a bad request', (_, body) => {
    const request = webhookRequestFrom(webhookUrl, { headers: {}, body });
    expect(thrownBy(() => adapter.parse(request, atNumber()))).toMatchObject({ code: 'bad_request' });
  });
});

describe('Africa’s Talking credentials', () => {
  it('keeps the username, API key and an allow-list of addresses', () => {
    expect(adapter.validateCredentials({ ...credentials, allowedIps: [' 52.48.80.34', '2001:db8::1'] })).toEqual({
      ...credentials,
      allowedIps: ['52.48.80.34', '2001:db8::1'],
    });
  });

  it('refuses an allow-list entry that is not an address', () => {
    const raw = { ...credentials, allowedIps: ['africastalking.com'] };
    expect(thrownBy(() => adapter.validateCredentials(raw))).toMatchObject({ code: 'validation_failed' });
  });
});

describe('sending through Africa’s Talking', () => {
  let fake: FakeAfricasTalking;
  let provider: ReturnType<typeof africasTalkingProvider>;

  beforeAll(async () => {
    fake = await startFakeAfricasTalking({
      apps: { [credentials.username]: credentials.apiKey },
      rejectRecipients: { '+254711000406': 406, '+254711000403': 403, '+254711000500': 500 },
    });
    provider = africasTalkingProvider({ apiUrl: fake.url, timeoutMs: 1000 });
  });
  afterAll(() => fake.close());

  it('posts the form with the apiKey header and returns the recipient’s messageId', async () => {
    const result = await provider.send(outbound(), atNumber());
    const request = fake.sent.at(-1);
    expect(result).toEqual({ providerMessageId: request?.id, status: 'sent' });
    expect(result.providerMessageId).toMatch(/^ATXid_/);
    expect(request?.path).toBe('/version1/messaging');
    expect(request?.headers.apikey).toBe(credentials.apiKey);
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toEqual({
      username: 'caseline',
      to: '+254711000123',
      message: 'Asante, we received your report #31',
      from: '20880',
    });
  });

  it('delivers a delivery report the adapter reads', async () => {
    const recorder = await startWebhookRecorder({ status: 200, body: 'OK' });
    try {
      const { providerMessageId } = await provider.send(outbound(), atNumber());
      await fake.postStatus(`${recorder.url}/webhooks/africastalking/num_9b1e/status`, providerMessageId, 'Success');
      const [request] = recorder.received;
      if (!request) throw new Error('no report arrived');
      expect(() => provider.verify(request, atNumber(['127.0.0.1']))).not.toThrow();
      expect(provider.parse(request, atNumber()).statuses).toEqual([{ providerMessageId, status: 'delivered' }]);
    } finally {
      await recorder.close();
    }
  });

  it('fails at once, marking the contact opted out, when the recipient blacklisted the sender (406)', async () => {
    const error = await sendError(provider.send(outbound({ to: '+254711000406' }), atNumber()));
    expect(error).toMatchObject({
      kind: 'permanent',
      reason: 'The recipient has blocked messages from this sender (406 UserInBlacklist)',
    });
    expect(error.options).toMatchObject({ code: '406', optedOut: true });
  });

  it('fails at once for an invalid phone number (403)', async () => {
    const error = await sendError(provider.send(outbound({ to: '+254711000403' }), atNumber()));
    expect(error).toMatchObject({ kind: 'permanent', reason: 'The number is not a valid phone number (403 InvalidPhoneNumber)' });
    expect(error.options.optedOut).toBeUndefined();
  });

  it('retries later when Africa’s Talking reports its own internal error for the recipient (500)', async () => {
    const error = await sendError(provider.send(outbound({ to: '+254711000500' }), atNumber()));
    expect(error).toMatchObject({ kind: 'transient', options: { code: '500' } });
  });

  it('fails at once when the API key is refused', async () => {
    const number = { ...atNumber(), credentials: { ...credentials, apiKey: 'wrong' } };
    const error = await sendError(provider.send(outbound(), number));
    expect(error).toMatchObject({ kind: 'permanent', options: { code: '401' } });
  });

  it('treats an HTTP 500 as transient', async () => {
    fake.failNext(1, '500');
    expect((await sendError(provider.send(outbound(), atNumber()))).kind).toBe('transient');
  });

  it('treats a 429 as transient and honours Retry-After', async () => {
    fake.failNext(1, '429');
    const error = await sendError(provider.send(outbound(), atNumber()));
    expect(error).toMatchObject({ kind: 'transient', options: { retryAfterMs: 2000 } });
  });

  it('treats a provider that does not answer in time as transient', async () => {
    fake.failNext(1, 'timeout');
    expect((await sendError(provider.send(outbound(), atNumber()))).kind).toBe('transient');
  });
});
