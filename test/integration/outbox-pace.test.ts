import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { describeEachDialect } from '../support/dialects.js';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.js';
import { useCaseline, type Harness } from '../support/harness.js';
import { addTwilioNumber, queueReplies } from '../support/twilio-number.js';

/**
 * How the outbox paces a number's sends when the provider takes time to answer, as a real
 * API does: sends start at their slots without waiting for earlier answers, and one
 * person's replies still go out one at a time, in the order written. The worker is driven
 * round by round (`runOnce`) so each test sees what one round does.
 */
function useSlowTwilio(dialect: 'sqlite' | 'pg', batchSize: number) {
  let twilio: FakeTwilio;
  const starts = new Map<string, number>();
  beforeAll(async () => {
    twilio = await startFakeTwilio();
  });
  afterEach(() => twilio.answerAfter(0));
  afterAll(async () => {
    await twilio.close();
  });
  const h = useCaseline(dialect, {
    providers: () => {
      const registry = createProviderRegistry(
        { twilio: twilio.url, vonage: twilio.url, whatsapp: twilio.url, africastalking: twilio.url },
        { timeoutMs: 5000 },
      );
      const adapter = registry.twilio!;
      registry.twilio = {
        ...adapter,
        send: (message, number) => {
          starts.set(message.messageId, Date.now());
          return adapter.send(message, number);
        },
      };
      return registry;
    },
    outbox: { batchSize, pollMs: 50 },
  });
  /** When the worker handed each of these messages to the provider's client, in order. */
  const startTimes = (ids: string[]) => ids.flatMap((id) => (starts.has(id) ? [starts.get(id)!] : [])).sort((a, b) => a - b);
  return { h, twilio: () => twilio, startTimes };
}

/**
 * The pace is the worker's: it starts one send per interval. Arrival times at the fake are
 * not a measure of it, because the fake shares the test's process: on a busy machine two
 * requests started 50 ms apart can be read by the fake's event loop in one turn.
 */
function expectPaced(times: number[], intervalMs: number) {
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `start ${i}`).toBeGreaterThanOrEqual(intervalMs - 1);
}

/** Sends the fake accepted for these message ids, in the order they arrived. */
async function arrivals(h: Harness, twilio: FakeTwilio, ids: string[]) {
  const sent = await h.caseline().db.kysely.selectFrom('messages').select(['provider_message_id']).where('id', 'in', ids).execute();
  const sids = new Set(sent.map((m) => m.provider_message_id));
  return twilio.sent.filter((s) => sids.has(s.id)).sort((a, b) => a.receivedAt - b.receivedAt);
}

describeEachDialect('the outbox against a slow provider', (dialect) => {
  const { h, twilio, startTimes } = useSlowTwilio(dialect, 50);

  it("a number's sends start at their slots without waiting for the answers to earlier ones", async () => {
    const org = await h.newOrg();
    // 2 a second: slots 500 ms apart, and a send more than 250 ms late is given back. Each
    // answer takes 1,000 ms, so a send that waited for the previous answer would start
    // 500 ms after its slot and be given back. (Wide margins: on a busy machine a timer can
    // fire a hundred milliseconds late, which must not fail this test.)
    const numberId = await addTwilioNumber(h, org, { sendRatePerSecond: 2 });
    const ids = await queueReplies(h, org, numberId, 5);
    twilio().answerAfter(1000);
    const round = await h.caseline().outbox.runOnce();
    // The one-second horizon books the slots at 0, 500 and 1,000 ms: three sends.
    expect(round.claimed).toBeGreaterThanOrEqual(3);
    expect(round).toMatchObject({ sent: round.claimed, retried: 0, failed: 0 });
    expect(await arrivals(h, twilio(), ids)).toHaveLength(round.claimed);
    // The pace still holds: each send started a full interval after the one before.
    const times = startTimes(ids);
    expect(times).toHaveLength(round.claimed);
    expectPaced(times, 500);
  }, 30_000);
});

