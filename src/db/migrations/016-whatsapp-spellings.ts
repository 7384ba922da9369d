import { sql, type Kysely } from 'kysely';

/**
 * One spelling per WhatsApp contact (DESIGN.md §11, docs/decisions.md "One person, several
 * spellings"): contacts stored on WhatsApp numbers before the rule existed are rewritten to
 * it, so every comparison stays a plain equality (routing, opt-outs, search, erasure).
 * Brazilian mobiles gain their ninth digit; Argentine mobiles lose the `9` after `+54`.
 * `whatsapp_addresses` keeps the spelling WhatsApp last gave for a contact stored in another
 * one, as sends must use it; seeded here from each person's latest inbound message.
 * The rule is copied here, not imported: a migration must do tomorrow what it did today.
 */
const BRAZIL_WITHOUT_NINTH = /^\+55([1-9]{2})([6-9][0-9]{7})$/;
const ARGENTINA_WITH_NINE = /^\+549([1-3][0-9]{9})$/;

function oneSpelling(contact: string): string {
  const brazil = BRAZIL_WITHOUT_NINTH.exec(contact);
  if (brazil) return `+55${brazil[1]}9${brazil[2]}`;
  const argentina = ARGENTINA_WITH_NINE.exec(contact);
  if (argentina) return `+54${argentina[1]}`;
  return contact;
}

/** The only contacts the rule can change. */
const mayChange = sql<boolean>`(contact like '+55%' or contact like '+54%')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('whatsapp_addresses')
    .addColumn('number_id', 'text', (c) => c.notNull().references('numbers.id'))
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('whatsapp_addresses_pk', ['number_id', 'contact'])
    .execute();

  await keepLatestSpellings(db);
  const whatsappNumbers = db.selectFrom('numbers').select('id').where('channel', '=', 'whatsapp');

  const messageContacts = await db
    .selectFrom('messages')
    .select(['number_id', 'contact'])
    .distinct()
    .where('number_id', 'in', whatsappNumbers)
    .where(mayChange)
    .execute();
  for (const row of messageContacts as { number_id: string; contact: string }[]) {
    const spelling = oneSpelling(row.contact);
    if (spelling === row.contact) continue;
    await db
      .updateTable('messages')
      .set({ contact: spelling })
      .where('number_id', '=', row.number_id)
      .where('contact', '=', row.contact)
      .execute();
  }

  const records = await db
    .selectFrom('records')
    .select(['id', 'contact', 'answers'])
    .where('number_id', 'in', whatsappNumbers)
    .where(mayChange)
    .execute();
  for (const row of records as { id: string; contact: string; answers: string }[]) {
    const spelling = oneSpelling(row.contact);
    if (spelling === row.contact) continue;
    // The question holding their number holds the same string, quoted, in the answers' JSON.
    const answers = row.answers.split(JSON.stringify(row.contact)).join(JSON.stringify(spelling));
    await db.updateTable('records').set({ contact: spelling, answers }).where('id', '=', row.id).execute();
  }

  const optOuts = await db
    .selectFrom('opt_outs')
    .select(['number_id', 'contact'])
    .where('number_id', 'in', whatsappNumbers)
    .where(mayChange)
    .execute();
  const kept = new Set((optOuts as { number_id: string; contact: string }[]).map((o) => `${o.number_id}|${o.contact}`));
  for (const row of optOuts as { number_id: string; contact: string }[]) {
    const spelling = oneSpelling(row.contact);
    if (spelling === row.contact) continue;
    const old = db.deleteFrom('opt_outs').where('number_id', '=', row.number_id).where('contact', '=', row.contact);
    // Both spellings opted out: one row stays, under the one spelling.
    if (kept.has(`${row.number_id}|${spelling}`)) {
      await old.execute();
      continue;
    }
    await db
      .updateTable('opt_outs')
      .set({ contact: spelling })
      .where('number_id', '=', row.number_id)
      .where('contact', '=', row.contact)
      .execute();
    kept.add(`${row.number_id}|${spelling}`);
  }
}

/** What WhatsApp last called each person whose spelling changes, before their rows are rewritten. */
async function keepLatestSpellings(db: Kysely<any>): Promise<void> {
  const whatsappNumbers = db.selectFrom('numbers').select('id').where('channel', '=', 'whatsapp');
  const inbound = (await db
    .selectFrom('messages')
    .select(['number_id', 'contact', (eb) => eb.fn.max('created_at').as('at')])
    .where('number_id', 'in', whatsappNumbers)
    .where('direction', '=', 'in')
    .where(mayChange)
    .groupBy(['number_id', 'contact'])
    .execute()) as { number_id: string; contact: string; at: number | string }[];
  const latest = new Map<string, { numberId: string; contact: string; address: string; at: number }>();
  for (const row of inbound) {
    const contact = oneSpelling(row.contact);
    const key = `${row.number_id}|${contact}`;
    const at = Number(row.at);
    const known = latest.get(key);
    if (!known || at > known.at) latest.set(key, { numberId: row.number_id, contact, address: row.contact, at });
  }
  for (const kept of latest.values()) {
    if (kept.address === kept.contact) continue;
    await db
      .insertInto('whatsapp_addresses')
      .values({ number_id: kept.numberId, contact: kept.contact, address: kept.address, updated_at: kept.at })
      .execute();
  }
}

/** The rewritten spellings stay (both are one person); only the kept addresses go. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('whatsapp_addresses').execute();
}
