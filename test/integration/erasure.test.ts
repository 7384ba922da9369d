import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';
import { addSurvey, drainOutbox, givePersonACase, givePersonAHistory, recordingSandbox } from '../support/person-kit.js';

/**
 * Erasure of one person (DESIGN.md §9 "Erasure", §13 "privacy answers"): every case,
 * message, media item, opt-out and history detail about them goes; one tombstone per case
 * names the admin who erased it and not the person; everyone else is untouched.
 */
describeEachDialect('erasure of a person', (dialect) => {
  const sandbox = recordingSandbox();
  const h = useCaseline(dialect, { providers: sandbox.providers });
  let seq = 0;
  /** Each test's people have numbers no other test uses: the table scan reads the whole database. */
  const newContact = () => `+447700900${String(300 + ++seq)}`;

  const erase = (user: TestUser, body: unknown) => h.request('POST', '/api/v1/contacts/erase', { token: user.token, body });
  const get = (user: TestUser, url: string) => h.request('GET', url, { token: user.token });

  async function setup() {
    const org = await h.newOrg();
    const second = await addSurvey(h, org, '+44 7700 900001');
    const bob = newContact();
    const bobCase = await givePersonACase(h, org, bob);
    const person = await givePersonAHistory(h, org, second, newContact(), seq);
    return { org, second, bob, bobCase, person };
  }

  /** Everything a user can read of a case: its view, notes and history. */
  async function caseAsSeen(org: TestOrg, n: number) {
    return {
      record: await h.record(org, n),
      notes: (await get(org.admin, `/api/v1/records/${n}/notes`)).body,
      history: (await get(org.admin, `/api/v1/records/${n}/history`)).body,
    };
  }

  /**
   * Every text column of every table, from the database's own catalogue, that holds `text`
   * in some row: a column added later is scanned without anyone listing it.
   */
  async function columnsHolding(text: string): Promise<string[]> {
    const db = h.caseline().db.kysely;
    const columns: Array<{ table: string; column: string }> = [];
    if (dialect === 'sqlite') {
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
        db,
      );
      for (const { name } of tables.rows) {
        const info = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(db);
        for (const column of info.rows) if (/text|char|clob/i.test(column.type)) columns.push({ table: name, column: column.name });
      }
    } else {
      const info = await sql<{ table_name: string; column_name: string }>`
        select table_name, column_name from information_schema.columns
        where table_schema = current_schema() and data_type in ('text', 'character varying')`.execute(db);
      for (const row of info.rows) columns.push({ table: row.table_name, column: row.column_name });
    }
    expect(columns.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const { table, column } of columns) {
      const position = dialect === 'sqlite' ? sql`instr(${sql.ref(column)}, ${text})` : sql`strpos(${sql.ref(column)}, ${text})`;
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${position} > 0`.execute(db);
      if (Number(rows[0]!.n) > 0) found.push(`${table}.${column}`);
    }
    return found.sort();
  }

  const digits = (contact: string) => contact.replace('+', '');

  it('erases every case, message, media item and opt-out of the person and answers the counts; nothing in any table holds the number', async () => {
    const { org, person } = await setup();
    // The scan finds the number where the history put it, so it can tell when it is gone.
    const before = await columnsHolding(digits(person.contact));
    expect(before).toEqual(
      expect.arrayContaining([
        'messages.body',
        'messages.contact',
        'messages.error_text',
        'notes.text',
        'opt_outs.contact',
        'outbox.last_error',
        'records.answers',
        'records.contact',
      ]),
    );
    const messagesBefore = [person.closedCase, person.openCase, person.otherSurveyCase].map(
      async (n) => (await h.record(org, n)).messages.length as number,
    );
    const counted = (await Promise.all(messagesBefore)).reduce((a, b) => a + b, 0);

    const res = await erase(org.admin, { contact: person.contact });
    expect(res.status).toBe(200);
    // Two replies, the question, the photo, STOP, and survey two's message and queued reply.
    expect(res.body).toEqual({ records: 3, messages: counted, media: 1 });
    expect(counted).toBe(7);

    expect(await columnsHolding(digits(person.contact))).toEqual([]);
    expect(await columnsHolding(person.contact)).toEqual([]);
  });

  it("after erasure the person's cases show no contact, text, answers but status, notes, labels or media, and each has one tombstone naming the admin", async () => {
    const { org, person } = await setup();
    const before = new Map<number, { status: string; answers: Record<string, unknown> }>();
    for (const n of [person.closedCase, person.openCase, person.otherSurveyCase]) before.set(n, await h.record(org, n));
    expect((await erase(org.admin, { contact: person.contact })).status).toBe(200);

    for (const n of [person.closedCase, person.openCase, person.otherSurveyCase]) {
      const { record, notes, history } = await caseAsSeen(org, n);
      expect(record.contact).toBeNull();
      // The status question's answer alone stays, for reports.
      expect(record.status).toBe(before.get(n)!.status);
      expect(record.answers).toEqual({ status: before.get(n)!.answers.status });
      expect(before.get(n)!.answers.phone).toBe(person.contact);
      expect(record.labels).toEqual([]);
      expect(record.redactedAt).toEqual(expect.any(String));
      expect(record.messages.length).toBeGreaterThan(0);
      for (const message of record.messages) {
        expect(message.text).toBe('');
        expect(message.media).toEqual([]);
        expect(message.error?.message ?? '').not.toContain(digits(person.contact));
      }
      expect(notes.items).toEqual([]);
      const tombstones = history.items.filter((e: { action: string }) => e.action === 'erased');
      expect(tombstones).toEqual([expect.objectContaining({ action: 'erased', user: expect.objectContaining({ id: org.admin.id }) })]);
      expect(JSON.stringify(history.items)).not.toContain(digits(person.contact));
      for (const entry of history.items as Array<{ action: string; detail: Record<string, unknown> }>) {
        if (entry.action !== 'erased') expect(entry.detail).toEqual({});
      }
    }
    // The photo's bytes are no longer served.
    expect((await get(org.admin, `/api/v1/media/${person.mediaId}`)).status).toBe(404);
    // Searching by the number finds nothing.
    const search = await get(org.admin, `/api/v1/surveys/${org.surveyId}/records?status=all&contact=${encodeURIComponent(person.contact)}`);
    expect(search.body.items).toEqual([]);
    // The opt-out is gone: nothing holds the person as opted out.
    const optOuts = await h.caseline().db.kysely.selectFrom('opt_outs').select('contact').where('contact', '=', person.contact).execute();
    expect(optOuts).toEqual([]);
  });

  it('a reply still queued in an open case is dropped, never sent, and fails as erased', async () => {
    const { org, person } = await setup();
    expect((await erase(org.admin, { contact: person.contact })).status).toBe(200);
    const sentBefore = sandbox.sent.length;
    await drainOutbox(h);
    expect(sandbox.sent.slice(sentBefore)).toEqual([]);
    expect(sandbox.sent.find((m) => m.messageId === person.queuedMessageId)).toBeUndefined();
    const queued = (await h.record(org, person.otherSurveyCase)).messages.find((m: { id: string }) => m.id === person.queuedMessageId);
    expect(queued).toMatchObject({ status: 'failed', text: '', error: { code: 'erased' } });
  });

  it('another person on the same number is untouched, case and history byte for byte', async () => {
    const { org, bob, bobCase, person } = await setup();
    const before = await caseAsSeen(org, bobCase);
    expect((await erase(org.admin, { contact: person.contact })).status).toBe(200);
    expect(await caseAsSeen(org, bobCase)).toEqual(before);
    expect(before.record.contact).toBe(bob);
  });

  it('a second erasure of the same person answers zeros and adds no tombstone', async () => {
    const { org, person } = await setup();
    expect((await erase(org.admin, { contact: person.contact })).body).toMatchObject({ records: 3 });
    const again = await erase(org.admin, { contact: person.contact });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ records: 0, messages: 0, media: 0 });
    const history = (await get(org.admin, `/api/v1/records/${person.openCase}/history`)).body.items;
    expect(history.filter((e: { action: string }) => e.action === 'erased')).toHaveLength(1);
  });

  it('the number is read however it is written', async () => {
    const { org, person } = await setup();
    const written = `00${person.contact.slice(1, 3)} ${person.contact.slice(3, 7)} ${person.contact.slice(7)}`;
    expect((await erase(org.admin, { contact: written })).body).toMatchObject({ records: 3 });
  });

  it("surveyId limits the erasure to that survey's cases, messages and numbers", async () => {
    const { org, second, person } = await setup();
    const kept = await caseAsSeen(org, person.openCase);
    const res = await erase(org.admin, { contact: person.contact, surveyId: second.surveyId });
    expect(res.status).toBe(200);
    // The message and the queued reply of survey two's case.
    expect(res.body).toEqual({ records: 1, messages: 2, media: 0 });
    expect((await h.record(org, person.otherSurveyCase)).contact).toBeNull();
    expect(await caseAsSeen(org, person.openCase)).toEqual(kept);
    expect((await h.record(org, person.closedCase)).contact).toBe(person.contact);
    expect((await get(org.admin, `/api/v1/media/${person.mediaId}`)).status).toBe(200);
    // The opt-out belongs to survey one's number: it stays.
    const optOuts = await h.caseline().db.kysely.selectFrom('opt_outs').select('contact').where('contact', '=', person.contact).execute();
    expect(optOuts).toHaveLength(1);
  });

  it('only an admin erases; bad input is refused with a code and changes nothing', async () => {
    const { org, person } = await setup();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    const before = await caseAsSeen(org, person.openCase);
    for (const user of [analyst, viewer]) {
      const res = await erase(user, { contact: person.contact });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const notANumber = await erase(org.admin, { contact: 'Alice Smith' });
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(notANumber.body)).not.toContain('Alice');
    const unknownSurvey = await erase(org.admin, { contact: person.contact, surveyId: 'no-such-survey' });
    expect(unknownSurvey.status).toBe(404);
    const outsider = await h.newOrg();
    const otherOrgSurvey = await erase(org.admin, { contact: person.contact, surveyId: outsider.surveyId });
    expect(otherOrgSurvey.status).toBe(404);
    expect((await erase(org.admin, { contact: '' })).status).toBe(400);
    expect((await erase(org.admin, { contact: person.contact, extra: 1 })).status).toBe(400);
    expect(await caseAsSeen(org, person.openCase)).toEqual(before);
    // Another organisation's admin erases nothing of this one's.
    expect((await erase(outsider.admin, { contact: person.contact })).body).toEqual({ records: 0, messages: 0, media: 0 });
    expect(await caseAsSeen(org, person.openCase)).toEqual(before);
  });

  it('the privacy audit trail records the erasure with its counts and the admin, and keeps a fingerprint, never the number', async () => {
    const { org, second, person } = await setup();
    expect((await erase(org.admin, { contact: person.contact, surveyId: second.surveyId })).status).toBe(200);
    expect((await erase(org.admin, { contact: person.contact })).status).toBe(200);
    const trail = await get(org.admin, '/api/v1/audit/privacy?action=erasure');
    expect(trail.status).toBe(200);
    expect(trail.body.items).toEqual([
      expect.objectContaining({
        action: 'erasure',
        userId: org.admin.id,
        surveyId: null,
        counts: { records: 2, messages: 5, media: 1, optOuts: 1 },
      }),
      expect.objectContaining({
        action: 'erasure',
        userId: org.admin.id,
        surveyId: second.surveyId,
        counts: { records: 1, messages: 2, media: 0, optOuts: 0 },
      }),
    ]);
    expect(JSON.stringify(trail.body)).not.toContain(digits(person.contact));
    const rows = await h.caseline().db.kysely.selectFrom('privacy_audit').select('contact_hash').where('org_id', '=', org.orgId).execute();
    const hashes = rows.map((row) => row.contact_hash);
    // The same person leaves the same fingerprint each time, and the fingerprint is not the number.
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toEqual(expect.any(String));
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).not.toContain(digits(person.contact));
  });
});
