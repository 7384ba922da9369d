import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import type { DatabaseConfig } from '../../src/config.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { deliverWebhook } from '../support/fake-server.js';
import { signTwilioWebhook, startFakeTwilio, twilioInboundFields, type FakeTwilio } from '../support/fake-twilio.js';
import { STATUS_QUESTIONS } from '../support/harness.js';
import { apiToken, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { twilioCredentials } from '../support/twilio-number.js';

const COUNT = 30;

/**
 * A server killed with SIGKILL in the middle of sending, then restarted: every reply is
 * still sent, and no send the provider confirmed (and we recorded) is sent again.
 */
describeEachDialect('the outbox across a crash', (dialect) => {
  const ADMIN = { email: 'admin@example.org', password: 'correct-horse-battery' };
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let twilio: FakeTwilio;
  let server: ServerProcess | null = null;
  let env: Record<string, string>;
  let port = 0;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-crash-'));
    database = await freshDatabase(dialect, dir);
    twilio = await startFakeTwilio();
    port = await freePort();
    env = {
      DATABASE_URL: database.config.dialect === 'pg' ? database.config.url : `sqlite:${database.config.path}`,
      CASELINE_DATA_DIR: dir,
      CASELINE_SECRET_KEY: 'crash-test-secret-key-long-enough-000001',
      CASELINE_ADMIN_EMAIL: ADMIN.email,
      CASELINE_ADMIN_PASSWORD: ADMIN.password,
      CASELINE_TWILIO_API_URL: twilio.url,
      CASELINE_OUTBOX_CLAIM_SECONDS: '2',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    server = await startServerProcess(env, { port });
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await db?.close();
    await twilio?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL mid-run, restart: everything is sent, nothing recorded as sent is sent again', async () => {
    const token = await apiToken(server!.url, ADMIN.email, ADMIN.password);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server!.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    };
    const survey = await call('POST', '/surveys', {
      name: 'Helpline',
      questions: STATUS_QUESTIONS,
      caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
    });
    const credentials = twilioCredentials();
    const number = await call('POST', '/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: '+447700900001',
      surveyId: survey.body.id,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: 10,
      credentials,
    });
    expect(number.status).toBe(201);

    // Cases come in through signed Twilio webhooks; each gets a reply.
    for (let i = 0; i < COUNT; i++) {
      const fields = twilioInboundFields({
        from: `+4477009004${String(i).padStart(2, '0')}`,
        to: '+447700900001',
        text: `help ${i}`,
        accountSid: credentials.accountSid,
      });
      const delivered = await deliverWebhook(
        number.body.webhooks.inbound,
        signTwilioWebhook(number.body.webhooks.inbound, fields, credentials.authToken),
      );
      expect(delivered.status).toBe(200);
    }
    const records = (await call('GET', `/surveys/${survey.body.id}/records?limit=200`)).body.items as Array<{ caseNumber: number }>;
    expect(records).toHaveLength(COUNT);
    for (const r of records) {
      await call('POST', `/records/${r.caseNumber}/lock`);
      expect(
        (await call('POST', `/records/${r.caseNumber}/notifications`, { target: 'conversation', text: `reply to ${r.caseNumber}` })).status,
      ).toBe(202);
    }

    // At 10 sends a second this takes 3 s; kill the server part of the way through.
    await expect.poll(() => twilio.sent.length, { timeout: 15_000, interval: 20 }).toBeGreaterThanOrEqual(8);
    await server!.stop('SIGKILL');
    const confirmed = await db.kysely
      .selectFrom('messages')
      .select(['body', 'provider_message_id'])
      .where('direction', '=', 'out')
      .where('provider_message_id', 'is not', null)
      .execute();
    const inFlight = await db.kysely.selectFrom('outbox').select('id').where('state', '=', 'sending').execute();
    expect(confirmed.length).toBeLessThan(COUNT);

    server = await startServerProcess(env, { port });
    await expect
      .poll(
        async () =>
          (await db.kysely.selectFrom('messages').select('id').where('direction', '=', 'out').where('status', '=', 'sent').execute())
            .length,
        { timeout: 30_000, interval: 200 },
      )
      .toBe(COUNT);

    const bodies = twilio.sent.map((s) => s.body.Body);
    for (const { body, provider_message_id } of confirmed) {
      expect(
        bodies.filter((b) => b === body),
        body,
      ).toHaveLength(1);
      expect(twilio.sent.find((s) => s.body.Body === body)!.id).toBe(provider_message_id);
    }
    const outbound = await db.kysely.selectFrom('messages').select('body').where('direction', '=', 'out').execute();
    for (const { body } of outbound) expect(bodies, body).toContain(body);
    // Only a send in flight at the moment of the kill (accepted by the provider, not yet
    // recorded) can have gone out twice.
    expect(bodies.length - COUNT).toBeLessThanOrEqual(inFlight.length);
  }, 90_000);
});
