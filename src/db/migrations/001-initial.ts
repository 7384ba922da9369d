import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The first schema. Portable types only: text ids, bigint milliseconds, text JSON. Partial
 * and composite indexes are written in SQL both dialects accept.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('last_case_number', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_org').on('users').columns(['org_id', 'email']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('surveys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('questions', 'text', (c) => c.notNull())
    .addColumn('case_management', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('surveys_org').on('surveys').columns(['org_id', 'name']).execute();

  await db.schema
    .createTable('numbers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('survey_id', 'text', (c) => c.notNull().references('surveys.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('our_number', 'text', (c) => c.notNull())
    .addColumn('their_number_question', 'text', (c) => c.notNull())
    .addColumn('conversation_question', 'text', (c) => c.notNull())
    .addColumn('multi_case_reply', 'text')
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('template', 'text')
    .addColumn('send_rate_per_second', 'real', (c) => c.notNull().defaultTo(1))
    .addColumn('next_send_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('numbers_org').on('numbers').columns(['org_id']).execute();

  await db.schema
    .createTable('records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('survey_id', 'text', (c) => c.notNull().references('surveys.id'))
    .addColumn('case_number', 'bigint', (c) => c.notNull())
    .addColumn('contact', 'text')
    .addColumn('number_id', 'text')
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addUniqueConstraint('records_org_case_number', ['org_id', 'case_number'])
    .execute();
  // Routing (rule 4–6) looks up a contact's open cases in a survey.
  await db.schema.createIndex('records_routing').on('records').columns(['survey_id', 'contact', 'status']).execute();
  // The console lists a survey's records by status, newest activity first (keyset paging).
  await db.schema.createIndex('records_listing').on('records').columns(['survey_id', 'status', 'updated_at', 'id']).execute();
  await db.schema.createIndex('records_listing_all').on('records').columns(['survey_id', 'updated_at', 'id']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('number_id', 'text', (c) => c.notNull().references('numbers.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_text', 'text')
    .addColumn('author_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Rule 1: a provider id is stored once per number and direction. NULLs (not yet sent)
  // are distinct on both dialects, so queued outbound messages do not collide.
  await db.schema
    .createIndex('messages_provider_id')
    .on('messages')
    .columns(['number_id', 'direction', 'provider_message_id'])
    .unique()
    .execute();
  // Rule 12 and the simulator: a contact's messages on a number, newest first.
  await db.schema.createIndex('messages_contact').on('messages').columns(['number_id', 'contact', 'direction', 'created_at']).execute();

  await db.schema
    .createTable('record_messages')
    .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_messages_pk', ['record_id', 'message_id'])
    .execute();
  await db.schema.createIndex('record_messages_message').on('record_messages').columns(['message_id']).execute();
  await db.schema.createIndex('record_messages_order').on('record_messages').columns(['record_id', 'added_at', 'message_id']).execute();

  await db.schema
    .createTable('notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
    .addColumn('author_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notes_record').on('notes').columns(['record_id', 'created_at']).execute();

  await db.schema
    .createTable('history')
    .addColumn('id', dialect === 'pg' ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
    .addColumn('user_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('history_record').on('history').columns(['record_id', 'id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().unique().references('messages.id'))
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'due_at']).execute();

  // A delivery report can arrive before the worker has recorded the provider's id for
  // the send; it waits here and is applied when the id is recorded.
  await db.schema
    .createTable('early_statuses')
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_text', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('early_statuses_message').on('early_statuses').columns(['number_id', 'provider_message_id']).execute();

  await db.schema
    .createTable('opt_outs')
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('opt_outs_pk', ['number_id', 'contact'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'opt_outs',
    'early_statuses',
    'outbox',
    'history',
    'notes',
    'record_messages',
    'messages',
    'records',
    'numbers',
    'surveys',
    'api_tokens',
    'sessions',
    'users',
    'organisations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
