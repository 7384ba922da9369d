import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import * as leanerIndexes from '../../src/db/migrations/003-leaner-indexes.js';
import * as fewerRecordIndexes from '../../src/db/migrations/004-fewer-record-indexes.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/**
 * Migrations that rebuild a table must carry every row across (an upgrade must not lose a
 * message's place in its case). Migration 003 rebuilds `record_messages`; here it runs
 * back and forth over a database that holds cases, and the links must come out the same.
 */
describeEachDialect('migration 003 (record_messages keyed by message)', (dialect) => {
  const h = useCaseline(dialect);

  it('keeps every link between messages and cases, down and up again, and keeps refusing a duplicate link', async () => {
    const org = await h.newOrg();
    const loaded = await h.caseline().services.inbound.routable(org.numberId);
    for (let i = 0; i < 30; i++) {
      const contact = `+4477009005${String(i % 10).padStart(2, '0')}`;
      await h
        .caseline()
        .services.inbound.receive(
          loaded,
          { providerMessageId: `SM${randomUUID().replaceAll('-', '')}`, from: contact, text: `message ${i}`, media: [] },
          contact,
        );
    }
    const { db } = h.caseline();
    const links = () =>
      db.kysely
        .selectFrom('record_messages')
        .select(['record_id', 'message_id', 'added_at'])
        .orderBy('message_id')
        .orderBy('record_id')
        .execute();
    const before = await links();
    expect(before).toHaveLength(30);

    await db.kysely.transaction().execute((trx) => leanerIndexes.down(trx, dialect));
    expect(await links()).toEqual(before);
    await db.kysely.transaction().execute((trx) => leanerIndexes.up(trx, dialect));
    expect(await links()).toEqual(before);

    await expect(db.kysely.insertInto('record_messages').values(before[0]!).execute()).rejects.toThrow();
    // The service still links new messages after the rebuild.
    const { caseNumbers } = await h
      .caseline()
      .services.inbound.receive(
        loaded,
        { providerMessageId: `SM${randomUUID().replaceAll('-', '')}`, from: '+447700900500', text: 'after', media: [] },
        '+447700900500',
      );
    expect(caseNumbers).toHaveLength(1);
    expect(await links()).toHaveLength(31);
  });
});

/** Migration 004 swaps indexes only; down and up again, routing and the lists still work. */
describeEachDialect('migration 004 (fewer indexes on records)', (dialect) => {
  const h = useCaseline(dialect);

  it('puts back the two indexes it dropped, and drops them again, with cases routed and listed either way', async () => {
    const org = await h.newOrg();
    const { db } = h.caseline();
    // The indexes made as such (not those behind the key and the unique case number).
    const indexes = async () => {
      const { rows } =
        dialect === 'sqlite'
          ? await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'index' and tbl_name = 'records' and sql is not null`.execute(db.kysely)
          : await sql<{
              name: string;
            }>`select indexname as name from pg_indexes where tablename = 'records' and indexname not in (select conname from pg_constraint)`.execute(
              db.kysely,
            );
      return rows.map((r) => r.name).sort();
    };
    const latest = ['records_listing', 'records_routing'];
    expect(await indexes()).toEqual(latest);

    await h.text(org, '+447700900510', 'first');
    await db.kysely.transaction().execute((trx) => fewerRecordIndexes.down(trx));
    expect(await indexes()).toEqual(['records_contact_activity', 'records_listing', 'records_listing_all', 'records_routing']);
    await h.text(org, '+447700900510', 'second, same case');
    await db.kysely.transaction().execute((trx) => fewerRecordIndexes.up(trx));
    expect(await indexes()).toEqual(latest);
    await h.text(org, '+447700900511', 'another person');

    const cases = await h.records(org);
    expect(cases.map((r) => r.contact)).toEqual(['+447700900511', '+447700900510']);
    const first = await h.record(org, cases[1]!.caseNumber);
    expect(first.messages.map((m: { text: string }) => m.text)).toEqual(['first', 'second, same case']);
  });
});
