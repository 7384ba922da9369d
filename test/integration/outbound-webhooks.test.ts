import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';
import { ALL_EVENTS, RECEIVER_SECRET, expectSigned, outboundWebhookKit } from '../support/outbound-webhook-kit.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Outbound webhooks (DESIGN.md §10, §13): each change reaches the organisation's
 * subscribers once, signed, carrying identifiers and states but never content; the API is
 * an admin's and an organisation's own.
 */
describeEachDialect('outbound webhooks', (dialect) => {
  const clock = Date.now();
  // The receiver listens on 127.0.0.1: these tests allow private addresses.
  const h = useCaseline(dialect, { now: () => clock, config: { webhooksAllowPrivate: true } });
  const { subscribe, runDueJobs, deliveries, ping } = outboundWebhookKit(h);
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.stop());

  const ALICE = '+447700900123';
  let pathSeq = 0;
  const newPath = () => `/hooks/${++pathSeq}`;
  const post = (org: TestOrg, url: string, body?: unknown) => h.request('POST', `/api/v1${url}`, { token: org.admin.token, body });

  it('each event reaches the subscriber once, signed, with identifiers and states but no content', async () => {
    const org = await h.newOrg();
    const path = newPath();
    await subscribe(org, receiver.url(path));
    await h.text(org, ALICE, 'My landlord cut the heating');
    const n = (await h.records(org))[0]!.caseNumber;
    expect((await post(org, `/records/${n}/lock`)).status).toBe(200);
    expect((await post(org, `/records/${n}/notifications`, { target: 'conversation', text: 'We will call the landlord' })).status).toBe(
      202,
    );
    await h.caseline().outbox.runOnce();
    expect((await post(org, `/records/${n}/close`)).status).toBe(200);
    await runDueJobs();

    const got = receiver.at(path);
    for (const webhook of got) {
      expectSigned(webhook);
      expect(webhook.body).not.toContain('landlord');
      expect(webhook.body).not.toContain('7700900123');
    }
    expect(new Set(got.map((w) => w.json.id)).size).toBe(got.length);
    const [created, ...moreCreated] = receiver.at(path, 'record.created');
    expect(moreCreated).toEqual([]);
    expect(created!.json.data).toEqual({ caseNumber: n, surveyId: org.surveyId, status: 'open' });
    const closed = receiver.at(path, 'record.closed');
    expect(closed.map((w) => w.json.data)).toEqual([{ caseNumber: n, surveyId: org.surveyId, status: 'closed' }]);
    expect(receiver.at(path, 'record.updated').length).toBeGreaterThanOrEqual(2);
    const added = receiver.at(path, 'message.added').map((w) => w.json.data);
    // Deliveries run side by side: receivers order by nothing but their own dedupe on `id`.
    expect(added.map((d) => d.direction).sort()).toEqual(['in', 'out']);
    const reply = added.find((d) => d.direction === 'out')!;
    expect(new Set(added.map((d) => d.messageId)).size).toBe(2);
    for (const data of added) expect(Object.keys(data).sort()).toEqual(['caseNumber', 'direction', 'messageId', 'status', 'surveyId']);
    const statuses = receiver.at(path, 'message.status').map((w) => w.json.data);
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((d) => d.direction === 'out' && d.messageId === reply.messageId)).toBe(true);
  });

  it('an inbound message from a provider webhook reaches the subscriber through the real ingest path', async () => {
    const org = await h.newOrg();
    const path = newPath();
    await subscribe(org, receiver.url(path), ['message.added']);
    const storedBefore = h.caseline().ingestThread?.batchesStored ?? 0;
    expect((await h.text(org, ALICE, 'Hello')).status).toBe(200);
    // On SQLite with a file the message was stored on the ingest thread's own connection.
    if (dialect === 'sqlite') expect(h.caseline().ingestThread!.batchesStored).toBeGreaterThan(storedBefore);
    await runDueJobs();
    const [webhook, ...more] = receiver.at(path, 'message.added');
    expect(more).toEqual([]);
    expectSigned(webhook!);
    expect(webhook!.json.data).toMatchObject({ direction: 'in', status: 'received', surveyId: org.surveyId });
  });

  it('a subscriber hears only the events it chose', async () => {
    const org = await h.newOrg();
    const path = newPath();
    await subscribe(org, receiver.url(path), ['record.closed']);
    await h.text(org, ALICE, 'Hello');
    const n = (await h.records(org))[0]!.caseNumber;
    await post(org, `/records/${n}/lock`);
    await post(org, `/records/${n}/close`);
    await runDueJobs();
    expect(receiver.at(path).map((w) => w.json.event)).toEqual(['record.closed']);
  });

  it('a merge closes the merged case: record.closed for it, record.updated for the case it joined', async () => {
    const org = await h.newOrg();
    const path = newPath();
    await h.text(org, ALICE, 'first matter');
    const n = (await h.records(org))[0]!.caseNumber;
    await post(org, `/records/${n}/lock`);
    const moved = await post(org, `/records/${n}/messages/${(await h.record(org, n)).messages[0].id}/move`, { comment: 'Separate' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    const m = moved.body.caseNumber as number;
    await post(org, `/records/${m}/lock`);
    await subscribe(org, receiver.url(path), ['record.updated', 'record.closed']);
    expect((await post(org, `/records/${m}/merge`, { into: n })).status).toBe(200);
    await runDueJobs();
    const seen = receiver.at(path).map((w) => [w.json.event, w.json.data.caseNumber, w.json.data.status]);
    expect(seen).toHaveLength(3);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['record.closed', m, 'closed'],
        ['record.updated', m, 'closed'],
        ['record.updated', n, 'open'],
      ]),
    );
  });

  it('Send test delivers a ping and the log shows the attempt', async () => {
    const org = await h.newOrg();
    const path = newPath();
    const id = await subscribe(org, receiver.url(path));
    const deliveryId = await ping(org, id);
    await runDueJobs();
    const [webhook] = receiver.at(path, 'ping');
    expectSigned(webhook!);
    expect(webhook!.json).toMatchObject({ id: deliveryId, event: 'ping', data: { webhookId: id } });
    const [logged] = await deliveries(org, id);
    expect(logged).toMatchObject({ id: deliveryId, event: 'ping', state: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    expect(logged!.attemptLog).toMatchObject([{ attempt: 1, statusCode: 200, error: null }]);
  });

  it('the list shows subscriptions and their last delivery, never the secret', async () => {
    const org = await h.newOrg();
    const id = await subscribe(org, receiver.url(newPath()), ['message.status', 'record.created']);
    await ping(org, id);
    const res = await h.request('GET', '/api/v1/outbound-webhooks', { token: org.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toMatchObject([{ id, events: ['record.created', 'message.status'], lastDelivery: { event: 'ping' } }]);
    expect(JSON.stringify(res.body)).not.toContain(RECEIVER_SECRET);
    await runDueJobs();
  });

  it('a subscription is checked: known events, an http(s) URL, a secret of 16 characters or more', async () => {
    const org = await h.newOrg();
    const attempt = (body: object) =>
      post(org, '/outbound-webhooks', { url: receiver.url(), events: ALL_EVENTS, secret: RECEIVER_SECRET, ...body });
    const unknown = await attempt({ events: ['record.created', 'record.deleted'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'webhook_event_unknown', details: { field: 'events' } });
    expect((await attempt({ events: [] })).body.error.code).toBe('validation_failed');
    const short = await attempt({ secret: 'too-short' });
    expect(short.body.error).toMatchObject({ code: 'validation_failed', details: { field: 'secret' } });
    for (const url of ['ftp://example.org/hook', 'not a url', 'http://user:pw@127.0.0.1/hook']) {
      const res = await attempt({ url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.details.field).toBe('url');
    }
  });

  it('deleting a subscription stops its deliveries and removes its log', async () => {
    const org = await h.newOrg();
    const path = newPath();
    const id = await subscribe(org, receiver.url(path));
    await ping(org, id);
    expect((await h.request('DELETE', `/api/v1/outbound-webhooks/${id}`, { token: org.admin.token })).status).toBe(204);
    await h.text(org, ALICE, 'Hello');
    await runDueJobs();
    expect(receiver.at(path)).toEqual([]);
    expect((await h.request('GET', `/api/v1/outbound-webhooks/${id}/deliveries`, { token: org.admin.token })).status).toBe(404);
    expect((await h.request('GET', '/api/v1/outbound-webhooks', { token: org.admin.token })).body.items).toEqual([]);
  });

  it('analysts and viewers get 403; another organisation sees none of it and gets 404', async () => {
    const org = await h.newOrg();
    const path = newPath();
    const id = await subscribe(org, receiver.url(path));
    const other = await h.newOrg();
    for (const role of ['analyst', 'viewer'] as const) {
      const user = await h.addUser(org.orgId, role);
      const calls = [
        h.request('GET', '/api/v1/outbound-webhooks', { token: user.token }),
        h.request('POST', '/api/v1/outbound-webhooks', {
          token: user.token,
          body: { url: receiver.url(), events: ALL_EVENTS, secret: RECEIVER_SECRET },
        }),
        h.request('DELETE', `/api/v1/outbound-webhooks/${id}`, { token: user.token }),
        h.request('GET', `/api/v1/outbound-webhooks/${id}/deliveries`, { token: user.token }),
        h.request('POST', `/api/v1/outbound-webhooks/${id}/test`, { token: user.token }),
      ];
      for (const res of await Promise.all(calls)) expect(res.status, `${role}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    const token = other.admin.token;
    expect((await h.request('GET', '/api/v1/outbound-webhooks', { token })).body.items).toEqual([]);
    expect((await h.request('DELETE', `/api/v1/outbound-webhooks/${id}`, { token })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/outbound-webhooks/${id}/deliveries`, { token })).status).toBe(404);
    expect((await h.request('POST', `/api/v1/outbound-webhooks/${id}/test`, { token })).status).toBe(404);
    // The other organisation's cases never reach this subscriber.
    await h.text(other, ALICE, 'Hello from elsewhere');
    await runDueJobs();
    expect(receiver.at(path)).toEqual([]);
  });

  it('a rolled-back transaction writes no delivery; one committed beside it does', async () => {
    const org = await h.newOrg();
    const id = await subscribe(org, receiver.url(newPath()), ['record.updated', 'record.closed']);
    await h.text(org, ALICE, 'Hello');
    const n = (await h.records(org))[0]!.caseNumber;
    const { db } = h.caseline();
    const event = { type: 'record.updated' as const, orgId: org.orgId, caseNumber: n, surveyId: org.surveyId };
    const [committed, rolledBack] = await Promise.allSettled([
      db.transaction((tx) => {
        tx.publish(event);
        return Promise.resolve();
      }),
      db.transaction((tx) => {
        tx.publish({ ...event, closed: true });
        return Promise.reject(new Error('rolled back'));
      }),
    ]);
    expect(committed.status).toBe('fulfilled');
    expect(rolledBack.status).toBe('rejected');
    const rows = await db.kysely.selectFrom('outbound_webhook_deliveries').select('event').where('webhook_id', '=', id).execute();
    expect(rows.map((r) => r.event)).toEqual(['record.updated']);
    await runDueJobs();
  });
});
