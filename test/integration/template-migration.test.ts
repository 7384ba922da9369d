import { sql } from 'kysely';
import { expect, it } from 'vitest';
import * as templateLibraries from '../../src/db/migrations/007-template-libraries.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/**
 * Migration 007 replaces part one's single `numbers.template` with a library. Run back
 * to part one's shape and forward again, a stored template comes through as the library's
 * first entry with an empty body, and the API reads it as both.
 */
describeEachDialect('migration 007 (template libraries)', (dialect) => {
  const h = useCaseline(dialect);
  const LEGACY = { name: 'case_update', language: 'en_GB', parameters: ['{text}'] };

  it('moves an existing template into the library, and puts the first entry back when undone', async () => {
    const org = await h.newOrg();
    const { db } = h.caseline();
    const withTemplate = await h.request('PATCH', `/api/v1/numbers/${org.numberId}`, {
      token: org.admin.token,
      body: { template: LEGACY },
    });
    expect(withTemplate.status).toBe(200);
    const other = await h.newOrg();

    await db.kysely.transaction().execute((trx) => templateLibraries.down(trx));
    const partOne = await sql<{
      id: string;
      template: string | null;
    }>`select id, template from numbers where id in (${org.numberId}, ${other.numberId})`.execute(db.kysely);
    const byId = new Map(partOne.rows.map((r) => [r.id, r.template]));
    expect(JSON.parse(byId.get(org.numberId)!)).toEqual(LEGACY);
    expect(byId.get(other.numberId)).toBeNull();
    // A part-one server wrote this one.
    await sql`update numbers set template = ${JSON.stringify({ name: 'reminder', language: 'sw', parameters: [] })} where id = ${other.numberId}`.execute(
      db.kysely,
    );

    await db.kysely.transaction().execute((trx) => templateLibraries.up(trx));
    const read = async (o: typeof org) => (await h.request('GET', `/api/v1/numbers/${o.numberId}`, { token: o.admin.token })).body;
    expect(await read(org)).toMatchObject({ template: LEGACY, templates: [{ ...LEGACY, body: '' }] });
    expect(await read(other)).toMatchObject({
      template: { name: 'reminder', language: 'sw', parameters: [] },
      templates: [{ name: 'reminder', language: 'sw', body: '', parameters: [] }],
    });
  });
});
