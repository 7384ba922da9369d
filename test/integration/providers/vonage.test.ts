import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { describeEachDialect } from '../../support/dialects.js';
import {
  signVonageWebhook,
  startFakeVonage,
  vonageApplication,
  vonageInboundBody,
  vonageProblem,
  vonageStatusBody,
  vonageWebhookToken,
  type FakeVonage,
  type VonageInboundInput,
  type VonageStatusInput,
} from '../../support/fake-vonage.js';
import { jsonFixture } from '../../fixtures/providers/fixtures.js';
import { useCaseline, type Harness, pathOf, type TestOrg } from '../../support/harness.js';

/**
 * Vonage Messages API v1, SMS and WhatsApp, end to end (DESIGN.md §3): JWT-signed JSON
 * webhooks in through the real Fastify app, replies out through the outbox to a fake Vonage.
 */
const APPLICATION = vonageApplication();
const SIGNATURE_SECRET = 'vonage-signature-secret-7Hq2Lm9Xv4';
const SIGNING = { signatureSecret: SIGNATURE_SECRET, applicationId: APPLICATION.applicationId };
const UNUSED_API = 'http://127.0.0.1:9';
const TEMPLATE = { name: 'b545b5c9_3b6d_4c2a:case_update', language: 'en_GB', parameters: ['{text}'] };

interface NumberAnswer {
  id: string;
  webhooks: { inbound: string; status: string };
  [field: string]: unknown;
}

type Channel = 'sms' | 'whatsapp';

/** Vonage writes addresses as digits without `+`. */
const ADDRESSES: Record<Channel, { ours: string; alice: string }> = {
  sms: { ours: '447700900001', alice: '447700900123' },
  whatsapp: { ours: '14157386102', alice: '447700900123' },
};

/** Posts a body to our app with Vonage's signed-webhook JWT. */
function postSigned(h: Harness, path: string, body: unknown, signing = SIGNING) {
  const delivery = signVonageWebhook(body, signing);
  return h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers });
}

