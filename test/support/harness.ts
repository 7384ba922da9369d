import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { readConfig, type Config } from '../../src/config.js';
import type { JobWorkerOptions } from '../../src/jobs/job-worker.js';
import type { OutboxOptions } from '../../src/outbox/outbox-worker.js';
import type { ProviderRegistry } from '../../src/providers/provider.js';
import { signSandboxBody } from '../../src/providers/sandbox.js';
import { createCaseline, type Caseline } from '../../src/server.js';
import { insertUser } from '../../src/services/users.js';
import type { Role } from '../../src/domain/roles.js';
import { freshDatabase, type TestDialect } from './dialects.js';
import { STATUS_QUESTIONS } from './questions.js';

export { STATUS_QUESTIONS };

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  role: Role;
}

/** One organisation set up for a test: its admin, a survey with case management, a sandbox number. */
export interface TestOrg {
  orgId: string;
  admin: TestUser;
  surveyId: string;
  numberId: string;
  /** The path of the number's inbound webhook, from the API's answer (its token, not its id). */
  webhookPath: string;
  webhookSecret: string;
}

/**
 * Starts a real Caseline (database migrated, Fastify app, outbox worker off unless asked)
 * on a fresh database of `dialect` for the test file, and stops it afterwards.
 */
export function useCaseline(
  dialect: TestDialect,
  options: {
    /** A registry, or a function called once the test file's own `beforeAll`s (fake servers) ran. */
    providers?: ProviderRegistry | (() => ProviderRegistry);
    outbox?: Partial<OutboxOptions>;
    startOutbox?: boolean;
    /** Start the job worker (media fetches); off unless asked, like the outbox. */
    startJobs?: boolean;
    jobs?: Partial<JobWorkerOptions>;
    config?: Partial<Config>;
    /** Fastify logger options (src/http/logging.ts); silent by default. */
    logger?: object;
    /** The server's clock, for tests that let time pass (a link's 24 hours). */
    now?: () => number;
  } = {},
) {
  const state: { caseline?: Caseline; drop?: () => Promise<void>; dir?: string } = {};

  beforeAll(async () => {
    state.dir = mkdtempSync(join(tmpdir(), 'caseline-test-'));
    const database = await freshDatabase(dialect, state.dir);
    state.drop = database.drop;
    const config: Config = {
      ...readConfig({ CASELINE_DATA_DIR: state.dir, CASELINE_SECRET_KEY: 'test-secret-key-that-is-long-enough-1234' }),
      database: database.config,
      publicUrl: 'https://caseline.test',
      ...options.config,
    };
    const providers = typeof options.providers === 'function' ? options.providers() : options.providers;
    state.caseline = await createCaseline(config, {
      providers,
      outbox: options.outbox,
      jobs: options.jobs,
      logger: options.logger,
      now: options.now,
    });
    if (options.startOutbox) state.caseline.outbox.start();
    if (options.startJobs) state.caseline.jobs.start();
  });

  afterAll(async () => {
    await state.caseline?.close();
    await state.drop?.();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });

  const caseline = () => {
    if (!state.caseline) throw new Error('Caseline is not started');
    return state.caseline;
  };

  async function request<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string | Buffer } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await caseline().app.inject({ method, url, headers, payload });
    let body: unknown = response.body;
    if ((response.headers['content-type'] ?? '').toString().includes('json') && response.body) body = response.json();
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }

  async function addUser(orgId: string, role: Role): Promise<TestUser> {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.org`;
    const user = await insertUser(
      caseline().db.kysely,
      orgId,
      { email, name: `${role} ${email.slice(0, 12)}`, role, password: 'a-long-password-1' },
      Date.now(),
    );
    const { token } = await caseline().services.users.createToken({ userId: user.id, orgId, role, name: user.name }, 'tests');
    return { id: user.id, email, token, role };
  }

  /** A new organisation with its own survey and sandbox number; tests never share one. */
  async function newOrg(
    options: { caseManagement?: boolean; multiCaseReply?: string | null; channel?: 'sms' | 'whatsapp' } = {},
  ): Promise<TestOrg> {
    const orgId = randomUUID();
    const { db } = caseline();
    await db.transaction((tx) => db.createOrganisation(tx, { id: orgId, name: `Org ${orgId.slice(0, 6)}`, createdAt: Date.now() }));
    const admin = await addUser(orgId, 'admin');
    const survey = await request('POST', '/api/v1/surveys', {
      token: admin.token,
      body: {
        name: 'Helpline',
        questions: STATUS_QUESTIONS,
        caseManagement: options.caseManagement === false ? null : { statusQuestion: 'status', finalStatus: 'closed' },
      },
    });
    if (survey.status !== 201) throw new Error(`survey: ${JSON.stringify(survey.body)}`);
    const webhookSecret = `secret-${randomUUID()}`;
    const number = await request('POST', '/api/v1/numbers', {
      token: admin.token,
      body: {
        provider: 'sandbox',
        channel: options.channel ?? 'sms',
        ourNumber: '+44 7700 900000',
        surveyId: survey.body.id,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        multiCaseReply: options.multiCaseReply ?? null,
        sendRatePerSecond: 100,
        credentials: { webhookSecret },
      },
    });
    if (number.status !== 201) throw new Error(`number: ${JSON.stringify(number.body)}`);
    return {
      orgId,
      admin,
      surveyId: survey.body.id,
      numberId: number.body.id,
      webhookPath: pathOf(number.body.webhooks.inbound),
      webhookSecret,
    };
  }

  /** Posts a signed sandbox webhook, as a provider would. */
  async function text(org: Pick<TestOrg, 'webhookPath' | 'webhookSecret'>, from: string, body: string, id: string = randomUUID()) {
    const raw = JSON.stringify({ id, from, text: body });
    return request('POST', org.webhookPath, {
      rawBody: raw,
      headers: { 'content-type': 'application/json', 'x-caseline-signature': signSandboxBody(org.webhookSecret, raw) },
    });
  }

  async function records(org: TestOrg, query = 'status=all') {
    const res = await request('GET', `/api/v1/surveys/${org.surveyId}/records?${query}&limit=200`, { token: org.admin.token });
    if (res.status !== 200) throw new Error(`records: ${JSON.stringify(res.body)}`);
    return res.body.items as Array<{ caseNumber: number; status: string; contact: string }>;
  }

  async function record(org: TestOrg, caseNumber: number, token = org.admin.token) {
    const res = await request('GET', `/api/v1/records/${caseNumber}`, { token });
    if (res.status !== 200) throw new Error(`record ${caseNumber}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** The texts of a case's conversation, oldest first. */
  async function conversation(org: TestOrg, caseNumber: number): Promise<string[]> {
    return (await record(org, caseNumber)).messages.map((m: { text: string }) => m.text);
  }

  async function count(table: 'messages' | 'records' | 'outbox' | 'history' | 'notes') {
    const row = await caseline()
      .db.kysely.selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Messages and records stored so far: "stores nothing" compares these before and after. */
  const totals = async () => ({ messages: await count('messages'), records: await count('records') });

  /** Replies from a case (target "Message Conversation"), as the lock holder. */
  const reply = (org: TestOrg, caseNumber: number, text: string, template?: boolean) =>
    request('POST', `/api/v1/records/${caseNumber}/notifications`, {
      token: org.admin.token,
      body: { target: 'conversation', text, ...(template ? { template } : {}) },
    });

  const lastMessage = async (org: TestOrg, caseNumber: number) => (await record(org, caseNumber)).messages.at(-1);

  /** Waits until the case's newest message reaches `status` (the outbox and callbacks run on their own). */
  const waitForStatus = (org: TestOrg, caseNumber: number, status: string) =>
    expect.poll(async () => (await lastMessage(org, caseNumber)).status, { timeout: 5000 }).toBe(status);

  return { caseline, request, addUser, newOrg, text, records, record, conversation, count, totals, reply, lastMessage, waitForStatus };
}

export type Harness = ReturnType<typeof useCaseline>;

/** The path of a webhook URL, for posting to it through the app. */
export const pathOf = (url: string) => new URL(url).pathname;
