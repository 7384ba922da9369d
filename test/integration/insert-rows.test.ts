import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { describeEachDialect, scratchDatabase } from '../support/dialects.js';

/** `Db.insertRows`, the inserts of a batch of webhooks: every value arrives as it was given. */
describeEachDialect('inserting rows together', (dialect) => {
  const scratch = scratchDatabase(dialect, 'caseline-insert-rows-');
  let db: Db;

  beforeAll(() => {
    db = scratch.db;
  });

  beforeEach(async () => {
    await db.kysely.deleteFrom('jobs').execute();
  });

  const job = (id: string, payload: string | null, dueAt = 1_733_100_000_123) => ({
    id,
    org_id: null,
    kind: 'test.kind',
    subject_id: `subject-${id}`,
    payload,
    state: 'pending' as const,
    due_at: dueAt,
    attempts: 3,
    created_at: dueAt,
    updated_at: dueAt,
  });

  const stored = () =>
    db.kysely.selectFrom('jobs').select(['id', 'payload', 'due_at', 'attempts', 'last_error', 'claimed_until']).orderBy('id').execute();

  it('stores every row with its text, numbers and nulls as given', async () => {
    const payloads = [
      'plain',
      `quotes ' and " and \\ and $1 and ? and :name`,
      'lines\nand\ttabs\r\n',
      'whole pairs \u{1F600}, accents é, scripts 日本語 العربية',
      '{"json":"inside text","n":[1,2]}',
      '',
      null,
    ];
    const rows = payloads.map((payload, i) => job(`j${i}`, payload, 1_733_100_000_000 + i));
    await db.transaction((tx) => db.writeTogether(tx, [db.insertRows(tx, 'jobs', rows)]));
    expect(await stored()).toEqual(
      payloads.map((payload, i) => ({
        id: `j${i}`,
        payload,
        due_at: 1_733_100_000_000 + i,
        attempts: 3,
        // Columns the rows leave out are null.
        last_error: null,
        claimed_until: null,
      })),
    );
  });

  it('runs beside other writes in one writeTogether, and with no rows writes nothing', async () => {
    await db.transaction(async (tx) => {
      expect(db.insertRows(tx, 'jobs', [])).toBeNull();
      await db.writeTogether(tx, [
        db.insertRows(tx, 'jobs', [job('a', 'first')]),
        db.insertRows(tx, 'jobs', []),
        tx.db.insertInto('jobs').values(job('b', 'second')),
        db.insertRows(tx, 'jobs', [job('c', 'third'), job('d', null)]),
      ]);
    });
    expect((await stored()).map((row) => [row.id, row.payload])).toEqual([
      ['a', 'first'],
      ['b', 'second'],
      ['c', 'third'],
      ['d', null],
    ]);
  });

  it('rolls back with its transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await db.writeTogether(tx, [db.insertRows(tx, 'jobs', [job('x', 'kept?')])]);
        // The same primary key again fails the transaction.
        await db.writeTogether(tx, [db.insertRows(tx, 'jobs', [job('x', 'again')])]);
      }),
    ).rejects.toThrow();
    expect(await stored()).toEqual([]);
  });

  it('stores a row that holds half a surrogate pair rather than refusing it', async () => {
    await db.transaction((tx) => db.writeTogether(tx, [db.insertRows(tx, 'jobs', [job('h', 'a\ud800b'), job('i', 'fine')])]));
    const rows = await stored();
    expect(rows.map((row) => row.id)).toEqual(['h', 'i']);
    expect(rows[0]!.payload).toMatch(/^a\uFFFD+b$/);
    expect(rows[1]!.payload).toBe('fine');
  });

  if (dialect === 'pg') {
    it('on PostgreSQL sends the rows as one parameter, whatever their number', async () => {
      await db.transaction(async (tx) => {
        const rows = Array.from({ length: 2_000 }, (_, i) => job(`m${String(i).padStart(4, '0')}`, `p${i}`));
        const query = db.insertRows(tx, 'jobs', rows)!;
        expect(query.compile().parameters).toHaveLength(1);
        await db.writeTogether(tx, [query]);
      });
      const rows = await stored();
      expect(rows).toHaveLength(2_000);
      expect(rows[1_999]).toMatchObject({ id: 'm1999', payload: 'p1999' });
    });
  }
});
