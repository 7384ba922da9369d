import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { ALERT_TIMER_JOBS } from '../../src/domain/time-rules.js';
import { describeEachDialect, describePostgres, freshDatabase } from '../support/dialects.js';
import { deliverWebhook } from '../support/fake-server.js';
import { serverEnv, setUpTwilioNumber, twilioDelivery, type TwilioSetup } from '../support/fault-kit.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * DESIGN.md §8: every timed action is a row, done exactly once across restarts and
 * processes. Cases wait, their alert timers come due (time is moved by writing the past into
 * the database, as a clock that ran on would), and the servers that run them are killed or
 * doubled; each case's alert fires once per level, with one console alert per recipient.
 */
const CASES = 120;
const ALERT_KINDS = Object.values(ALERT_TIMER_JOBS);

async function openCases(server: ServerProcess, setup: TwilioSetup, prefix: string): Promise<void> {
  let next = 0;
  const send = async () => {
    while (next < CASES) {
      const i = next++;
      const { url, delivery } = twilioDelivery(server.url, setup, {
        from: `+4475${prefix}${String(i).padStart(6, '0')}`,
        text: 'Please call me back',
        sid: `SM${prefix}${String(i).padStart(30, '0')}`,
      });
      const res = await deliverWebhook(url, delivery);
      if (res.status !== 200) throw new Error(`webhook ${i}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, send));
}

async function configureAlerts(server: ServerProcess, setup: TwilioSetup): Promise<void> {
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${setup.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await call('PATCH', `/surveys/${setup.surveyId}`, { alerts: { firstLevelMinutes: 5, secondLevelMinutes: 10, emails: [] } });
  // Level one goes to the analysts of an unassigned case, level two to the admins: one of each.
  await call('POST', '/users', { email: 'analyst@example.org', name: 'Analyst', role: 'analyst', password: 'a-long-password-1' });
}

/** Moves the survey's waiting cases an hour into the past, and their timers with them. */
async function letAnHourPass(db: Db, surveyId: string): Promise<void> {
  const hourAgo = Date.now() - 60 * 60_000;
  await db.kysely.updateTable('records').set({ waiting_since: hourAgo }).where('survey_id', '=', surveyId).execute();
  await db.kysely.updateTable('jobs').set({ due_at: hourAgo }).where('kind', 'in', ALERT_KINDS).where('state', '=', 'pending').execute();
}

async function timersLeft(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', 'in', ALERT_KINDS)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function firingCount(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('alert_firings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function expectEachFiredOnce(db: Db, surveyId: string): Promise<void> {
  const perCaseAndLevel = await db.kysely
    .selectFrom('alert_firings')
    .select(['record_id', 'level', (eb) => eb.fn.countAll<number>().as('n')])
    .where('survey_id', '=', surveyId)
    .groupBy(['record_id', 'level'])
    .execute();
  expect(perCaseAndLevel).toHaveLength(CASES * 2);
  expect(perCaseAndLevel.filter((r) => Number(r.n) !== 1)).toEqual([]);
  const alerts = await db.kysely
    .selectFrom('alerts')
    .select(['firing_id', 'user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['firing_id', 'user_id'])
    .execute();
  expect(alerts).toHaveLength(CASES * 2);
  expect(alerts.filter((r) => Number(r.n) !== 1)).toEqual([]);
  const history = await db.kysely
    .selectFrom('history')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', 'alert')
    .executeTakeFirstOrThrow();
  expect(Number(history.n)).toBe(CASES * 2);
}

describeEachDialect('timers fire once across a SIGKILL', (dialect) => {
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let env: Record<string, string>;
  let server: ServerProcess | null = null;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-fault-timers-'));
    database = await freshDatabase(dialect, dir);
    const port = await freePort();
    env = serverEnv(database.config, dir, { PUBLIC_URL: `http://127.0.0.1:${port}` });
    server = await startServerProcess(env, { port });
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a server killed while its timers run: after a restart each alert has fired exactly once', async () => {
    const setup = await setUpTwilioNumber(server!.url);
    await configureAlerts(server!, setup);
    await openCases(server!, setup, '11');
    expect(await timersLeft(db)).toBe(CASES * 2);

    await letAnHourPass(db, setup.surveyId);
    // Killed as soon as the first alert is recorded, with the rest due or in hand.
    await expect.poll(() => firingCount(db), { timeout: 15_000, interval: 10 }).toBeGreaterThan(0);
    await server!.stop('SIGKILL');
    const firedBeforeTheKill = await firingCount(db);
    // The dead server's claims run out, as they would with time.
    await db.kysely
      .updateTable('jobs')
      .set({ claimed_until: Date.now() - 1, due_at: Date.now() - 1 })
      .where('state', '=', 'running')
      .execute();

    server = await startServerProcess(env, { port: server!.port });
    await expect.poll(() => timersLeft(db), { timeout: 60_000, interval: 200 }).toBe(0);
    expect(firedBeforeTheKill).toBeLessThanOrEqual(CASES * 2);
    await expectEachFiredOnce(db, setup.surveyId);
  }, 120_000);
});

describePostgres('timers fire once with two server processes', () => {
  const servers: ServerProcess[] = [];
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-fault-timers-2p-'));
    database = await freshDatabase('pg', dir);
    const env = serverEnv(database.config, dir);
    // The first process creates the admin; the second finds it there.
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.stop('SIGKILL');
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both claim from one table of timers: each alert fires exactly once', async () => {
    const setup = await setUpTwilioNumber(servers[0]!.url);
    await configureAlerts(servers[1]!, setup);
    await openCases(servers[1]!, setup, '22');
    await letAnHourPass(db, setup.surveyId);
    await expect.poll(() => timersLeft(db), { timeout: 60_000, interval: 200 }).toBe(0);
    await expectEachFiredOnce(db, setup.surveyId);
  }, 120_000);
});
