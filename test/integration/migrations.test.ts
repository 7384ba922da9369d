import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import * as leanerIndexes from '../../src/db/migrations/003-leaner-indexes.js';
import * as fewerRecordIndexes from '../../src/db/migrations/004-fewer-record-indexes.js';
import * as teamCaseWork from '../../src/db/migrations/006-team-case-work.js';
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
    const latest = [
      'records_closes',
      'records_first_responses',
      'records_holder',
      'records_listing',
      'records_queue',
      'records_retention_due',
      'records_routing',
    ];
    expect(await indexes()).toEqual(latest);

    await h.text(org, '+447700900510', 'first');
    await db.kysely.transaction().execute((trx) => fewerRecordIndexes.down(trx));
    expect(await indexes()).toEqual([
      'records_closes',
      'records_contact_activity',
      'records_first_responses',
      'records_holder',
      'records_listing',
      'records_listing_all',
      'records_queue',
      'records_retention_due',
      'records_routing',
    ]);
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

/**
 * Migration 006 computes `waiting_since` for the cases that exist when it runs: the first
 * inbound message after the last one a person wrote, or null when a person answered last.
 */
describeEachDialect('migration 006 (team case work)', (dialect) => {
  const h = useCaseline(dialect);

  it('gives existing cases the time of their first unanswered message, and none to an answered case', async () => {
    const org = await h.newOrg();
    const { db } = h.caseline();
    await h.text(org, '+447700900601', 'answered, then wrote again');
    await h.text(org, '+447700900602', 'never answered');
    await h.text(org, '+447700900603', 'answered last');
    const byContact = async () => {
      const rows = await db.kysely
        .selectFrom('records')
        .select(['case_number', 'contact', 'waiting_since'])
        .where('org_id', '=', org.orgId)
        .execute();
      return new Map(
        rows.map((r) => [
          r.contact,
          { caseNumber: Number(r.case_number), waitingSince: r.waiting_since === null ? null : Number(r.waiting_since) },
        ]),
      );
    };
    const cases = await byContact();
    for (const contact of ['+447700900601', '+447700900603']) {
      const caseNumber = cases.get(contact)!.caseNumber;
      await h.request('POST', `/api/v1/records/${caseNumber}/lock`, { token: org.admin.token });
      expect((await h.reply(org, caseNumber, 'a person answers')).status).toBe(202);
    }
    await h.text(org, '+447700900601', 'wrote again after the answer');
    const inboundTime = async (text: string) =>
      Number((await db.kysely.selectFrom('messages').select('created_at').where('body', '=', text).executeTakeFirstOrThrow()).created_at);

    await db.kysely.transaction().execute((trx) => teamCaseWork.down(trx));
    await db.kysely.transaction().execute((trx) => teamCaseWork.up(trx));

    const after = await byContact();
    expect(after.get('+447700900601')!.waitingSince).toBe(await inboundTime('wrote again after the answer'));
    expect(after.get('+447700900602')!.waitingSince).toBe(await inboundTime('never answered'));
    expect(after.get('+447700900603')!.waitingSince).toBeNull();
  });
});
