import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { BackupRefused, backupSqlite, restoreSqlite } from '../../src/db/sqlite/backup.js';
import { PROJECT_ROOT } from '../../src/server.js';
import { describePostgres, freshDatabase } from '../support/dialects.js';
import { serverEnv, setUpTwilioNumber, storedBySid, twilioDelivery, type TwilioSetup } from '../support/fault-kit.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/** `npx caseline …`, compiled, as an operator runs it; never rejects, so refusals can be read. */
function caseline(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'caseline.js'), ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Provider message ids of the inbound messages a SQLite file holds. */
function inboundSids(path: string): Set<string> {
  const connection = new SqliteDatabase(path, { readonly: true });
  try {
    return new Set(connection.prepare("select provider_message_id from messages where direction = 'in'").pluck().all() as string[]);
  } finally {
    connection.close();
  }
}

function integrityCheck(path: string): unknown {
  const connection = new SqliteDatabase(path, { readonly: true });
  try {
    return connection.pragma('integrity_check', { simple: true });
  } finally {
    connection.close();
  }
}

/**
 * DESIGN.md §12: `caseline backup` copies a serving SQLite database consistently, and
 * `caseline restore` puts a copy back with the server stopped. The round trip runs under a
 * steady stream of webhooks, as a helpline's server would be when its backup runs.
 */