describeEachDialect('Vonage', (dialect) => {
  let fake: FakeVonage;
  beforeAll(async () => {
    fake = await startFakeVonage({ applications: { [APPLICATION.applicationId]: APPLICATION.publicKey } });
  });
  afterAll(() => fake.close());

  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: UNUSED_API, vonage: fake.url, whatsapp: UNUSED_API, africastalking: UNUSED_API }),
    startOutbox: true,
    // Short backoff, so a retried send is seen within a test.
    outbox: { pollMs: 50, backoffBaseMs: 50, backoffCapMs: 200 },
  });

  const { totals, reply, lastMessage, waitForStatus } = h;

  for (const channel of ['sms', 'whatsapp'] as const) {
    describe(channel, () => {
      const { ours, alice } = ADDRESSES[channel];
      const inboundBody = (input: Partial<VonageInboundInput> = {}) =>
        vonageInboundBody({ from: alice, to: ours, channel, text: 'My landlord cut the water off', ...input });

      async function setup() {
        const org = await h.newOrg();
        const res = await h.request('POST', '/api/v1/numbers', {
          token: org.admin.token,
          body: {
            provider: 'vonage',
            channel,
            ourNumber: `+${ours}`,
            surveyId: org.surveyId,
            theirNumberQuestion: 'phone',
            conversationQuestion: 'conversation',
            sendRatePerSecond: 100,
            template: channel === 'whatsapp' ? TEMPLATE : null,
            credentials: {
              applicationId: APPLICATION.applicationId,
              privateKey: APPLICATION.privateKey,
              signatureSecret: SIGNATURE_SECRET,
            },
          },
        });
        expect(res.status).toBe(201);
        const number = res.body as NumberAnswer;
        return { org, number, inbound: pathOf(number.webhooks.inbound), status: pathOf(number.webhooks.status) };
      }

      async function lockedCase(org: TestOrg, inboundPath: string, from = alice): Promise<number> {
        expect((await postSigned(h, inboundPath, inboundBody({ from }))).status).toBe(200);
        const n = (await h.records(org))[0]!.caseNumber;
        expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);
        return n;
      }

      /** The send the fake Vonage accepted for the message with our id `messageId`. */
      async function sentFor(messageId: string) {
        const match = (s: FakeVonage['sent'][number]) => s.body.client_ref === messageId;
        await expect.poll(() => fake.sent.some(match), { timeout: 5000 }).toBe(true);
        return fake.sent.find(match)!;
      }

      const statusBody = (messageUuid: string, status: VonageStatusInput['status'], error?: VonageStatusInput['error']) =>
        vonageStatusBody({ messageUuid, status, to: alice, from: ours, channel, error });

      it('a number is created with its webhook URLs, and its credentials are never returned', async () => {
        const { org, number } = await setup();
        expect(number).toMatchObject({
          provider: 'vonage',
          channel,
          ourNumber: `+${ours}`,
          webhooks: {
            inbound: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/vonage\/[\w-]{24}$/),
            status: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/vonage\/[\w-]{24}\/status$/),
          },
        });
        const read = await h.request('GET', `/api/v1/numbers/${number.id}`, { token: org.admin.token });
        for (const body of [number, read.body]) {
          const text = JSON.stringify(body);
          expect(text).not.toContain(SIGNATURE_SECRET);
          expect(text).not.toContain('PRIVATE KEY');
          expect(text).not.toContain('credentials');
        }
      });

      it('a signed inbound message creates a case and Vonage gets a 200', async () => {
        const { org, inbound } = await setup();
        const body =
          channel === 'whatsapp'
            ? inboundBody({
                image: { url: 'https://api-eu.nexmo.com/v3/media/7a1c9e2b', caption: 'Photo of the damp' },
                profileName: 'Alice',
              })
            : inboundBody({ text: 'Photo of the damp' });
        const res = await postSigned(h, inbound, body);
        expect(res.status).toBe(200);
        const [only, ...rest] = await h.records(org);
        expect(rest).toEqual([]);
        expect(only).toMatchObject({ status: 'open', contact: '+447700900123' });
        // Vonage names no content type for inbound media: it is read from the bytes once fetched.
        const media =
          channel === 'whatsapp'
            ? [
                {
                  id: expect.any(String),
                  contentType: null,
                  size: null,
                  name: null,
                  status: 'pending',
                  url: expect.any(String),
                  error: null,
                },
              ]
            : [];
        const record = await h.record(org, only!.caseNumber);
        expect(record.messages).toEqual([
          expect.objectContaining({ direction: 'in', text: 'Photo of the damp', media, channel, status: 'received' }),
        ]);
        expect(JSON.stringify(record)).not.toContain('nexmo.com');
      });

      if (channel === 'sms') {
        it("an inbound SMS without message_type (Vonage's SDK sample) is stored as text and Vonage gets a 200", async () => {
          const { org, inbound } = await setup();
          const res = await postSigned(h, inbound, jsonFixture('vonage-sms-inbound-without-message-type'));
          expect(res.status).toBe(200);
          const [only] = await h.records(org);
          expect(only).toMatchObject({ contact: '+447700900123' });
          expect(await h.conversation(org, only!.caseNumber)).toEqual(['Hello']);
        });
      }

      it('a tampered body, a wrong signature secret, an old token or a missing token is refused with 403 and stores nothing', async () => {
        const { inbound } = await setup();
        const before = await totals();
        const genuine = inboundBody({ text: 'genuine' });
        const signed = signVonageWebhook(genuine, SIGNING);
        const tampered = await h.request('POST', inbound, {
          rawBody: JSON.stringify({ ...genuine, text: 'forged' }),
          headers: signed.headers,
        });
        const wrongSecret = await postSigned(h, inbound, genuine, { ...SIGNING, signatureSecret: 'another-secret-0123456789abcdef' });
        const oldToken = await h.request('POST', inbound, {
          rawBody: signed.body,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${vonageWebhookToken(signed.body, { ...SIGNING, issuedAt: Math.floor(Date.now() / 1000) - 3600 })}`,
          },
        });
        const missing = await h.request('POST', inbound, { rawBody: signed.body, headers: { 'content-type': 'application/json' } });
        for (const res of [tampered, wrongSecret, oldToken, missing]) {
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe('invalid_signature');
        }
        expect(await totals()).toEqual(before);
      });

      it('a webhook delivered twice, even at the same moment, is stored once', async () => {
        const { org, inbound } = await setup();
        const before = await totals();
        const body = inboundBody();
        const answers = await Promise.all([postSigned(h, inbound, body), postSigned(h, inbound, body)]);
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        expect((await postSigned(h, inbound, body)).status).toBe(200);
        expect(await totals()).toEqual({ messages: before.messages + 1, records: before.records + 1 });
        expect(await h.conversation(org, (await h.records(org))[0]!.caseNumber)).toEqual(['My landlord cut the water off']);
      });

      it('a reply reaches Vonage with " #<case number>" appended, and its status webhook marks it delivered', async () => {
        const { org, number, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        const res = await reply(org, n, 'A plumber is on the way');
        expect(res.status).toBe(202);

        const sent = await sentFor(res.body.id);
        expect(sent.path).toBe('/v1/messages');
        expect(sent.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        expect(sent.body).toEqual({
          to: alice,
          from: ours,
          channel,
          message_type: 'text',
          text: `A plumber is on the way #${n}`,
          client_ref: res.body.id,
          webhook_url: number.webhooks.status,
        });
        await waitForStatus(org, n, 'sent');

        expect((await postSigned(h, status, statusBody(sent.id, 'delivered'))).status).toBe(200);
        expect(await lastMessage(org, n)).toMatchObject({ direction: 'out', status: 'delivered', error: null });
      });

      it("a rejected status marks the reply failed with Vonage's error code and a readable reason", async () => {
        const { org, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        const res = await reply(org, n, 'Can you call us?');
        const sent = await sentFor(res.body.id);
        await waitForStatus(org, n, 'sent');
        const error =
          channel === 'whatsapp' ? { code: 1340, detail: 'Outside of the allowed window' } : { code: 1020, detail: 'Invalid params' };
        expect((await postSigned(h, status, statusBody(sent.id, 'rejected', error))).status).toBe(200);
        expect(await lastMessage(org, n)).toMatchObject({
          status: 'failed',
          error: {
            code: String(error.code),
            message:
              channel === 'whatsapp' ? 'Outside the WhatsApp 24-hour window: only a template can be sent (1340)' : 'Invalid params (1020)',
          },
        });
      });

      it('a status webhook with a bad signature is refused and changes nothing', async () => {
        const { org, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        const res = await reply(org, n, 'Checking in');
        const sent = await sentFor(res.body.id);
        await waitForStatus(org, n, 'sent');
        const refused = await postSigned(h, status, statusBody(sent.id, 'delivered'), {
          ...SIGNING,
          signatureSecret: 'not-the-secret-0123456789',
        });
        expect(refused.status).toBe(403);
        expect((await lastMessage(org, n)).status).toBe('sent');
      });

      it('a permanent Vonage error fails the reply at once with its reason, without retrying', async () => {
        const { org, inbound } = await setup();
        const n = await lockedCase(org, inbound);
        fake.failNext(1, vonageProblem(422, '/messages#1430', 'Invalid recipient', 'The `to` parameter is invalid for the given channel.'));
        const before = fake.requests.length;
        const res = await reply(org, n, 'Are you still there?');
        await waitForStatus(org, n, 'failed');
        const record = await h.record(org, n);
        expect(record.messages.at(-1).error).toEqual({
          code: '1430',
          message: 'Invalid recipient: The `to` parameter is invalid for the given channel. (1430)',
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

      it('an outage at Vonage (HTTP 500) is retried, and the reply then goes out once', async () => {
        const { org, inbound } = await setup();
        const n = await lockedCase(org, inbound);
        fake.failNext(1, '500');
        const before = fake.requests.length;
        const res = await reply(org, n, 'Sorry for the wait');
        await waitForStatus(org, n, 'sent');
        expect(fake.requests.length - before).toBe(2);
        expect(fake.sent.filter((s) => s.body.client_ref === res.body.id)).toHaveLength(1);
        const outbox = await h
          .caseline()
          .db.kysely.selectFrom('outbox')
          .select(['state', 'attempts'])
          .where('message_id', '=', res.body.id)
          .executeTakeFirstOrThrow();
        expect(outbox).toEqual({ state: 'done', attempts: 2 });
      });

      if (channel === 'whatsapp') {
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
          const outboxBefore = await h.count('outbox');
          const late = await reply(org, n, 'Free text');
          expect(late.status).toBe(400);
          expect(late.body.error.code).toBe('window_closed');
          expect(await h.count('outbox')).toBe(outboxBefore);

          const templated = await reply(org, n, 'We have news about your case', true);
          expect(templated.status).toBe(202);
          const sent = await sentFor(templated.body.id);
          expect(sent.body).toEqual({
            to: alice,
            from: ours,
            channel: 'whatsapp',
            message_type: 'template',
            template: { name: TEMPLATE.name, parameters: [`We have news about your case #${n}`] },
            whatsapp: { policy: 'deterministic', locale: 'en_GB' },
            client_ref: templated.body.id,
            webhook_url: number.webhooks.status,
          });
          await waitForStatus(org, n, 'sent');
        });
      }
    });
  }
});
