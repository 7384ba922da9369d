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
  if (dialect === 'sqlite') {
    await sql`
      create table record_messages_keyed (
        message_id text not null references messages (id),
        record_id text not null references records (id),
        added_at bigint not null,
        constraint record_messages_pk primary key (message_id, record_id)
      ) without rowid`.execute(db);
    await sql`insert into record_messages_keyed (message_id, record_id, added_at) select message_id, record_id, added_at from record_messages`.execute(db);
    await sql`drop table record_messages`.execute(db);
    await sql`alter table record_messages_keyed rename to record_messages`.execute(db);
    await db.schema.createIndex('record_messages_order').on('record_messages').columns(['record_id', 'added_at', 'message_id']).execute();
  } else {
    await sql`drop index record_messages_message`.execute(db);
    await sql`alter table record_messages drop constraint record_messages_pk`.execute(db);
    await sql`alter table record_messages add constraint record_messages_pk primary key (message_id, record_id)`.execute(db);
  }
}

export async function down(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`
      create table record_messages_rowid (
        record_id text not null references records (id),
        message_id text not null references messages (id),
        added_at bigint not null,
        constraint record_messages_pk primary key (record_id, message_id)
      )`.execute(db);
    await sql`insert into record_messages_rowid (record_id, message_id, added_at) select record_id, message_id, added_at from record_messages`.execute(db);
    await sql`drop table record_messages`.execute(db);
    await sql`alter table record_messages_rowid rename to record_messages`.execute(db);
    await db.schema.createIndex('record_messages_order').on('record_messages').columns(['record_id', 'added_at', 'message_id']).execute();
  } else {
    await sql`alter table record_messages drop constraint record_messages_pk`.execute(db);
    await sql`alter table record_messages add constraint record_messages_pk primary key (record_id, message_id)`.execute(db);
  }
  await db.schema.createIndex('record_messages_message').on('record_messages').columns(['message_id']).execute();
}
