import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { describeEachDialect } from '../../support/dialects.js';
import {
  africasTalkingDelivery,
  africasTalkingInboundFields,
  africasTalkingReportFields,
  startFakeAfricasTalking,
  type AfricasTalkingInboundInput,
  type AfricasTalkingStatus,
  type FakeAfricasTalking,
} from '../../support/fake-africastalking.js';
import { useCaseline, type Harness, pathOf, type TestOrg } from '../../support/harness.js';

/**
 * Africa's Talking SMS end to end (DESIGN.md §3): unsigned form webhooks, trusted by their
 * unguessable path and an optional IP allow-list, in through the real Fastify app; replies
 * out through the outbox to a fake Africa's Talking API.
 */
const USERNAME = 'caseline-helpline';
const API_KEY = 'atsk_5f2c9a8e1b7d4c3a9e6f0b2d8c4a1e7f3b9d5c2a8e6f4b1d7c3a9e5f2b8d4c6';
const OURS = '+254711082000';
const ALICE = '+254711082123';
const BLOCKED = '+254711000406';
const UNUSED_API = 'http://127.0.0.1:9';

interface NumberAnswer {
  id: string;
  webhooks: { inbound: string; status: string };
  [field: string]: unknown;
}

function post(h: Harness, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const delivery = africasTalkingDelivery(fields);
  return h.request('POST', path, { rawBody: delivery.body, headers: { ...delivery.headers, ...headers } });
}

