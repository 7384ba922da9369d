import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import type { SecondWriter } from '../../src/db/second-writer.js';
import { useCaseline } from '../support/harness.js';

/** SQLite's `PRAGMA synchronous` levels. */
const NORMAL = 1;
const FULL = 2;

/**
 * Every `datasync` this process makes on a file it opened through `node:fs/promises` (the
 * WAL syncs of src/db/sqlite/wal-sync.ts) is logged and, while `held`, waits to be released,
 * as a slow disk would make it wait.
 */
const disk = vi.hoisted(() => {
  const state = {
    log: [] as string[],
    held: false,
    failNext: false,
    waiting: [] as Array<() => void>,
    syncs: 0,
    release() {
      const waiting = state.waiting.splice(0);
      for (const resume of waiting) resume();
    },
  };
  return state;
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args) => {
    const handle = await real.open(...args);
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'datasync') {
          return async () => {
            const n = ++disk.syncs;
            disk.log.push(`sync ${n} started`);
            if (disk.held) await new Promise<void>((resume) => disk.waiting.push(resume));
            if (disk.failNext) {
              disk.failNext = false;
              disk.log.push(`sync ${n} failed`);
              throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
            }
            await target.datasync();
            disk.log.push(`sync ${n} ended`);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

const until = async (condition: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 500 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await condition()).toBe(true);
};

/**
 * SQLite only: PostgreSQL syncs every commit by default (`synchronous_commit = on`). A
 * webhook is answered once its batch is committed and on disk, so that the answer survives
 * a power cut. The main connection syncs at commit (`synchronous = FULL`). The ingest
 * thread's connection (src/db/sqlite/second-writer.ts) commits without a sync, and the main
 * thread syncs the WAL in the background (src/db/sqlite/wal-sync.ts): the thread's write is
 * acknowledged only after a sync that began after its commit.
 */
describe('SQLite commits reach the disk before they are acknowledged', () => {
  let dir: string;
  let db: Db | null = null;

  beforeEach(() => {
    disk.log.length = 0;
    disk.held = false;
    disk.failNext = false;
    disk.syncs = 0;
  });

  afterEach(async () => {
    disk.held = false;
    disk.release();
    await db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-durable-'));
    db = await openDatabase({ dialect: 'sqlite', path: join(dir, 'caseline.db') });
    await db.migrate();
    return db;
  };

  const secondWriter = (target: Db): SecondWriter<{ id: string }, number> => {
    const writer = target.openSecondWriter<{ id: string }, number>(new URL('../support/synchronous-writer.ts', import.meta.url), null);
    if (!writer) throw new Error('no second writer');
    return writer;
  };

  const stored = async (target: Db, id: string) =>
    (await target.kysely.selectFrom('organisations').select('id').where('id', '=', id).execute()).length === 1;

  /** Writes `id` on the thread, logging its commit and its acknowledgement. */
  const write = (writer: SecondWriter<{ id: string }, number>, id: string) =>
    writer
      .write({ id }, () => disk.log.push(`${id} committed`))
      .then((level) => {
        disk.log.push(`${id} acknowledged`);
        return level;
      });

  it('the second writer, which stores inbound batches, is acknowledged only once a sync begun after its commit has ended', async () => {
    const target = await open();
    const writer = secondWriter(target);
    disk.held = true;
    const acknowledged = write(writer, 'thread-1');
    await until(() => disk.log.includes('sync 1 started'));
    // Committed and visible, but the disk has not confirmed it: no answer yet.
    expect(await stored(target, 'thread-1')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(disk.log).toEqual(['thread-1 committed', 'sync 1 started']);

    disk.held = false;
    disk.release();
    expect(await acknowledged).toBe(NORMAL);
    expect(disk.log).toEqual(['thread-1 committed', 'sync 1 started', 'sync 1 ended', 'thread-1 acknowledged']);
  });

  it('a sync already under way when a commit returns does not count for it; commits made meanwhile share the next one', async () => {
    const target = await open();
    const writer = secondWriter(target);
    disk.held = true;
    const first = write(writer, 'first');
    await until(() => disk.log.includes('sync 1 started'));
    // The thread goes on while the first sync waits on the disk.
    const second = write(writer, 'second');
    const third = write(writer, 'third');
    await until(() => disk.log.includes('third committed'));

    disk.held = false;
    disk.release();
    await Promise.all([first, second, third]);
    expect(disk.log).toEqual([
      'first committed',
      'sync 1 started',
      'second committed',
      'third committed',
      'sync 1 ended',
      'first acknowledged',
      'sync 2 started',
      'sync 2 ended',
      'second acknowledged',
      'third acknowledged',
    ]);
  });

  it('a write whose sync fails is not acknowledged as stored', async () => {
    const target = await open();
    const writer = secondWriter(target);
    disk.failNext = true;
    await expect(write(writer, 'unsynced')).rejects.toThrow(/EIO/);
    expect(disk.log).not.toContain('unsynced acknowledged');
    // The next write syncs afresh and is acknowledged.
    expect(await write(writer, 'synced')).toBe(NORMAL);
  });

  it('the main connection syncs each commit before its transaction returns', async () => {
    const target = await open();
    const level = await target.transaction(async (tx) => {
      await target.createOrganisation(tx, { id: 'durable-here', name: 'Here', createdAt: 0 });
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(tx.db);
      return rows[0]!.synchronous;
    });
    expect(level).toBe(FULL);
  });
});

describe('a webhook on SQLite is answered only once its batch is on disk', () => {
  const h = useCaseline('sqlite');

  afterEach(() => {
    disk.held = false;
    disk.release();
  });

  it('stored and visible, it still waits for the sync before its answer', async () => {
    const org = await h.newOrg();
    // The ingest thread starts with the first webhook.
    expect((await h.text(org, '+447700900300', 'first')).status).toBe(200);
    disk.log.length = 0;
    disk.held = true;
    let answered = false;
    const answer = h.text(org, '+447700900301', 'held at the disk').then((res) => {
      answered = true;
      return res;
    });
    await until(async () => (await h.records(org)).length === 2 && disk.log.some((line) => line.endsWith('started')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);

    disk.held = false;
    disk.release();
    expect((await answer).status).toBe(200);
  });
});
