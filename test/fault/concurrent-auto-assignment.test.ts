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
import { apiToken, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Auto-assignment never gives anyone more than their capacity (DESIGN.md §7), under a
 * burst of first messages from many people: on SQLite one server process (its ingest
 * thread and main connection both write), on PostgreSQL two server processes sharing the
 * database, the burst split between them.
 */
describeEachDialect('auto-assignment under concurrent first messages', (dialect) => {
  const processes = dialect === 'pg' ? 2 : 1;
  const PASSWORD = 'a-long-password-1';
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  const servers: ServerProcess[] = [];
  let setup: TwilioSetup;
  let db: Db;
  const analysts: Array<{ id: string; token: string }> = [];

  const api = async (server: ServerProcess, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-fault-assign-'));
    database = await freshDatabase(dialect, dir);
    const env = serverEnv(database.config, dir);
    for (let i = 0; i < processes; i++) servers.push(await startServerProcess(env));
    setup = await setUpTwilioNumber(servers[0]!.url);
    const admin = setup.token;
    await api(servers[0]!, admin, 'PATCH', `/surveys/${setup.surveyId}`, { autoAssign: true });
    for (let i = 0; i < 3; i++) {
      const email = `analyst-${i}@example.org`;
      const user = await api(servers[0]!, admin, 'POST', '/users', { email, name: `Analyst ${i}`, role: 'analyst', password: PASSWORD });
      await api(servers[0]!, admin, 'PATCH', `/users/${user.id}`, { capacity: 5 });
      const token = await apiToken(servers[i % processes]!.url, email, PASSWORD);
      await api(servers[i % processes]!, token, 'PATCH', '/users/me', { available: true });
      analysts.push({ id: user.id, token });
    }
    db = await openDatabase(database.config, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const heldBy = async () => {
    const rows = await db.kysely
      .selectFrom('records')
      .select(['id', 'locked_by', 'waiting_since', 'case_number'])
      .where('status', '=', 'open')
      .execute();
    const count = (id: string | null) => rows.filter((r) => r.locked_by === id).length;
    return { rows, perAnalyst: analysts.map((a) => count(a.id)), unassigned: count(null) };
  };

  it(`50 concurrent first messages from 50 people, 3 analysts of capacity 5: exactly 15 assigned, 35 wait (${processes} server process${processes > 1 ? 'es' : ''})`, async () => {
    const deliveries = Array.from({ length: 50 }, (_, i) =>
      twilioDelivery(servers[i % servers.length]!.url, setup, {
        from: `+4477009044${String(i).padStart(2, '0')}`,
        text: `hello ${i}`,
        sid: `SM${randomBytes(16).toString('hex')}`,
      }),
    );
    const statuses = await Promise.all(deliveries.map(({ url, delivery }) => deliverWebhook(url, delivery).then((r) => r.status)));
    expect(statuses).toEqual(Array(50).fill(200));
    const { rows, perAnalyst, unassigned } = await heldBy();
    expect(rows).toHaveLength(50);
    expect(perAnalyst).toEqual([5, 5, 5]);
    expect(unassigned).toBe(35);
    const assigned = await db.kysely.selectFrom('history').select(['detail', 'user_id']).where('action', '=', 'assigned').execute();
    expect(assigned).toHaveLength(15);
    expect(assigned.every((e) => e.user_id === null && JSON.parse(e.detail).by === 'auto')).toBe(true);
  }, 60_000);

  it('a case closed on one server pulls the longest-waiting case for its holder, within capacity', async () => {
    const before = await heldBy();
    const longest = before.rows
      .filter((r) => r.locked_by === null)
      .sort((a, b) => Number(a.waiting_since) - Number(b.waiting_since) || (a.id < b.id ? -1 : 1))[0]!;
    const analyst = analysts[1]!;
    const theirs = before.rows.find((r) => r.locked_by === analyst.id)!;
    const server = servers[servers.length - 1]!;
    await api(server, analyst.token, 'POST', `/records/${Number(theirs.case_number)}/close`);
    const after = await heldBy();
    expect(after.perAnalyst).toEqual([5, 5, 5]);
    expect(after.unassigned).toBe(34);
    expect(after.rows.find((r) => r.id === longest.id)!.locked_by).toBe(analyst.id);
  }, 30_000);
});
