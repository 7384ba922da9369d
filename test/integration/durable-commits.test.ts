import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';

/** SQLite's `PRAGMA synchronous` level at which a WAL commit syncs the WAL before returning. */
const FULL = 2;

/**
 * SQLite only: PostgreSQL syncs every commit by default (`synchronous_commit = on`). A
 * webhook is answered once its batch committed; for that answer to survive a power cut,
 * the commit must reach the disk before it returns, on the ingest thread's connection
 * (src/db/sqlite/second-writer.ts) and on the main one, which stores status callbacks and
 * inbound batches whenever the thread is not running.
 */
describe('SQLite commits reach the disk before they are acknowledged', () => {
  let dir: string;
  let db: Db | null = null;

  afterEach(async () => {
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

  it('the second writer, which stores inbound batches, syncs each commit before it answers', async () => {
    const target = await open();
    const writer = target.openSecondWriter<{ id: string }, number>(new URL('../support/synchronous-writer.ts', import.meta.url), null);
    if (!writer) throw new Error('no second writer');
    expect(await writer.write({ id: 'durable-on-thread' })).toBe(FULL);
    const stored = await target.kysely.selectFrom('organisations').select('id').where('id', '=', 'durable-on-thread').execute();
    expect(stored).toHaveLength(1);
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
