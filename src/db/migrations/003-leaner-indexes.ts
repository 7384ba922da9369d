import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Fewer index entries to write per inbound message (docs/decisions.md, "Indexes").
 *
 * - `record_messages` is keyed by (message_id, record_id): message ids are time-ordered, so
 *   new links land at the end of the key instead of on a random page of a large index, and
 *   the same key answers "the records of a message", so that index goes. On SQLite the
 *   table becomes WITHOUT ROWID: the key is the table, one B-tree instead of three.
 *
 * `records_routing` stays, though `records_contact_activity` shares its first columns:
 * without it SQLite reads routing's `contact in (…) and status = 'open'` off the survey's
 * listing index, every open case of the survey.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect === 'pg') await sql`drop index record_messages_message`.execute(db);
  await keyLinks(db, dialect, ['message_id', 'record_id'], { withoutRowid: true });
}

export async function down(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await keyLinks(db, dialect, ['record_id', 'message_id'], { withoutRowid: false });
  await db.schema.createIndex('record_messages_message').on('record_messages').columns(['message_id']).execute();
}

/**
 * Gives `record_messages` the primary key `key`. PostgreSQL swaps the constraint in place;
 * SQLite cannot change a table's key, so it copies the rows into a new table with the key
 * (and, when asked, no rowid), replaces the old one and builds the order index again.
 */
async function keyLinks(db: Kysely<any>, dialect: Dialect, key: [string, string], options: { withoutRowid: boolean }): Promise<void> {
  const primaryKey = sql.join(key.map((column) => sql.ref(column)));
  if (dialect === 'pg') {
    await sql`alter table record_messages drop constraint record_messages_pk`.execute(db);
    await sql`alter table record_messages add constraint record_messages_pk primary key (${primaryKey})`.execute(db);
    return;
  }
  await sql`
    create table record_messages_rebuilt (
      message_id text not null references messages (id),
      record_id text not null references records (id),
      added_at bigint not null,
      constraint record_messages_pk primary key (${primaryKey})
    ) ${sql.raw(options.withoutRowid ? 'without rowid' : '')}`.execute(db);
  await sql`insert into record_messages_rebuilt (message_id, record_id, added_at) select message_id, record_id, added_at from record_messages`.execute(
    db,
  );
  await sql`drop table record_messages`.execute(db);
  await sql`alter table record_messages_rebuilt rename to record_messages`.execute(db);
  await db.schema.createIndex('record_messages_order').on('record_messages').columns(['record_id', 'added_at', 'message_id']).execute();
}
