import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { describeEachDialect } from '../../support/dialects.js';
import { formBody } from '../../support/fake-server.js';
import {
  signTwilioWebhook,
  startFakeTwilio,
  twilioError,
  twilioInboundFields,
  twilioSid,
  twilioStatusFields,
  type FakeTwilio,
  type TwilioInboundInput,
} from '../../support/fake-twilio.js';
import { twilioFormFixture } from '../../fixtures/providers/fixtures.js';
import { useCaseline, type Harness, pathOf, type TestOrg } from '../../support/harness.js';

/**
 * Twilio SMS and WhatsApp end to end (DESIGN.md §3): signed form webhooks in through the
 * real Fastify app, replies out through the outbox to a fake Twilio REST API.
 */
const ACCOUNT_SID = `AC${'5e'.repeat(16)}`;
const AUTH_TOKEN = '9f86d081884c7d659a2feaa0c55ad015';
const OTHER_TOKEN = '0123456789abcdef0123456789abcdef';
const UNUSED_API = 'http://127.0.0.1:9';
const TEMPLATE = { name: `HX${'c4'.repeat(16)}`, language: 'en', parameters: ['{text}'] };

interface NumberAnswer {
  id: string;
  ourNumber: string;
  webhooks: { inbound: string; status: string };
  [field: string]: unknown;
}

type Channel = 'sms' | 'whatsapp';

const SENDERS: Record<Channel, { ours: string; alice: string; optedOut: string }> = {
  sms: { ours: '+447700900001', alice: '+447700900123', optedOut: '+15005550004' },
  whatsapp: { ours: 'whatsapp:+14155238886', alice: 'whatsapp:+447700900123', optedOut: 'whatsapp:+15005550004' },
};

