import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { readConfig } from '../../src/config.js';
import { createCaseline } from '../../src/server.js';
import { ensureFirstAdmin, firstAdminActor } from '../../src/services/bootstrap.js';
import { signTwilioWebhook, twilioInboundFields } from '../../test/support/fake-twilio.js';
import { BENCH_QUESTIONS, OUR_NUMBER } from './caseline-setup.js';
import { createBenchDatabase, type BenchDialect } from './databases.js';
import { BENCH_ADMIN, BENCH_SECRET_KEY } from './processes.js';

/**
 * The SQL one inbound webhook costs, watched at the database driver in-process
 * (better-sqlite3 statement executions; `pg.Client#query`): how many statements each kind
 * of message runs, and which statements take the time. Every statement is a round trip on
 * PostgreSQL and a run through SQLite's virtual machine on SQLite.
 */
export interface CensusKind {
  kind: string;
  webhooks: number;
  statementsPerWebhook: number;
  /** The statements of one webhook of this kind, in order, shortened. */
  example: string[];
}

export interface StatementTime {
  statement: string;
  calls: number;
  totalMs: number;
  /** Time in this statement as a share of the timed run's wall time (on PostgreSQL statements overlap, so shares can sum past 100%). */
  share: number;
  meanUs: number;
}

export interface Census {
  kinds: CensusKind[];
  /** Statements ranked by the time spent in them, over `timedWebhooks` webhooks of the mix. */
  timing: StatementTime[];
  timedWebhooks: number;
  /** How many webhooks were in flight at once (batching only happens above 1). */
  concurrency: number;
  statementsPerWebhook: number;
  elapsedMsPerWebhook: number;
}

export interface Seen {
  sql: string;
  ms: number;
}

const PUBLIC_URL = 'http://bench.test';

