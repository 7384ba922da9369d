import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { serverEnv, setUpTwilioNumber, storedBySid, twilioDelivery, unlinkedMessages, type TwilioSetup } from '../support/fault-kit.js';
import type { WebhookDelivery } from '../support/fake-server.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * DESIGN.md §3: a webhook is acknowledged only after its message is committed, and
 * providers retry. Under steady inbound load the server is killed with SIGKILL (twice) and
 * restarted; every webhook that got a 200 is in the database after each restart, before
 * any retry; then every webhook is replayed, as Twilio retries the ones it saw fail (and
 * may retry ones we did answer), and each is stored exactly once.
 */
const IN_FLIGHT = 8;
const CONTACTS = 40;

interface Attempt {
  sid: string;
  url: string;
  delivery: WebhookDelivery;
  /** What the first delivery got: 200, another status, or a connection error. */
  outcome: 'pending' | 'acknowledged' | 'refused' | 'failed';
}

describeEachDialect('no acknowledged message is lost when the server is killed', (dialect) => {
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let env: Record<string, string>;
  let port = 0;
  let server: ServerProcess | null = null;
  let setup: TwilioSetup;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-fault-kill-'));
    database = await freshDatabase(dialect, dir);
    port = await freePort();
    env = serverEnv(database.config, dir, { PUBLIC_URL: `http://127.0.0.1:${port}` });
    server = await startServerProcess(env, { port });
    setup = await setUpTwilioNumber(server.url);
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Posts the next attempts, IN_FLIGHT at a time, until `stop()`; records what each got. */
  function steadyLoad(attempts: Attempt[], from: number) {
    let next = from;
    let stopped = false;
    const worker = async () => {
      while (!stopped && next < attempts.length) {
        const attempt = attempts[next++]!;
        try {
          const res = await fetch(attempt.url, {
            method: 'POST',
            headers: attempt.delivery.headers,
            body: attempt.delivery.body,
            signal: AbortSignal.timeout(5000),
          });
          await res.arrayBuffer();
          attempt.outcome = res.status === 200 ? 'acknowledged' : 'refused';
        } catch {
          attempt.outcome = 'failed';
        }
      }
    };
    const workers = Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return {
      get next() {
        return next;
      },
      async stop() {
        stopped = true;
        await workers;
      },
    };
  }

  it('SIGKILL twice under load: every 200 survives each crash, and after the replay every webhook is stored exactly once', async () => {
    // People write again and again (routing into their open case), some quoting case numbers.
    const attempts: Attempt[] = Array.from({ length: 6000 }, (_, i) => {
      const from = `+4477009${String(10_000 + (i % CONTACTS)).slice(1)}`;
      const text = i % 5 === 4 ? `About #${1 + (i % CONTACTS)}, any news?` : `message ${i}`;
      const sid = `SM${randomBytes(16).toString('hex')}`;
      return { sid, ...twilioDelivery(server!.url, setup, { from, text, sid }), outcome: 'pending' as const };
    });

    let cursor = 0;
    for (let crash = 1; crash <= 2; crash++) {
      const load = steadyLoad(attempts, cursor);
      // Kill at a moment that varies between runs, well into steady load.
      const killAfter = attempts.filter((a) => a.outcome === 'acknowledged').length + 150 + Math.floor(Math.random() * 150);
      await expect
        .poll(() => attempts.filter((a) => a.outcome === 'acknowledged').length, { timeout: 30_000, interval: 5 })
        .toBeGreaterThanOrEqual(killAfter);
      await server!.stop('SIGKILL');
      await load.stop();
      cursor = load.next;

      server = await startServerProcess(env, { port });
      // Before any retry: everything acknowledged so far is there, once, in a case.
      const stored = await storedBySid(db, setup.numberId);
      const acknowledged = attempts.filter((a) => a.outcome === 'acknowledged');
      const missing = acknowledged.filter((a) => stored.get(a.sid) !== 1);
      expect(
        missing.map((a) => a.sid),
        `crash ${crash}: acknowledged but not stored once`,
      ).toEqual([]);
      expect(await unlinkedMessages(db, setup.numberId)).toBe(0);
      const unanswered = attempts.slice(0, cursor).filter((a) => a.outcome !== 'acknowledged').length;
      expect(acknowledged.length).toBeGreaterThan(0);
      console.info(`[${dialect}] crash ${crash}: ${acknowledged.length} acknowledged, ${unanswered} unanswered or refused at the kill`);
    }

    // The provider's retries: every webhook sent so far, answered or not, again.
    const sent = attempts.slice(0, cursor);
    const replay: Attempt[] = sent.map((a) => ({ ...a, outcome: 'pending' }));
    const load = steadyLoad(replay, 0);
    await expect.poll(() => replay.every((a) => a.outcome !== 'pending'), { timeout: 60_000, interval: 20 }).toBe(true);
    await load.stop();
    expect(replay.filter((a) => a.outcome !== 'acknowledged').map((a) => `${a.sid}: ${a.outcome}`)).toEqual([]);

    const stored = await storedBySid(db, setup.numberId);
    expect(sent.filter((a) => stored.get(a.sid) !== 1).map((a) => `${a.sid} stored ${stored.get(a.sid) ?? 0} times`)).toEqual([]);
    expect(stored.size).toBe(sent.length);
    expect(await unlinkedMessages(db, setup.numberId)).toBe(0);
    // Rule 7 across the crashes too: each person still has exactly one case.
    const cases = await db.kysely.selectFrom('records').select(['contact']).where('survey_id', '=', setup.surveyId).execute();
    expect(cases).toHaveLength(Math.min(CONTACTS, sent.length));
    expect(new Set(cases.map((c) => c.contact)).size).toBe(cases.length);
  }, 150_000);
});