/** Creates a Twilio number through the API, as an admin would in the console. */
async function addTwilioNumber(h: Harness, org: TestOrg, channel: Channel): Promise<NumberAnswer> {
  const res = await h.request('POST', '/api/v1/numbers', {
    token: org.admin.token,
    body: {
      provider: 'twilio',
      channel,
      ourNumber: SENDERS[channel].ours,
      surveyId: org.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: 100,
      template: channel === 'whatsapp' ? TEMPLATE : null,
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Posts Twilio's form to our app, signed for `signedUrl` (by default the number's public webhook URL). */
function postSigned(
  h: Harness,
  path: string,
  fields: Record<string, string>,
  options: { signedUrl?: string; token?: string; headers?: Record<string, string> } = {},
) {
  const delivery = signTwilioWebhook(options.signedUrl ?? `https://caseline.test${path}`, fields, options.token ?? AUTH_TOKEN);
  return h.request('POST', path, { rawBody: delivery.body, headers: { ...delivery.headers, ...options.headers } });
}

describeEachDialect('Twilio', (dialect) => {
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await startFakeTwilio({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
  });
  afterAll(() => fake.close());

  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: fake.url, vonage: UNUSED_API, whatsapp: UNUSED_API, africastalking: UNUSED_API }),
    startOutbox: true,
    // Short backoff, so a retried send is seen within a test.
    outbox: { pollMs: 50, backoffBaseMs: 50, backoffCapMs: 200 },
  });

  const { totals, reply, lastMessage, waitForStatus } = h;

  for (const channel of ['sms', 'whatsapp'] as const) {
    describe(channel, () => {
      const { ours, alice, optedOut } = SENDERS[channel];
      const inboundFields = (input: Partial<TwilioInboundInput> = {}) =>
        twilioInboundFields({ from: alice, to: ours, text: 'My landlord cut the water off', accountSid: ACCOUNT_SID, ...input });

      async function setup() {
        const org = await h.newOrg();
        const number = await addTwilioNumber(h, org, channel);
        return { org, number, inbound: pathOf(number.webhooks.inbound), status: pathOf(number.webhooks.status) };
      }

      /** A case opened by a message from `from`, locked by the org's admin. */
      async function lockedCase(org: TestOrg, inboundPath: string, from = alice): Promise<number> {
        expect((await postSigned(h, inboundPath, inboundFields({ from }))).status).toBe(200);
        const n = (await h.records(org))[0]!.caseNumber;
        expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);
        return n;
      }

      /** What the fake Twilio accepted from this number with `field` set to `value`, once the outbox sent it. */
      async function sentWith(number: NumberAnswer, field: string, value: string) {
        const match = (s: FakeTwilio['sent'][number]) => s.body.StatusCallback === number.webhooks.status && s.body[field] === value;
        await expect.poll(() => fake.sent.some(match), { timeout: 5000 }).toBe(true);
        return fake.sent.find(match)!;
      }

      it('a number is created with its webhook URLs, and its credentials are never returned', async () => {
        const { org, number } = await setup();
        expect(number).toMatchObject({
          provider: 'twilio',
          channel,
          ourNumber: ours.replace('whatsapp:', ''),
          webhooks: {
            inbound: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/twilio\/[\w-]{24}$/),
            status: expect.stringMatching(/^https:\/\/caseline\.test\/webhooks\/twilio\/[\w-]{24}\/status$/),
          },
        });
        const read = await h.request('GET', `/api/v1/numbers/${number.id}`, { token: org.admin.token });
        const list = await h.request('GET', '/api/v1/numbers', { token: org.admin.token });
        for (const body of [number, read.body, list.body]) {
          expect(JSON.stringify(body)).not.toContain(AUTH_TOKEN);
          expect(JSON.stringify(body)).not.toContain('credentials');
        }
      });

      it('a signed inbound message creates a case with its media, and Twilio gets an empty TwiML answer', async () => {
        const { org, inbound } = await setup();
        const media = [
          { url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME1`, contentType: 'image/jpeg' },
          { url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME2`, contentType: 'audio/ogg' },
        ];
        const res = await postSigned(h, inbound, inboundFields({ text: 'Photos of the damp', media, profileName: 'Alice' }));
        expect(res.status).toBe(200);
        expect(String(res.headers['content-type'])).toMatch(/^text\/xml/);
        expect(res.body).toContain('<Response/>');
        const [only, ...rest] = await h.records(org);
        expect(rest).toEqual([]);
        expect(only).toMatchObject({ status: 'open', contact: '+447700900123' });
        const record = await h.record(org, only!.caseNumber);
        expect(record.channel).toBe(channel);
        // Each item is pending until its fetch job stores it; the provider's URL stays on the server.
        const pending = (contentType: string) => ({
          id: expect.any(String),
          contentType,
          size: null,
          name: null,
          status: 'pending',
          url: expect.stringMatching(/^\/api\/v1\/media\//),
          error: null,
        });
        expect(record.messages).toEqual([
          expect.objectContaining({
            direction: 'in',
            text: 'Photos of the damp',
            media: [pending('image/jpeg'), pending('audio/ogg')],
            channel,
            status: 'received',
          }),
        ]);
        expect(JSON.stringify(record)).not.toContain('api.twilio.com');
      });

      it('a tampered body, a wrong auth token or a missing signature is refused with 403 and stores nothing', async () => {
        const { inbound } = await setup();
        const before = await totals();
        const fields = inboundFields({ text: 'genuine' });
        const signed = signTwilioWebhook(`https://caseline.test${inbound}`, fields, AUTH_TOKEN);
        const tampered = await h.request('POST', inbound, {
          rawBody: formBody({ ...fields, Body: 'forged' }),
          headers: signed.headers,
        });
        const wrongToken = await postSigned(h, inbound, fields, { token: OTHER_TOKEN });
        const { 'x-twilio-signature': _signature, ...unsigned } = signed.headers;
        const missing = await h.request('POST', inbound, { rawBody: signed.body, headers: unsigned });
        const otherUrl = await postSigned(h, inbound, fields, { signedUrl: `https://attacker.example${inbound}` });
        for (const res of [tampered, wrongToken, missing, otherUrl]) {
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe('invalid_signature');
        }
        expect(await totals()).toEqual(before);
      });

      it('a webhook delivered twice, even at the same moment, is stored once', async () => {
        const { org, inbound } = await setup();
        const before = await totals();
        const fields = inboundFields({ messageSid: twilioSid() });
        const answers = await Promise.all([postSigned(h, inbound, fields), postSigned(h, inbound, fields)]);
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        await postSigned(h, inbound, fields);
        expect(await totals()).toEqual({ messages: before.messages + 1, records: before.records + 1 });
        expect(await h.conversation(org, (await h.records(org))[0]!.caseNumber)).toEqual(['My landlord cut the water off']);
      });

      it('a reply reaches Twilio with " #<case number>" appended, and its status callback marks it delivered', async () => {
        const { org, number, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        const res = await reply(org, n, 'A plumber is on the way');
        expect(res.status).toBe(202);
        expect(res.body).toMatchObject({ status: 'queued', text: `A plumber is on the way #${n}` });

        const sent = await sentWith(number, 'Body', `A plumber is on the way #${n}`);
        expect(sent.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
        expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
        expect(sent.headers['content-type']).toContain('application/x-www-form-urlencoded');
        expect(sent.body).toEqual({ To: alice, From: ours, Body: `A plumber is on the way #${n}`, StatusCallback: number.webhooks.status });
        // The worker has stored Twilio's SID: the callback below is applied straight away.
        await waitForStatus(org, n, 'sent');

        const callback = await postSigned(
          h,
          status,
          twilioStatusFields({ messageSid: sent.id, status: 'delivered', from: ours, to: alice, accountSid: ACCOUNT_SID }),
          { signedUrl: sent.body.StatusCallback },
        );
        expect(callback.status).toBe(200);
        expect(await lastMessage(org, n)).toMatchObject({ direction: 'out', status: 'delivered', error: null });
        // A late "sent" never hides "delivered".
        await postSigned(h, status, twilioStatusFields({ messageSid: sent.id, status: 'sent', from: ours, to: alice }));
        expect((await lastMessage(org, n)).status).toBe('delivered');
      });

      it("a failed status callback marks the reply failed with Twilio's error code and a readable reason", async () => {
        const { org, number, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        await reply(org, n, 'Can you call us?');
        const sent = await sentWith(number, 'Body', `Can you call us? #${n}`);
        await waitForStatus(org, n, 'sent');
        const fields = twilioStatusFields({
          messageSid: sent.id,
          status: 'failed',
          from: ours,
          to: alice,
          accountSid: ACCOUNT_SID,
          errorCode: '30007',
          errorMessage: 'Message filtered',
        });
        expect((await postSigned(h, status, fields)).status).toBe(200);
        expect(await lastMessage(org, n)).toMatchObject({
          status: 'failed',
          error: { code: '30007', message: 'The carrier filtered the message as spam (30007)' },
        });
      });

      it('a status callback with a bad signature is refused and changes nothing', async () => {
        const { org, number, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        await reply(org, n, 'Checking in');
        const sent = await sentWith(number, 'Body', `Checking in #${n}`);
        await waitForStatus(org, n, 'sent');
        const fields = twilioStatusFields({ messageSid: sent.id, status: 'delivered', from: ours, to: alice });
        const res = await postSigned(h, status, fields, { token: OTHER_TOKEN });
        expect(res.status).toBe(403);
        expect((await lastMessage(org, n)).status).toBe('sent');
      });

      it('an unsubscribed recipient (21610) fails the reply at once, without retrying, and marks the contact opted out', async () => {
        const { org, inbound } = await setup();
        const n = await lockedCase(org, inbound, optedOut);
        const before = fake.requests.length;
        await reply(org, n, 'Are you still there?');
        await waitForStatus(org, n, 'failed');
        const record = await h.record(org, n);
        expect(record.messages.at(-1).error).toEqual({ code: '21610', message: 'The recipient has unsubscribed (21610)' });
        expect(record.optedOut).toBe(true);
        expect(fake.requests.slice(before).filter((r) => (r.body as Record<string, string>).To === optedOut)).toHaveLength(1);
        // One attempt, then failed: a permanent error is never retried.
        const outbox = await h
          .caseline()
          .db.kysely.selectFrom('outbox')
          .select(['state', 'attempts'])
          .where('message_id', '=', record.messages.at(-1).id)
          .executeTakeFirstOrThrow();
        expect(outbox).toEqual({ state: 'failed', attempts: 1 });
        // Nothing more reaches Twilio for this contact: the next reply is refused up front.
        const again = await reply(org, n, 'Hello?');
        expect(again.status).toBe(400);
        expect(again.body.error.code).toBe('opted_out');
      });

      it('a status callback failing with 21610 (unsubscribed) opts the contact out: the next reply is refused and nothing reaches Twilio', async () => {
        const { org, number, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        await reply(org, n, 'Are you safe to talk?');
        const sent = await sentWith(number, 'Body', `Are you safe to talk? #${n}`);
        await waitForStatus(org, n, 'sent');
        expect((await h.record(org, n)).optedOut).toBe(false);

        const fields = twilioFormFixture('twilio-status-failed-21610', {
          SmsSid: sent.id,
          MessageSid: sent.id,
          To: alice,
          From: ours,
          AccountSid: ACCOUNT_SID,
        });
        expect((await postSigned(h, status, fields, { signedUrl: sent.body.StatusCallback })).status).toBe(200);
        const record = await h.record(org, n);
        expect(record.messages.at(-1)).toMatchObject({
          status: 'failed',
          error: { code: '21610', message: 'The recipient has unsubscribed (21610)' },
        });
        expect(record.optedOut).toBe(true);
        // The same opt-out row as a 21610 at send time: one row for the contact on this number.
        const rows = await h.caseline().db.kysely.selectFrom('opt_outs').select('contact').where('number_id', '=', number.id).execute();
        expect(rows).toEqual([{ contact: '+447700900123' }]);

        const sentBefore = fake.requests.length;
        const again = await reply(org, n, 'Hello?');
        expect(again.status).toBe(400);
        expect(again.body.error.code).toBe('opted_out');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(fake.requests.length).toBe(sentBefore);
      });

      it('a 21610 status callback that arrives before the send is recorded still opts its recipient out', async () => {
        const { org, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        const unknownSid = twilioSid();
        const fields = twilioFormFixture('twilio-status-failed-21610', {
          SmsSid: unknownSid,
          MessageSid: unknownSid,
          To: alice,
          From: ours,
          AccountSid: ACCOUNT_SID,
        });
        expect((await postSigned(h, status, fields)).status).toBe(200);
        expect((await h.record(org, n)).optedOut).toBe(true);
        const again = await reply(org, n, 'Hello?');
        expect(again.body.error.code).toBe('opted_out');
      });

      it('a failed status callback with another error (30003) leaves the contact subscribed', async () => {
        const { org, number, inbound, status } = await setup();
        const n = await lockedCase(org, inbound);
        await reply(org, n, 'Call us back');
        const sent = await sentWith(number, 'Body', `Call us back #${n}`);
        await waitForStatus(org, n, 'sent');
        const fields = twilioFormFixture('twilio-status-failed-21610', {
          SmsSid: sent.id,
          MessageSid: sent.id,
          To: alice,
          From: ours,
          AccountSid: ACCOUNT_SID,
          ErrorCode: '30003',
        });
        expect((await postSigned(h, status, fields)).status).toBe(200);
        expect(await h.record(org, n)).toMatchObject({ optedOut: false });
      });

      it('another permanent Twilio error (21211) fails the reply with its reason and leaves the contact subscribed', async () => {
        const { org, inbound } = await setup();
        const n = await lockedCase(org, inbound);
        fake.failNext(1, twilioError(400, 21211, "The 'To' number is not a valid phone number."));
        await reply(org, n, 'One more thing');
        await waitForStatus(org, n, 'failed');
        const record = await h.record(org, n);
        expect(record.messages.at(-1).error).toEqual({ code: '21211', message: 'The number is not a valid phone number (21211)' });
        expect(record.optedOut).toBe(false);
      });

      it('an outage at Twilio (HTTP 500) is retried, and the reply then goes out once', async () => {
        const { org, number, inbound } = await setup();
        const n = await lockedCase(org, inbound);
        fake.failNext(1, '500');
        const before = fake.requests.length;
        const res = await reply(org, n, 'Sorry for the wait');
        await waitForStatus(org, n, 'sent');
        expect(fake.requests.length - before).toBe(2);
        expect(fake.sent.filter((s) => s.body.StatusCallback === number.webhooks.status)).toHaveLength(1);
        const outbox = await h
          .caseline()
          .db.kysely.selectFrom('outbox')
          .select(['state', 'attempts'])
          .where('message_id', '=', res.body.id)
          .executeTakeFirstOrThrow();
        expect(outbox).toEqual({ state: 'done', attempts: 2 });
      });

      if (channel === 'whatsapp') {
        it('a shared location (empty Body, Latitude and Longitude) is stored as its label, address and a map link', async () => {
          const { org, inbound } = await setup();
          const fields = twilioFormFixture('twilio-whatsapp-location', { From: alice, To: ours, AccountSid: ACCOUNT_SID });
          expect((await postSigned(h, inbound, fields)).status).toBe(200);
          const [only] = await h.records(org);
          expect(await h.conversation(org, only!.caseNumber)).toEqual([
            'Location: Citizens Advice Westminster, Trafalgar Square, London WC2N 5DN\n' +
              'https://www.openstreetmap.org/?mlat=51.5072178&mlon=-0.1275862#map=17/51.5072178/-0.1275862',
          ]);
        });

        it("outside the 24-hour window free text is refused, and the number's content template goes out instead", async () => {
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
          const sent = await sentWith(number, 'ContentSid', TEMPLATE.name);
          expect(sent.body).toEqual({
            To: alice,
            From: ours,
            ContentSid: TEMPLATE.name,
            ContentVariables: JSON.stringify({ 1: `We have news about your case #${n}` }),
            StatusCallback: number.webhooks.status,
          });
          await waitForStatus(org, n, 'sent');
        });
      }
    });
  }

  describe('behind a reverse proxy without PUBLIC_URL', () => {
    const proxied = useCaseline(dialect, {
      config: { publicUrl: null },
      providers: () => createProviderRegistry({ twilio: fake.url, vonage: UNUSED_API, whatsapp: UNUSED_API, africastalking: UNUSED_API }),
    });

    it('the signature is checked against the URL from X-Forwarded-Proto and X-Forwarded-Host', async () => {
      const org = await proxied.newOrg();
      const number = await addTwilioNumber(proxied, org, 'sms');
      const path = pathOf(number.webhooks.inbound);
      const fields = twilioInboundFields({ from: '+447700900123', to: '+447700900001', text: 'via the proxy', accountSid: ACCOUNT_SID });
      const signedUrl = `https://cases.example.org${path}`;
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cases.example.org' };

      const direct = await postSigned(proxied, path, fields, { signedUrl });
      expect(direct.status).toBe(403);
      const wrongHost = await postSigned(proxied, path, fields, {
        signedUrl,
        headers: { ...forwarded, 'x-forwarded-host': 'other.example.org' },
      });
      expect(wrongHost.status).toBe(403);
      expect(await proxied.records(org)).toEqual([]);

      const res = await postSigned(proxied, path, fields, { signedUrl, headers: forwarded });
      expect(res.status).toBe(200);
      const [only] = await proxied.records(org);
      expect(await proxied.conversation(org, only!.caseNumber)).toEqual(['via the proxy']);
    });
  });
});
