import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { serverEnv, setUpTwilioNumber, twilioDelivery, type TwilioSetup } from '../support/fault-kit.js';
import { deliverWebhook } from '../support/fake-server.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Rule 7: routing is serialised per (survey, contact). First messages arriving at the same
 * moment make one case: on SQLite with one server process, and on PostgreSQL with two
 * server processes sharing the database (as behind a load balancer), the burst split
 * between them.
 */
describeEachDialect('concurrent first messages', (dialect) => {
  const processes = dialect === 'pg' ? 2 : 1;
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  const servers: ServerProcess[] = [];
  let setup: TwilioSetup;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-fault-burst-'));
    database = await freshDatabase(dialect, dir);
    // No PUBLIC_URL: each server checks signatures against the address it was called on.
    const env = serverEnv(database.config, dir);
    for (let i = 0; i < processes; i++) servers.push(await startServerProcess(env));
    setup = await setUpTwilioNumber(servers[0]!.url);
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Posts every message at once, spread over the servers; returns the statuses. */
  async function burst(messages: Array<{ from: string; text: string }>): Promise<number[]> {
    const deliveries = messages.map((m, i) =>
      twilioDelivery(servers[i % servers.length]!.url, setup, { ...m, sid: `SM${randomBytes(16).toString('hex')}` }),
    );
    return Promise.all(deliveries.map(({ url, delivery }) => deliverWebhook(url, delivery).then((r) => r.status)));
  }

  async function casesOf(contact: string) {
    const records = await db.kysely.selectFrom('records').select(['id', 'case_number', 'status']).where('contact', '=', contact).execute();
    return Promise.all(
      records.map(async (r) => ({
        caseNumber: Number(r.case_number),
        status: r.status,
        messages: (await db.kysely.selectFrom('record_messages').select('message_id').where('record_id', '=', r.id).execute()).length,
        created: (
          await db.kysely.selectFrom('history').select('id').where('record_id', '=', r.id).where('action', '=', 'created').execute()
        ).length,
      })),
    );
  }

  it(`100 concurrent first messages from one contact make exactly one case (${processes} server process${processes > 1 ? 'es' : ''})`, async () => {
    const contact = '+447700900123';
    const statuses = await burst(Array.from({ length: 100 }, (_, i) => ({ from: contact, text: `first message ${i}` })));
    expect(statuses).toEqual(Array(100).fill(200));
    expect(await casesOf(contact)).toEqual([{ caseNumber: expect.any(Number), status: 'open', messages: 100, created: 1 }]);
  }, 60_000);

  it('100 concurrent first messages from ten people, ten each, interleaved, make ten cases of ten messages', async () => {
    const people = Array.from({ length: 10 }, (_, p) => `+4477009002${String(p).padStart(2, '0')}`);
    const statuses = await burst(Array.from({ length: 100 }, (_, i) => ({ from: people[i % 10]!, text: `hello ${i}` })));
    expect(statuses).toEqual(Array(100).fill(200));
    const caseNumbers: number[] = [];
    for (const person of people) {
      const cases = await casesOf(person);
      expect(cases, person).toEqual([{ caseNumber: expect.any(Number), status: 'open', messages: 10, created: 1 }]);
      caseNumbers.push(cases[0]!.caseNumber);
    }
    // Case numbers stay unique under the burst.
    expect(new Set(caseNumbers).size).toBe(10);
  }, 60_000);
});
