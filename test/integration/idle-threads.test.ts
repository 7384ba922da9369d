import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';

/**
 * SQLite only: the second writer's and the checkpointer's threads exist while there is work
 * (src/db/sqlite/idle-thread.ts), so an idle server holds neither isolate. What a user must
 * never see is a lost or doubled write across a thread's stop and the next one's start.
 */
describe('SQLite worker threads stop when idle and start again on demand', () => {
  let dir: string;
  let db: Db | null = null;

  afterEach(async () => {
    await db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (threadQuietMs: number) => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-idle-'));
    db = await openDatabase({ dialect: 'sqlite', path: join(dir, 'caseline.db') }, { threadQuietMs });
    await db.migrate();
    return db;
  };
  const writerOf = (target: Db) => {
    const writer = target.openSecondWriter<{ id: string }, number>(new URL('../support/thread-id-writer.ts', import.meta.url), null);
    if (!writer) throw new Error('no second writer');
    return writer;
  };
  const storedIds = async (target: Db) =>
    (await target.kysely.selectFrom('organisations').select('id').orderBy('id').execute()).map((row) => row.id);

  it('writes that keep coming share one thread', async () => {
    const target = await open(2_000);
    const writer = writerOf(target);
    const threads = new Set<number>();
    for (let i = 0; i < 20; i++) threads.add(await writer.write({ id: `steady-${String(i).padStart(2, '0')}` }));
    expect(threads.size).toBe(1);
    expect(writer.writesCommitted).toBe(20);
  });

  it('after a quiet spell the next write runs on a new thread, and every write is stored once', async () => {
    const target = await open(50);
    const writer = writerOf(target);
    const first = await Promise.all(['a-1', 'a-2', 'a-3'].map((id) => writer.write({ id })));
    expect(new Set(first).size).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await Promise.all(['b-1', 'b-2'].map((id) => writer.write({ id })));
    expect(new Set(second).size).toBe(1);
    expect(second[0]).not.toBe(first[0]);

    expect(writer.writesCommitted).toBe(5);
    expect(await storedIds(target)).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'b-2']);
  });

  it('a write that arrives while the idle thread is stopping is stored by the next thread', async () => {
    const target = await open(20);
    const writer = writerOf(target);
    await writer.write({ id: 'before' });
    // Writes at random moments around the thread's stop: none fails, none is lost.
    const ids: string[] = [];
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 15 + round * 2));
      const id = `around-${String(round).padStart(2, '0')}`;
      ids.push(id);
      await writer.write({ id });
    }
    expect(await storedIds(target)).toEqual([...ids, 'before'].sort());
  });

  it('commits on the main connection after a quiet spell are checkpointed by a new checkpoint thread', async () => {
    const target = await open(30);
    const path = join(dir, 'caseline.db');
    const payload = 'x'.repeat(100_000);
    const insertBig = (id: string) =>
      target.transaction((tx) => target.createOrganisation(tx, { id, name: `${id} ${payload}`, createdAt: 0 }));
    /** Waits until the database file itself (not only the WAL) has grown past `size`. */
    const fileGrowsPast = async (size: number) => {
      const deadline = Date.now() + 5000;
      while (statSync(path).size <= size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return statSync(path).size;
    };
    const start = statSync(path).size;
    await insertBig('first');
    const afterFirst = await fileGrowsPast(start + 50_000);
    expect(afterFirst).toBeGreaterThan(start + 50_000);
    // The checkpoint thread stops after 30 ms with nothing to do; the next commit starts one.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await insertBig('second');
    expect(await fileGrowsPast(afterFirst + 50_000)).toBeGreaterThan(afterFirst + 50_000);
  });
});