export async function statementCensus(
  dialect: BenchDialect,
  options: { timedWebhooks?: number; concurrency?: number } = {},
): Promise<Census> {
  const timedWebhooks = options.timedWebhooks ?? 3000;
  const concurrency = options.concurrency ?? 32;
  const database = await createBenchDatabase(dialect);
  const dir = mkdtempSync(join(tmpdir(), 'caseline-census-'));
  const seen: Seen[] = [];
  const restore = watchStatements(dialect, seen);
  const caseline = await createCaseline(
    { ...readConfig({ CASELINE_DATA_DIR: dir, CASELINE_SECRET_KEY: BENCH_SECRET_KEY }), database: database.config, publicUrl: PUBLIC_URL },
    // Statements are counted in this thread, so batches are stored here: the SQL is the
    // same as on the ingest thread (src/services/inbound/ingest-thread.ts).
    { logger: false, ingestThread: false },
  );
  try {
    const { services, app } = caseline;
    await ensureFirstAdmin(services.ctx, BENCH_ADMIN);
    const actor = (await firstAdminActor(services.ctx, BENCH_ADMIN.email))!;
    const { token } = await services.users.createToken(actor, 'census');
    const api = async (url: string, body: unknown) => {
      const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: body as object });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; webhooks: { inbound: string } }>();
    };
    const survey = await api('/api/v1/surveys', {
      name: 'Census',
      questions: BENCH_QUESTIONS,
      caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
    });
    const credentials = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'a'.repeat(32) };
    const number = await api('/api/v1/numbers', {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: OUR_NUMBER,
      surveyId: survey.id,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      credentials,
    });
    const path = new URL(number.webhooks.inbound).pathname;
    let sid = 0;
    const deliver = async (from: string, text: string, messageSid = `SMcensus${String(sid++).padStart(26, '0')}`) => {
      const fields = twilioInboundFields({ from, to: OUR_NUMBER, text, accountSid: credentials.accountSid, messageSid });
      const delivery = signTwilioWebhook(`${PUBLIC_URL}${path}`, fields, credentials.authToken);
      const res = await app.inject({ method: 'POST', url: path, headers: delivery.headers, payload: delivery.body });
      if (res.statusCode !== 200) throw new Error(`census webhook: ${res.statusCode} ${res.body}`);
    };
    const post = async (from: string, text: string, messageSid?: string): Promise<Seen[]> => {
      const before = seen.length;
      await deliver(from, text, messageSid);
      return seen.slice(before);
    };

    const N = 20;
    const kinds: CensusKind[] = [];
    const measure = async (kind: string, send: (i: number) => Promise<Seen[]>) => {
      let total = 0;
      let example: Seen[] = [];
      for (let i = 0; i < N; i++) {
        example = await send(i);
        total += example.length;
      }
      kinds.push({ kind, webhooks: N, statementsPerWebhook: total / N, example: example.map((s) => shorten(s.sql)) });
    };
    const contact = (i: number) => `+4475${String(i).padStart(8, '0')}`;
    await measure('new contact (new case)', (i) => post(contact(i), 'Hello, I need help'));
    await measure('contact with an open case', (i) => post(contact(i), 'Any news?'));
    // Case numbers 1…N belong to contacts 0…N-1, in order.
    await measure('reference to own open case (#n)', (i) => post(contact(i), `Re #${i + 1}: thanks`));
    await measure("reference to someone else's case", (i) => post(contact(i), `About #${((i + 1) % N) + 1}`));
    await measure('duplicate delivery (same MessageSid)', async () => {
      await deliver(contact(0), 'again', 'SMcensus-duplicate');
      return post(contact(0), 'again', 'SMcensus-duplicate');
    });

    // Timing: the benchmark's mix, `concurrency` webhooks in flight (as under load, so
    // the server may batch them), statements timed at the driver.
    const existing = 500;
    for (let i = N; i < existing; i++) await deliver(contact(i), 'first message');
    const before = seen.length;
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < timedWebhooks) {
        const i = next++;
        const roll = i % 20;
        if (roll < 8) await deliver(contact(10_000 + i), 'Hello, I need help');
        else if (roll < 16) await deliver(contact(i % existing), 'Any news?');
        else if (roll < 19) await deliver(contact(i % existing), `Re #${(i % existing) + 1}: thanks`);
        else await deliver(contact(i % existing), `About #${((i + 7) % existing) + 1}`);
      }
    };
    // Every worker finishes before any failure is reported, so nothing is left running
    // against a database about to be dropped.
    const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, worker));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    const elapsedMs = performance.now() - started;
    const timed = seen.slice(before);
    const byStatement = new Map<string, { calls: number; ms: number }>();
    for (const s of timed) {
      const key = normalise(s.sql);
      const entry = byStatement.get(key) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += s.ms;
      byStatement.set(key, entry);
    }
    const timing = [...byStatement.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([statement, t]) => ({
        statement: shorten(statement),
        calls: t.calls,
        totalMs: Math.round(t.ms),
        share: Math.round((t.ms / elapsedMs) * 1000) / 10,
        meanUs: Math.round((t.ms / t.calls) * 1000),
      }));
    return {
      kinds,
      timing,
      timedWebhooks,
      concurrency,
      statementsPerWebhook: Math.round((timed.length / timedWebhooks) * 100) / 100,
      elapsedMsPerWebhook: Math.round((elapsedMs / timedWebhooks) * 1000) / 1000,
    };
  } finally {
    restore();
    await caseline.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Multi-row VALUES lists and IN lists of any length count as one statement. */
function normalise(statement: string): string {
  return statement
    .replace(/\s+/g, ' ')
    .replace(/\((?:\?|\$\d+)(?:, (?:\?|\$\d+))*\)(?:, \((?:\?|\$\d+)(?:, (?:\?|\$\d+))*\))+/g, '(…), (…)')
    .replace(/ in \((?:\?|\$\d+)(?:, (?:\?|\$\d+))+\)/g, ' in (…)')
    .trim();
}

function shorten(statement: string): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

export function watchStatements(dialect: BenchDialect, seen: Seen[]): () => void {
  if (dialect === 'sqlite') {
    // Executions, not prepares: the server may cache its prepared statements.
    const probe = new SqliteDatabase(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
    probe.close();
    const originals = Object.fromEntries(['run', 'get', 'all', 'iterate'].map((name) => [name, proto[name]!]));
    for (const [name, original] of Object.entries(originals)) {
      proto[name] = function (this: { source: string }, ...args: unknown[]) {
        const started = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          seen.push({ sql: this.source, ms: performance.now() - started });
        }
      };
    }
    return () => {
      for (const [name, original] of Object.entries(originals)) proto[name] = original;
    };
  }
  const proto = pg.Client.prototype as unknown as { query(...args: unknown[]): unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const query = args[0];
    const text = typeof query === 'string' ? query : (query as { text?: string } | undefined)?.text;
    const started = performance.now();
    const result = original.apply(this, args);
    if (text && !text.startsWith('LISTEN')) {
      const entry = { sql: text, ms: 0 };
      seen.push(entry);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(
          () => (entry.ms = performance.now() - started),
          () => (entry.ms = performance.now() - started),
        );
      }
    }
    return result;
  };
  return () => {
    proto.query = original;
  };
}
