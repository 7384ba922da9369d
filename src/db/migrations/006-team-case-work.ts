import { sql, type Kysely } from 'kysely';

/**
 * Team case work (DESIGN.md §7):
 *
 * - `users.available` (off until a user sets it) and `users.capacity` (open cases that
 *   auto-assignment may give one person, default 10).
 * - `surveys.auto_assign`: off by default.
 * - `records.waiting_since`: the time of the first inbound message no person has answered
 *   since, null when answered. Kept in the same transaction as the message that changes it,
 *   so the queue (`sort=waiting`) reads one index instead of every case's messages. It moves
 *   only when a case starts or stops waiting, not with every message.
 * - `labels`, `record_labels` and `saved_replies`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('available', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(10))
    .execute();
  await db.schema
    .alterTable('surveys')
    .addColumn('auto_assign', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.alterTable('records').addColumn('waiting_since', 'bigint').execute();
  // The first inbound message after the last one a person wrote (automatic messages have no author).
  await sql`
    update records set waiting_since = (
      select min(m.created_at) from record_messages rm join messages m on m.id = rm.message_id
      where rm.record_id = records.id and m.direction = 'in' and m.created_at > coalesce((
        select max(m2.created_at) from record_messages rm2 join messages m2 on m2.id = rm2.message_id
        where rm2.record_id = records.id and m2.direction = 'out' and m2.author_id is not null
      ), -1)
    )`.execute(db);
  await db.schema.createIndex('records_queue').on('records').columns(['survey_id', 'status', 'waiting_since', 'id']).execute();
  // Auto-assignment counts each analyst's open cases.
  await db.schema.createIndex('records_holder').on('records').columns(['locked_by', 'status']).execute();

  await db.schema
    .createTable('labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('labels_org_name').on('labels').columns(['org_id', 'name']).unique().execute();
  await db.schema
    .createTable('record_labels')
    .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
    .addColumn('label_id', 'text', (c) => c.notNull().references('labels.id'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_labels_pk', ['record_id', 'label_id'])
    .execute();
  await db.schema.createIndex('record_labels_label').on('record_labels').columns(['label_id', 'record_id']).execute();

  await db.schema
    .createTable('saved_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_replies_org').on('saved_replies').columns(['org_id', 'title']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('saved_replies').execute();
  await db.schema.dropTable('record_labels').execute();
  await db.schema.dropTable('labels').execute();
  await db.schema.dropIndex('records_holder').execute();
  await db.schema.dropIndex('records_queue').execute();
  await db.schema.alterTable('records').dropColumn('waiting_since').execute();
  await db.schema.alterTable('surveys').dropColumn('auto_assign').execute();
  await db.schema.alterTable('users').dropColumn('capacity').execute();
  await db.schema.alterTable('users').dropColumn('available').execute();
}
