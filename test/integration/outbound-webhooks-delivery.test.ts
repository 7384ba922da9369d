import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCaseline } from '../../src/server.js';
import { DELIVERY_LOG_DAYS, DELIVERY_SCHEDULE } from '../../src/services/outbound-webhooks/deliver-job.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';
import { expectSigned, outboundWebhookKit } from '../support/outbound-webhook-kit.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const HOUR = 60 * 60_000;

/**
 * Outbound webhook delivery is durable (DESIGN.md "Durable by construction"): a receiver
 * that fails is tried again with backoff until it answers 2xx or the attempts run out; each
 * attempt is in the log; the address is checked again when sending.
 */
describeEachDialect('outbound webhook delivery', (dialect) => {
  let clock = Date.now();
  const h = useCaseline(dialect, { now: () => clock, config: { webhooksAllowPrivate: true } });
  const { subscribe, runDueJobs, deliveries, ping } = outboundWebhookKit(h);
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.stop());
  let pathSeq = 0;
  const newPath = () => `/delivery/${++pathSeq}`;

  /** Lets the longest backoff pass, then runs what is due. */
  async function later(): Promise<void> {
    clock += DELIVERY_SCHEDULE.backoff.capMs + HOUR;
    await runDueJobs();
  }

  it('a failing receiver is tried again with backoff (500, reset, timeout, refused) until it answers', async () => {
    const settings = h.caseline().services.outboundWebhooks.settings;
    const timeoutBefore = settings.timeoutMs;
    settings.timeoutMs = 300;
    try {
      const org = await h.newOrg();
      const path = newPath();
      const id = await subscribe(org, receiver.url(path));
      receiver.answerNext(500, 'reset', 'hang');
      const deliveryId = await ping(org, id);
      await runDueJobs();
      expect((await deliveries(org, id))[0]).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500 });
      // Not again at once: the next attempt waits at least half the first backoff.
      const job = await h.caseline().db.kysely.selectFrom('jobs').select('due_at').where('id', '=', deliveryId).executeTakeFirstOrThrow();
      expect(Number(job.due_at)).toBeGreaterThanOrEqual(clock + DELIVERY_SCHEDULE.backoff.baseMs / 2);
      await runDueJobs();
      expect((await deliveries(org, id))[0]!.attempts).toBe(1);

      await later(); // reset
      await later(); // hang: the deadline ends it
      await receiver.stop();
      await later(); // refused
      await receiver.start();
      await later();
      const [logged] = await deliveries(org, id);
      expect(logged).toMatchObject({ state: 'delivered', attempts: 5, lastStatus: 200, lastError: null });
      expect(logged!.attemptLog.map((a) => a.statusCode)).toEqual([500, null, null, null, 200]);
      expect(logged!.attemptLog.map((a) => a.error)).toEqual([
        null,
        'connection reset',
        'timeout: no answer within 300 ms',
        'connection refused',
        null,
      ]);
      const [webhook, ...more] = receiver.at(path);
      expect(more).toEqual([]);
      expectSigned(webhook!);
      expect(webhook!.json.id).toBe(deliveryId);
    } finally {
      settings.timeoutMs = timeoutBefore;
    }
  });

  it(`gives up after ${DELIVERY_SCHEDULE.maxAttempts} attempts: the delivery is failed in the log`, async () => {
    const org = await h.newOrg();
    const path = newPath();
    const id = await subscribe(org, receiver.url(path));
    receiver.answerNext(...Array<number>(DELIVERY_SCHEDULE.maxAttempts).fill(503));
    await ping(org, id);
    await runDueJobs();
    for (let i = 1; i < DELIVERY_SCHEDULE.maxAttempts; i++) await later();
    const [logged] = await deliveries(org, id);
    expect(logged).toMatchObject({ state: 'failed', attempts: DELIVERY_SCHEDULE.maxAttempts, lastStatus: 503 });
    expect(logged!.attemptLog).toHaveLength(DELIVERY_SCHEDULE.maxAttempts);
    await later();
    expect(receiver.at(path)).toEqual([]);
    expect((await deliveries(org, id))[0]!.attempts).toBe(DELIVERY_SCHEDULE.maxAttempts);
  });

  it('410 Gone fails the delivery at once; the subscription stays', async () => {
    const org = await h.newOrg();
    const id = await subscribe(org, receiver.url(newPath()));
    receiver.answerNext(410);
    await ping(org, id);
    await runDueJobs();
    await later();
    expect((await deliveries(org, id))[0]).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 410 });
    expect((await h.request('GET', '/api/v1/outbound-webhooks', { token: org.admin.token })).body.items).toHaveLength(1);
  });

  it('the address is checked again when sending: private addresses refused once they are no longer allowed', async () => {
    const settings = h.caseline().services.outboundWebhooks.settings;
    const org = await h.newOrg();
    const path = newPath();
    const id = await subscribe(org, receiver.url(path));
    settings.allowPrivate = false;
    try {
      await ping(org, id);
      await runDueJobs();
    } finally {
      settings.allowPrivate = true;
    }
    const [logged] = await deliveries(org, id);
    expect(logged).toMatchObject({ state: 'failed', attempts: 1, lastStatus: null });
    expect(logged!.lastError).toMatch(/^webhook_address_not_allowed/);
    expect(receiver.at(path)).toEqual([]);
  });

  it(`the log keeps ${DELIVERY_LOG_DAYS} days of deliveries`, async () => {
    const org = await h.newOrg();
    const id = await subscribe(org, receiver.url(newPath()));
    const old = await ping(org, id);
    await runDueJobs();
    clock += (DELIVERY_LOG_DAYS + 1) * 24 * HOUR;
    const recent = await ping(org, id);
    await runDueJobs();
    expect((await deliveries(org, id)).map((d) => d.id)).toEqual([recent]);
    const attempts = await h
      .caseline()
      .db.kysely.selectFrom('outbound_webhook_attempts')
      .select('id')
      .where('delivery_id', '=', old)
      .execute();
    expect(attempts).toEqual([]);
  });

  it('a delivery queued before a process stops is delivered by the next process', async () => {
    const org = await h.newOrg();
    const path = newPath();
    const id = await subscribe(org, receiver.url(path));
    const deliveryId = await ping(org, id);
    // This process never runs its jobs; another one, started on the same database, does.
    const next = await createCaseline(h.caseline().config, { now: () => clock, ingestThread: false });
    try {
      for (let round = 0; round < 10; round++) if ((await next.jobs.runOnce()) === 0) break;
    } finally {
      await next.close();
    }
    expect(receiver.at(path).map((w) => w.json.id)).toEqual([deliveryId]);
    expect((await deliveries(org, id))[0]).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});
