import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';

/**
 * SQLite only: PostgreSQL checkpoints in its own server processes. The serving connection
 * never checkpoints; a worker thread does (src/db/sqlite/checkpointer.ts). These tests hold
 * it to what a server that runs for months needs: the WAL does not grow without bound under
 * writes that never pause, and every committed row is in the database afterwards.
 */
describe('SQLite checkpoints on a worker thread', () => {
  let dir: string;
  let db: Db | null = null;

  afterEach(async () => {
    await db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (path: string, checkpointFrames?: number) => {
    db = await openDatabase({ dialect: 'sqlite', path }, { checkpointFrames });
    await db.migrate();
    return db;
  };

  /** Transactions submitted at once, so commits follow one another without a pause. */
  const writeWithoutPause = async (target: Db, walPath: string, transactions = 3000) => {
    let largestWal = 0;
    const watch = setInterval(() => {
      if (existsSync(walPath)) largestWal = Math.max(largestWal, statSync(walPath).size);
    }, 2);
    const payload = 'x'.repeat(3000);
    try {
      await Promise.all(
        Array.from({ length: transactions }, (_, i) =>
          target.transaction(async (tx) => {
            await tx.db
              .insertInto('organisations')
              .values({ id: `org-${i}`, name: `${i} ${payload}`, last_case_number: 0, created_at: i })
              .execute();
            // Sample between statements too: the interval timer cannot run inside a batch.
            if (i % 50 === 0 && existsSync(walPath)) largestWal = Math.max(largestWal, statSync(walPath).size);
          }),
        ),
      );
    } finally {
      clearInterval(watch);
    }
    return largestWal;
  };

  it('keeps the WAL short while commits never pause, and keeps every committed row', async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-checkpoints-'));
    const path = join(dir, 'caseline.db');
    const target = await open(path, 200);

    const largestWal = await writeWithoutPause(target, `${path}-wal`, 9000);

    // ~9,000 pages were written in all (3 KB rows, 4 KiB pages). The WAL holds the 200-page
    // threshold plus whatever commits while one checkpoint finishes, which depends on how
    // busy the machine is: 1,320 pages once on a loaded CI machine. A WAL that is never
    // started over would hold all ~9,000.
    expect(largestWal).toBeGreaterThan(0);
    expect(largestWal).toBeLessThan(3000 * 4096);

    await target.close();
    db = null;
    const reopened = await open(path);
    const { count } = await reopened.kysely
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('id', 'like', 'org-%')
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(9000);
  }, 60_000);

  it('checkpoints in the background: the database file holds committed rows before the connection closes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-checkpoints-'));
    const path = join(dir, 'caseline.db');
    const target = await open(path);
    const sizeBefore = statSync(path).size;
    await writeWithoutPause(target, `${path}-wal`);
    // Give the last background checkpoint a moment to finish.
    const deadline = Date.now() + 5000;
    while (statSync(path).size <= sizeBefore + 3000 * 3000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Without a checkpoint the rows would sit in the WAL and the file would not have grown.
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 3000 * 3000);
  }, 60_000);
});