describeEachDialect("Africa's Talking", (dialect) => {
  let fake: FakeAfricasTalking;
  beforeAll(async () => {
    fake = await startFakeAfricasTalking({ apps: { [USERNAME]: API_KEY }, rejectRecipients: { [BLOCKED]: 406 } });
  });
  afterAll(() => fake.close());

  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: UNUSED_API, vonage: UNUSED_API, whatsapp: UNUSED_API, africastalking: fake.url }),
    startOutbox: true,
    // Short backoff, so a retried send is seen within a test.
    outbox: { pollMs: 50, backoffBaseMs: 50, backoffCapMs: 200 },
  });

  const { totals, reply, lastMessage, waitForStatus } = h;
  const inboundFields = (input: Partial<AfricasTalkingInboundInput> = {}) =>
    africasTalkingInboundFields({ from: ALICE, to: OURS, text: 'My landlord cut the water off', ...input });

  async function setup(allowedIps?: string[]) {
    const org = await h.newOrg();
    const res = await h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'africastalking',
        channel: 'sms',
        ourNumber: OURS,
        surveyId: org.surveyId,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        sendRatePerSecond: 100,
        credentials: { username: USERNAME, apiKey: API_KEY, ...(allowedIps ? { allowedIps } : {}) },
      },
    });
    expect(res.status).toBe(201);
    const number = res.body as NumberAnswer;
    return { org, number, inbound: pathOf(number.webhooks.inbound), status: pathOf(number.webhooks.status) };
  }

  async function lockedCase(org: TestOrg, inboundPath: string, from = ALICE): Promise<number> {
    expect((await post(h, inboundPath, inboundFields({ from }))).status).toBe(200);
    const n = (await h.records(org))[0]!.caseNumber;
    expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);
    return n;
  }

  async function sentWithText(text: string) {
    const match = (s: FakeAfricasTalking['sent'][number]) => s.body.message === text;
    await expect.poll(() => fake.sent.some(match), { timeout: 5000 }).toBe(true);
    return fake.sent.find(match)!;
  }

  const report = (id: string, status: AfricasTalkingStatus, failureReason?: string) =>
    africasTalkingReportFields({ id, status, phoneNumber: ALICE, failureReason });

  it('a number is created with its webhook URLs, and its credentials are never returned', async () => {
    const { org, number } = await setup(['127.0.0.1']);
    expect(number).toMatchObject({
      provider: 'africastalking',
      channel: 'sms',
      ourNumber: OURS,
      webhooks: {
        inbound: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/africastalking\/[\w-]{24}$/),
        status: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/africastalking\/[\w-]{24}\/status$/),
      },
    });
    const read = await h.request('GET', `/api/v1/numbers/${number.id}`, { token: org.admin.token });
    for (const body of [number, read.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('credentials');
      // The allow-list is not secret: admins read and edit it as a setting of the number.
      expect(body.allowedIps).toEqual(['127.0.0.1']);
    }
  });

  it("an incoming message creates a case and Africa's Talking gets a 200", async () => {
    const { org, inbound } = await setup();
    const res = await post(h, inbound, inboundFields({ text: 'Habari, I need help' }));
    expect(res.status).toBe(200);
    const [only, ...rest] = await h.records(org);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ status: 'open', contact: ALICE });
    expect((await h.record(org, only!.caseNumber)).messages).toEqual([
      expect.objectContaining({ direction: 'in', text: 'Habari, I need help', media: [], channel: 'sms', status: 'received' }),
    ]);
  });

  it('a webhook for a number id that does not exist is refused with 404 and stores nothing', async () => {
    await setup();
    const before = await totals();
    const res = await post(h, '/webhooks/africastalking/guessed-number-id', inboundFields());
    expect(res.status).toBe(404);
    expect(await totals()).toEqual(before);
  });

  it('with an IP allow-list, a webhook from another address is refused with 403 and stores nothing', async () => {
    const { inbound, status } = await setup(['10.0.0.1']);
    const before = await totals();
    const res = await post(h, inbound, inboundFields());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('invalid_signature');
    expect((await post(h, status, report('ATXid_unknown', 'Success'))).status).toBe(403);
    expect(await totals()).toEqual(before);
  });

  it('with an IP allow-list, a webhook from a listed address is accepted', async () => {
    const { org, inbound } = await setup(['10.0.0.1', '127.0.0.1']);
    expect((await post(h, inbound, inboundFields())).status).toBe(200);
    expect(await h.records(org)).toHaveLength(1);
  });

  // No proxy is trusted by default (CASELINE_TRUST_PROXY), so X-Forwarded-For is ignored.
  it('a forged X-Forwarded-For does not get a webhook past the allow-list', async () => {
    const { inbound } = await setup(['10.0.0.1']);
    const before = await totals();
    const res = await post(h, inbound, inboundFields(), { 'x-forwarded-for': '10.0.0.1' });
    expect(res.status).toBe(403);
    expect(await totals()).toEqual(before);
  });

  it('a webhook delivered twice, even at the same moment, is stored once', async () => {
    const { org, inbound } = await setup();
    const before = await totals();
    const fields = inboundFields();
    const answers = await Promise.all([post(h, inbound, fields), post(h, inbound, fields)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect((await post(h, inbound, fields)).status).toBe(200);
    expect(await totals()).toEqual({ messages: before.messages + 1, records: before.records + 1 });
    expect(await h.conversation(org, (await h.records(org))[0]!.caseNumber)).toEqual(['My landlord cut the water off']);
  });

  it('a reply reaches Africa\'s Talking with " #<case number>" appended, and a delivery report marks it delivered', async () => {
    const { org, inbound, status } = await setup();
    const n = await lockedCase(org, inbound);
    const res = await reply(org, n, 'A plumber is on the way');
    expect(res.status).toBe(202);

    const sent = await sentWithText(`A plumber is on the way #${n}`);
    expect(sent.path).toBe('/version1/messaging');
    expect(sent.headers.apikey).toBe(API_KEY);
    expect(sent.body).toEqual({ username: USERNAME, to: ALICE, message: `A plumber is on the way #${n}`, from: OURS });
    await waitForStatus(org, n, 'sent');

    const answer = await post(h, status, report(sent.id, 'Success'));
    expect(answer.status).toBe(200);
    expect(await lastMessage(org, n)).toMatchObject({ direction: 'out', status: 'delivered', error: null });
  });

  it('a rejected delivery report marks the reply failed with the failure reason, readably', async () => {
    const { org, inbound, status } = await setup();
    const n = await lockedCase(org, inbound);
    await reply(org, n, 'Can you call us?');
    const sent = await sentWithText(`Can you call us? #${n}`);
    await waitForStatus(org, n, 'sent');
    expect((await post(h, status, report(sent.id, 'Rejected', 'DoNotDisturbRejection'))).status).toBe(200);
    expect(await lastMessage(org, n)).toMatchObject({
      status: 'failed',
      error: { code: 'DoNotDisturbRejection', message: 'The recipient has Do Not Disturb turned on (DoNotDisturbRejection)' },
    });
  });

  it('a blacklisted recipient (406) fails the reply at once, without retrying, and marks the contact opted out', async () => {
    const { org, inbound } = await setup();
    const n = await lockedCase(org, inbound, BLOCKED);
    const before = fake.requests.length;
    const res = await reply(org, n, 'Are you still there?');
    await waitForStatus(org, n, 'failed');
    const record = await h.record(org, n);
    expect(record.messages.at(-1).error).toEqual({
      code: '406',
      message: 'The recipient has blocked messages from this sender (406 UserInBlacklist)',
    });
    expect(record.optedOut).toBe(true);
    expect(fake.requests.length - before).toBe(1);
    // One attempt, then failed: a permanent error is never retried.
    const outbox = await h
      .caseline()
      .db.kysely.selectFrom('outbox')
      .select(['state', 'attempts'])
      .where('message_id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(outbox).toEqual({ state: 'failed', attempts: 1 });
    expect((await reply(org, n, 'Hello?')).body.error.code).toBe('opted_out');
  });

  it("an outage at Africa's Talking (HTTP 500) is retried, and the reply then goes out once", async () => {
    const { org, inbound } = await setup();
    const n = await lockedCase(org, inbound);
    fake.failNext(1, '500');
    const before = fake.requests.length;
    const res = await reply(org, n, 'Sorry for the wait');
    await waitForStatus(org, n, 'sent');
    expect(fake.requests.length - before).toBe(2);
    expect(fake.sent.filter((s) => s.body.message === `Sorry for the wait #${n}`)).toHaveLength(1);
    const outbox = await h
      .caseline()
      .db.kysely.selectFrom('outbox')
      .select(['state', 'attempts'])
      .where('message_id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(outbox).toEqual({ state: 'done', attempts: 2 });
  });
});