describe('caseline backup and restore of a serving SQLite database', () => {
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };
  let env: Record<string, string>;
  let port = 0;
  let server: ServerProcess | null = null;
  let setup: TwilioSetup;
  const backupFile = () => join(dir, 'backup.db');
  let inBackup = new Set<string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-backup-'));
    database = await freshDatabase('sqlite', dir);
    port = await freePort();
    env = serverEnv(database.config, dir, { PUBLIC_URL: `http://127.0.0.1:${port}` });
    server = await startServerProcess(env, { port });
    setup = await setUpTwilioNumber(server.url);
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Posts webhooks four at a time until stopped; keeps, in order, the ids that got a 200. */
  function steadyWebhooks(baseUrl: string) {
    let next = 0;
    let stopped = false;
    const acknowledged: string[] = [];
    const post = async () => {
      while (!stopped) {
        const n = next++;
        const from = `+447700900${String(100 + (n % 40))}`;
        const { url, delivery } = twilioDelivery(baseUrl, setup, {
          from,
          text: `message ${n}`,
          sid: `SMbackup${String(n).padStart(6, '0')}`,
        });
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: delivery.headers,
            body: delivery.body,
            signal: AbortSignal.timeout(5000),
          });
          await res.arrayBuffer();
          if (res.status === 200) acknowledged.push(`SMbackup${String(n).padStart(6, '0')}`);
        } catch {
          // Not acknowledged: a provider would retry it.
        }
      }
    };
    const posting = Promise.all(Array.from({ length: 4 }, post));
    return {
      acknowledged,
      async stop() {
        stopped = true;
        await posting;
      },
    };
  }

  it(
    'a backup taken while webhooks keep arriving passes integrity_check and holds every message acknowledged before it began',
    { timeout: 120_000 },
    async () => {
      const load = steadyWebhooks(server!.url);
      await expect.poll(() => load.acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(100);
      const acknowledgedBefore = [...load.acknowledged];
      const backup = await caseline(['backup', backupFile()], env);
      const acknowledgedDuring = load.acknowledged.length - acknowledgedBefore.length;
      await load.stop();

      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toContain(`Backed up the database to ${backupFile()}`);
      expect(acknowledgedDuring, 'the server went on acknowledging webhooks while the backup ran').toBeGreaterThan(0);
      expect(integrityCheck(backupFile())).toBe('ok');
      inBackup = inboundSids(backupFile());
      expect(acknowledgedBefore.filter((sid) => !inBackup.has(sid))).toEqual([]);
    },
  );

  it('restore is refused while the server uses the database, and the database is left as it was', { timeout: 120_000 }, async () => {
    const before = readdirSync(dir).sort();
    const refused = await caseline(['restore', backupFile()], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is in use: stop the Caseline server');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
  });

  it(
    'restore with the server stopped puts the backup back: started again, it serves the backup’s cases and nothing newer',
    { timeout: 120_000 },
    async () => {
      const load = steadyWebhooks(server!.url);
      await expect.poll(() => load.acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(20);
      await load.stop();
      await server!.stop();
      const acknowledgedAfterBackup = load.acknowledged.filter((sid) => !inBackup.has(sid));

      const restored = await caseline(['restore', backupFile()], env);
      expect(restored.code, restored.stderr).toBe(0);
      const keptAs = /kept as (\S+)\. /.exec(restored.stdout)?.[1];
      expect(keptAs, restored.stdout).toBeTruthy();
      // The database it replaced is kept whole, with the messages that came after the backup.
      expect(acknowledgedAfterBackup.filter((sid) => !inboundSids(keptAs!).has(sid))).toEqual([]);

      server = await startServerProcess(env, { port });
      const db = await openDatabase(database.config, { listen: false });
      try {
        expect(new Set((await storedBySid(db, setup.numberId)).keys())).toEqual(inBackup);
        const cases = await db.kysely.selectFrom('records').select('case_number').execute();
        const list = await fetch(`${server.url}/api/v1/surveys/${setup.surveyId}/records?status=all&limit=100`, {
          headers: { authorization: `Bearer ${setup.token}` },
        });
        expect(list.status).toBe(200);
        const { items } = (await list.json()) as { items: { caseNumber: number }[] };
        expect(items.map((item) => item.caseNumber).sort()).toEqual(cases.map((row) => Number(row.case_number)).sort());
        expect(items.length).toBeGreaterThan(0);
      } finally {
        await db.close();
      }
    },
  );
});

describe('caseline backup and restore refuse what they cannot do safely', () => {
  let dir = '';
  const databasePath = () => join(dir, 'caseline.db');
  const config = (): DatabaseConfig => ({ dialect: 'sqlite', path: databasePath() });

  /** A migrated Caseline database at `path`, closed. */
  async function caselineDatabase(path: string): Promise<void> {
    const db = await openDatabase({ dialect: 'sqlite', path });
    await db.migrate();
    await db.close();
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-backup-refusals-'));
    await caselineDatabase(databasePath());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('backup will not replace an existing file unless forced', async () => {
    const file = join(dir, 'backup.db');
    writeFileSync(file, 'an earlier backup');
    await expect(backupSqlite(config(), file)).rejects.toThrow(/exists: choose another file, or pass --force/);
    await backupSqlite(config(), file, { force: true });
    expect(integrityCheck(file)).toBe('ok');
  });

  it('a copy that the server’s commits keep restarting is finished in one step', async () => {
    const writer = new SqliteDatabase(databasePath());
    writer.exec('create table filler (text text)');
    const insert = writer.prepare('insert into filler values (?)');
    for (let i = 0; i < 500; i++) insert.run('x'.repeat(1000));
    let writing = true;
    const keepWriting = () => {
      if (!writing) return;
      insert.run('written during the backup');
      setImmediate(keepWriting);
    };
    keepWriting();
    try {
      const backup = await backupSqlite(config(), join(dir, 'backup.db'), { pagesPerStep: 1 });
      expect(backup.restarts).toBeGreaterThan(0);
      expect(integrityCheck(backup.path)).toBe('ok');
      const copy = new SqliteDatabase(backup.path, { readonly: true });
      expect(copy.prepare('select count(*) from filler').pluck().get()).toBeGreaterThanOrEqual(500);
      copy.close();
    } finally {
      writing = false;
      writer.close();
    }
  });

  it('restore refuses a file that is not a Caseline database, or comes from a newer Caseline, and changes nothing', async () => {
    const notSqlite = join(dir, 'notes.txt');
    writeFileSync(notSqlite, 'not a database at all, but long enough to look like one '.repeat(100));
    await expect(restoreSqlite(config(), notSqlite)).rejects.toThrow(`${notSqlite} is not a SQLite database`);

    const otherApp = join(dir, 'other.db');
    new SqliteDatabase(otherApp).exec('create table things (id integer)').close();
    await expect(restoreSqlite(config(), otherApp)).rejects.toThrow(
      /is not a Caseline database \(it has no kysely_migration, organisations/,
    );

    const newer = join(dir, 'newer.db');
    await caselineDatabase(newer);
    const future = new SqliteDatabase(newer);
    future.prepare("insert into kysely_migration (name, timestamp) values ('999-from-the-future', 'now')").run();
    future.close();
    await expect(restoreSqlite(config(), newer)).rejects.toThrow(/was written by a newer Caseline \(migration 999-from-the-future\)/);

    expect(readdirSync(dir).filter((name) => name.startsWith('caseline.db'))).toEqual(['caseline.db']);
    await expect(restoreSqlite(config(), notSqlite)).rejects.toBeInstanceOf(BackupRefused);
  });

  it('the database restore replaces is kept whole, with the transactions only its WAL held', async () => {
    const backup = join(dir, 'backup.db');
    await caselineDatabase(backup);
    // A server killed mid-flight: committed rows in the WAL, never copied into the file.
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const crashed = spawnSync(process.execPath, [
      '-e',
      `const db = new (require(${JSON.stringify(driver)}))(${JSON.stringify(databasePath())});
       db.pragma('wal_autocheckpoint = 0');
       db.exec('create table kept (n integer)');
       for (let n = 0; n < 100; n++) db.prepare('insert into kept values (?)').run(n);
       process.kill(process.pid, 'SIGKILL');`,
    ]);
    expect(crashed.signal).toBe('SIGKILL');
    expect(existsSync(`${databasePath()}-wal`)).toBe(true);

    const { keptAs } = await restoreSqlite(config(), backup, { now: new Date('2030-01-02T03:04:05.678Z') });
    expect(keptAs).toBe(`${databasePath()}.before-restore-2030-01-02T03-04-05-678Z`);
    expect(readdirSync(dir).sort()).toEqual(['backup.db', 'caseline.db', 'caseline.db.before-restore-2030-01-02T03-04-05-678Z']);
    const kept = new SqliteDatabase(keptAs!, { readonly: true });
    expect(kept.prepare('select count(*) from kept').pluck().get()).toBe(100);
    kept.close();
  });
});

describePostgres('caseline backup and restore on PostgreSQL', () => {
  let dir = '';
  let database: { config: DatabaseConfig; drop(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-backup-pg-'));
    database = await freshDatabase('pg', dir);
  });
  afterAll(async () => {
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('backup and restore refuse, pointing to pg_dump and pg_restore', { timeout: 60_000 }, async () => {
    if (database.config.dialect !== 'pg') throw new Error('expected PostgreSQL');
    const env = { DATABASE_URL: database.config.url, CASELINE_DATA_DIR: dir };
    const backup = await caseline(['backup', join(dir, 'backup.db')], env);
    expect(backup).toMatchObject({
      code: 1,
      stderr: 'caseline: backup works on SQLite databases; for PostgreSQL use pg_dump -Fc (see the README)\n',
    });
    expect(existsSync(join(dir, 'backup.db'))).toBe(false);
    const restore = await caseline(['restore', join(dir, 'backup.db')], env);
    expect(restore).toMatchObject({
      code: 1,
      stderr: 'caseline: restore works on SQLite databases; for PostgreSQL use pg_restore (see the README)\n',
    });
  });
});
