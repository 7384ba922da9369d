import { beforeAll, afterAll, expect, it } from 'vitest';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { describeEachDialect } from '../support/dialects.js';
import { startFakeTwilio, twilioError, type FakeTwilio } from '../support/fake-twilio.js';
import { useCaseline } from '../support/harness.js';
import { addTwilioNumber, queueReplies } from '../support/twilio-number.js';

/** The durable outbox (DESIGN.md §3) against a fake Twilio that fails on demand. */
describeEachDialect('the outbox', (dialect) => {
  let twilio: FakeTwilio;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
  });
  afterAll(async () => {
    await twilio.close();
  });
  const h = useCaseline(dialect, {
    providers: () =>
      createProviderRegistry(
        { twilio: twilio.url, vonage: twilio.url, whatsapp: twilio.url, africastalking: twilio.url },
        { timeoutMs: 300 },
      ),
    startOutbox: true,
    outbox: { pollMs: 20, backoffBaseMs: 10, backoffCapMs: 100, maxAttempts: 40 },
  });

  const messages = (ids: string[]) =>
    h
      .caseline()
      .db.kysely.selectFrom('messages')
      .select(['id', 'body', 'status', 'provider_message_id', 'error_code', 'error_text'])
      .where('id', 'in', ids)
      .execute();
  const sentBodies = () => twilio.sent.map((s) => s.body.Body);

  it('with half the sends failing (500, 429, timeouts) every message is eventually sent exactly once', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org);
    const firstSend = twilio.sent.length;
    twilio.failRatio(0.5, [
      '500',
      { status: 429, body: { code: 20429, message: 'Too Many Requests' }, headers: { 'retry-after': '0' } },
      'timeout',
    ]);
    try {
      const ids = await queueReplies(h, org, numberId, 30);
      await expect
        .poll(async () => (await messages(ids)).filter((m) => m.status === 'sent').length, { timeout: 40_000, interval: 200 })
        .toBe(30);
      const bodies = sentBodies().slice(firstSend);
      for (const m of await messages(ids)) {
        expect(
          bodies.filter((b) => b === m.body),
          m.body,
        ).toHaveLength(1);
        expect(twilio.sent.find((s) => s.body.Body === m.body)?.id).toBe(m.provider_message_id);
      }
      // The failures really happened: the fake saw more requests than it accepted.
      expect(twilio.requests.length).toBeGreaterThan(twilio.sent.length);
    } finally {
      twilio.failRatio(0);
    }
  }, 60_000);

  it('a permanent error fails the message at once with the reason, without retries', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org);
    const before = twilio.requests.length;
    twilio.failNext(1, twilioError(400, 21211, "The 'To' number +447700900300 is not a valid phone number."));
    const [id] = await queueReplies(h, org, numberId, 1);
    await expect.poll(async () => (await messages([id!]))[0]!.status, { timeout: 10_000 }).toBe('failed');
    const [message] = await messages([id!]);
    expect(message!.error_code).toBe('21211');
    expect(message!.error_text).toMatch(/not a valid phone number/i);
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.requests.length - before).toBe(1);
    const outbox = await h
      .caseline()
      .db.kysely.selectFrom('outbox')
      .select(['state', 'attempts'])
      .where('message_id', '=', id!)
      .executeTakeFirstOrThrow();
    expect(outbox).toEqual({ state: 'failed', attempts: 1 });
  });

  it('a failed message can be retried and is then sent', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org);
    twilio.failNext(1, twilioError(400, 21612, 'The To phone number is not currently reachable via SMS.'));
    const [id] = await queueReplies(h, org, numberId, 1);
    await expect.poll(async () => (await messages([id!]))[0]!.status, { timeout: 10_000 }).toBe('failed');
    const caseNumber = (await h.records(org))[0]!.caseNumber;
    const retried = await h.request('POST', `/api/v1/records/${caseNumber}/messages/${id}/retry`, { token: org.admin.token });
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('queued');
    await expect.poll(async () => (await messages([id!]))[0]!.status, { timeout: 10_000 }).toBe('sent');
    const notFailed = await h.request('POST', `/api/v1/records/${caseNumber}/messages/${id}/retry`, { token: org.admin.token });
    expect(notFailed.status).toBe(400);
    expect(notFailed.body.error.code).toBe('not_retryable');
  });

  it('an opted-out answer from the provider (21610) fails the send and marks the contact opted out', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org);
    twilio.failNext(1, twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    const [id] = await queueReplies(h, org, numberId, 1);
    await expect.poll(async () => (await messages([id!]))[0]!.status, { timeout: 10_000 }).toBe('failed');
    const caseNumber = (await h.records(org))[0]!.caseNumber;
    expect((await h.record(org, caseNumber)).optedOut).toBe(true);
  });

  it('the per-number send rate holds: no more than the rate start in any second', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org, { sendRatePerSecond: 5 });
    const ids = await queueReplies(h, org, numberId, 12);
    await expect.poll(async () => (await messages(ids)).filter((m) => m.status === 'sent').length, { timeout: 20_000 }).toBe(12);
    const sids = new Set((await messages(ids)).map((m) => m.provider_message_id));
    const times = twilio.sent
      .filter((s) => sids.has(s.id))
      .map((s) => s.receivedAt)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(12);
    // Starts are 200 ms apart, so any 6 consecutive sends span at least a second (less a
    // little for the network between the worker and the fake).
    for (let i = 0; i + 5 < times.length; i++) expect(times[i + 5]! - times[i]!).toBeGreaterThanOrEqual(900);
  }, 30_000);

  it('a delivery report that arrives before the send is recorded is applied once it is', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org);
    const loaded = await h.caseline().services.inbound.routable(numberId);
    // As if the provider reported delivery for a send the worker has not recorded yet.
    await h.caseline().services.inbound.applyStatus(loaded, { providerMessageId: 'SMearly', status: 'delivered' });
    expect(
      await h.caseline().db.kysely.selectFrom('early_statuses').select('status').where('provider_message_id', '=', 'SMearly').execute(),
    ).toHaveLength(1);
    const [id] = await queueReplies(h, org, numberId, 1);
    await expect.poll(async () => (await messages([id!]))[0]!.status, { timeout: 10_000 }).toBe('sent');
    const sid = (await messages([id!]))[0]!.provider_message_id!;
    await h.caseline().services.inbound.applyStatus(loaded, { providerMessageId: sid, status: 'delivered' });
    expect((await messages([id!]))[0]!.status).toBe('delivered');
  });
});
