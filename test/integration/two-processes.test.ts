import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signSandboxBody } from '../../src/providers/sandbox.js';
import { deliverWebhook } from '../support/fake-server.js';
import { signTwilioWebhook, startFakeTwilio, twilioInboundFields, type FakeTwilio } from '../support/fake-twilio.js';
import { twilioCredentials } from '../support/twilio-number.js';
import { describePostgres, freshDatabase } from '../support/dialects.js';
import { STATUS_QUESTIONS } from '../support/harness.js';
import { apiToken, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Rule 7 across processes: two Caseline servers share one PostgreSQL, as behind a load
 * balancer, and a burst of first messages from one person split between them makes one case.
 */
describePostgres('two server processes on one PostgreSQL', () => {
  const ADMIN = { email: 'admin@example.org', password: 'correct-horse-battery' };
  const servers: ServerProcess[] = [];
  let drop: () => Promise<void> = async () => {};
  let dir = '';
  let token = '';
  let webhookPath = '';
  let surveyId = '';
  const secret = `secret-${randomUUID()}`;
  let twilio: FakeTwilio;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-2p-'));
    const database = await freshDatabase('pg', dir);
    drop = database.drop;
    if (database.config.dialect !== 'pg') throw new Error('expected PostgreSQL');
    twilio = await startFakeTwilio();
    const env = {
      CASELINE_TWILIO_API_URL: twilio.url,
      DATABASE_URL: database.config.url,
      CASELINE_DATA_DIR: dir,
      CASELINE_SECRET_KEY: 'shared-secret-key-for-both-processes-0001',
      CASELINE_ADMIN_EMAIL: ADMIN.email,
      CASELINE_ADMIN_PASSWORD: ADMIN.password,
    };
    // The first process creates the admin; the second finds it there.
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    token = await apiToken(servers[0]!.url, ADMIN.email, ADMIN.password);
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`${servers[1]!.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; webhooks: { inbound: string } };
    };
    surveyId = (
      await call('/api/v1/surveys', {
        name: 'Helpline',
        questions: STATUS_QUESTIONS,
        caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
      })
    ).id;
    webhookPath = new URL(
      (
        await call('/api/v1/numbers', {
          provider: 'sandbox',
          channel: 'sms',
          ourNumber: '+447700900000',
          surveyId,
          theirNumberQuestion: 'phone',
          conversationQuestion: 'conversation',
          credentials: { webhookSecret: secret },
        })
      ).webhooks.inbound,
    ).pathname;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await twilio?.close();
    await drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('50 concurrent first messages from one contact, split across both servers, make exactly one case', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const raw = JSON.stringify({ id: `burst-${i}`, from: '+447700900123', text: `burst ${i}` });
        const res = await fetch(`${servers[i % 2]!.url}${webhookPath}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-caseline-signature': signSandboxBody(secret, raw) },
          body: raw,
        });
        return res.status;
      }),
    );
    expect(results).toEqual(Array(50).fill(200));
    const list = await fetch(`${servers[0]!.url}/api/v1/surveys/${surveyId}/records?status=all`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { items } = (await list.json()) as { items: Array<{ caseNumber: number }> };
    expect(items).toHaveLength(1);
    const record = await fetch(`${servers[1]!.url}/api/v1/records/${items[0]!.caseNumber}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await record.json()) as { messages: unknown[] }).messages).toHaveLength(50);
  });

  it('the same webhook delivered to both servers at once is stored once', async () => {
    const raw = JSON.stringify({ id: 'twice', from: '+447700900555', text: 'delivered twice' });
    const headers = { 'content-type': 'application/json', 'x-caseline-signature': signSandboxBody(secret, raw) };
    const statuses = await Promise.all(
      servers.flatMap((s) =>
        [1, 2, 3].map(() => fetch(`${s.url}${webhookPath}`, { method: 'POST', headers, body: raw }).then((r) => r.status)),
      ),
    );
    expect(statuses).toEqual(Array(6).fill(200));
    const list = await fetch(`${servers[0]!.url}/api/v1/surveys/${surveyId}/records?status=all&contact=%2B447700900555`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { items } = (await list.json()) as { items: Array<{ caseNumber: number }> };
    expect(items).toHaveLength(1);
  });

  it("both servers send from one outbox: every reply goes out exactly once, at the number's shared pace", async () => {
    const api = async (server: ServerProcess, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    };
    const credentials = twilioCredentials();
    const number = await api(servers[0]!, 'POST', '/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: '+447700900001',
      surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: 20,
      credentials,
    });
    expect(number.status).toBe(201);
    // The webhook URL names servers[0]'s port; the signature covers the URL that was called.
    const count = 40;
    for (let i = 0; i < count; i++) {
      const server = servers[i % 2]!;
      const url = `${server.url}${new URL(number.body.webhooks.inbound).pathname}`;
      const fields = twilioInboundFields({
        from: `+4477009005${String(i).padStart(2, '0')}`,
        to: '+447700900001',
        text: `help ${i}`,
        accountSid: credentials.accountSid,
      });
      expect((await deliverWebhook(url, signTwilioWebhook(url, fields, credentials.authToken))).status).toBe(200);
    }
    const list = await api(servers[0]!, 'GET', `/surveys/${surveyId}/records?limit=200&q=help`);
    const cases = (list.body.items as Array<{ caseNumber: number }>).map((r) => r.caseNumber);
    expect(cases).toHaveLength(count);
    const firstSend = twilio.sent.length;
    await Promise.all(
      cases.map(async (n, i) => {
        const server = servers[i % 2]!;
        await api(server, 'POST', `/records/${n}/lock`);
        expect((await api(server, 'POST', `/records/${n}/notifications`, { target: 'conversation', text: `answer for ${n}` })).status).toBe(
          202,
        );
      }),
    );
    await expect.poll(() => twilio.sent.length - firstSend, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(count);
    await new Promise((r) => setTimeout(r, 500));
    const sent = twilio.sent.slice(firstSend);
    const bodies = sent.map((s) => s.body.Body);
    expect(new Set(bodies).size).toBe(count);
    expect(bodies).toHaveLength(count);
    const times = sent.map((s) => s.receivedAt).sort((a, b) => a - b);
    // 21 starts at 20 a second span a second; two processes each pacing alone would span
    // half that. The fake sees arrivals, not starts: a server process the machine starves
    // for a moment after starting a send lets it leave late, beside the other process's
    // next one, so the bound sits between the shared pace and two separate ones
    // (docs/decisions.md, "Tests on a busy machine").
    for (let i = 0; i + 20 < times.length; i++) expect(times[i + 20]! - times[i]!).toBeGreaterThanOrEqual(750);
  }, 60_000);
});