/** Five replies to one person, in the order written; returns their message ids. */
async function fiveRepliesToOnePerson(h: Harness, numberId: string, token: string): Promise<string[]> {
  const loaded = await h.caseline().services.inbound.routable(numberId);
  const contact = '+447700900411';
  const { caseNumbers } = await h
    .caseline()
    .services.inbound.receive(
      loaded,
      { providerMessageId: `SM${randomUUID().replaceAll('-', '')}`, from: contact, text: 'help', media: [] },
      contact,
    );
  const caseNumber = caseNumbers[0]!;
  await h.request('POST', `/api/v1/records/${caseNumber}/lock`, { token });
  const ids: string[] = [];
  for (const text of ['first', 'second', 'third', 'fourth', 'fifth']) {
    const reply = await h.request('POST', `/api/v1/records/${caseNumber}/notifications`, { token, body: { target: 'conversation', text } });
    expect(reply.status).toBe(202);
    ids.push(reply.body.id);
  }
  return ids;
}

/**
 * Runs rounds until every reply went out, then checks they reached the provider in the
 * order written, none while the previous one was still waiting for its answer, and that
 * being given back was never counted as an attempt.
 */
async function expectSentOneAtATimeInOrder(h: Harness, twilio: FakeTwilio, ids: string[], answerMs: number) {
  for (let round = 0; round < 30 && (await arrivals(h, twilio, ids)).length < ids.length; round++) {
    await h.caseline().outbox.runOnce();
  }
  const sent = await arrivals(h, twilio, ids);
  expect(sent.map((s) => s.body.Body?.replace(/ #\d+$/, ''))).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
  for (let i = 1; i < sent.length; i++) expect(sent[i]!.receivedAt - sent[i - 1]!.receivedAt).toBeGreaterThanOrEqual(answerMs - 5);
  const rows = await h.caseline().db.kysely.selectFrom('outbox').select(['state', 'attempts']).where('message_id', 'in', ids).execute();
  expect(rows).toEqual(ids.map(() => ({ state: 'done', attempts: 1 })));
}

describeEachDialect("one person's replies", (dialect) => {
  const { h, twilio } = useSlowTwilio(dialect, 50);

  it('go out one at a time and in order, even when an answer comes back before a later slot', async () => {
    const org = await h.newOrg();
    // Slots 10 ms apart, answers after 25 ms: the second reply's slot comes while the
    // first is out (it is given back), the third's after the answer (it must not go first).
    const numberId = await addTwilioNumber(h, org, { sendRatePerSecond: 100 });
    const ids = await fiveRepliesToOnePerson(h, numberId, org.admin.token);
    twilio().answerAfter(25);
    await expectSentOneAtATimeInOrder(h, twilio(), ids, 25);
  }, 30_000);
});

describeEachDialect("one person's replies, claimed two at a time", (dialect) => {
  const { h, twilio } = useSlowTwilio(dialect, 2);

  it('keep their order when a reply given back meets replies written after it', async () => {
    const org = await h.newOrg();
    const numberId = await addTwilioNumber(h, org, { sendRatePerSecond: 100 });
    const ids = await fiveRepliesToOnePerson(h, numberId, org.admin.token);
    // The second reply of each claim is given back while the first is out; the next claim
    // must take it before the replies written after it.
    twilio().answerAfter(100);
    await expectSentOneAtATimeInOrder(h, twilio(), ids, 100);
  }, 30_000);
});

describeEachDialect('the running outbox against a slow provider', (dialect) => {
  const { h, twilio, startTimes } = useSlowTwilio(dialect, 5);

  it("starts the next round while the last round's sends wait for their answers", async () => {
    const org = await h.newOrg();
    twilio().answerAfter(500);
    // Claims of five at 20 a second: a round's slots span 200 ms, its answers take 500 ms.
    const numberId = await addTwilioNumber(h, org, { sendRatePerSecond: 20 });
    const ids = await queueReplies(h, org, numberId, 15);
    h.caseline().outbox.start();
    await expect.poll(async () => (await arrivals(h, twilio(), ids)).length, { timeout: 20_000, interval: 100 }).toBe(15);
    const arrived = await arrivals(h, twilio(), ids);
    // Between rounds (after the 5th and the 10th send) the next send reached the provider
    // before the provider had answered the previous one: the worker did not wait for it.
    for (const next of [5, 10]) expect(arrived[next]!.receivedAt).toBeLessThan(arrived[next - 1]!.receivedAt + 500);
    // And the pace held across rounds.
    const times = startTimes(ids);
    expect(times).toHaveLength(15);
    expectPaced(times, 50);
  }, 30_000);
});
