import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Hardening (docs/security.md):
 *
 * - `numbers.webhook_token`: the secret segment of a number's webhook paths, apart from the
 *   id that analysts see (DESIGN.md §13, "webhook paths"). Existing numbers keep their id
 *   as token, so URLs already pasted into providers' consoles keep working until an admin
 *   rotates them.
 * - `api_tokens.expires_at`: an optional expiry.
 * - `records.version`: raised by every change to answers or status, so a write based on a
 *   stale read is refused (`stale_record`).
 * - `users.email` unique per organisation rather than across all of them, so creating a user
 *   never reveals that an address is registered with another organisation.
 * - `server_settings`: facts every server process shares, such as the sealed check value
 *   that proves a process's `CASELINE_SECRET_KEY` is the one the credentials were sealed with.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('numbers').addColumn('webhook_token', 'text').execute();
  await sql`update numbers set webhook_token = id`.execute(db);
  await db.schema.createIndex('numbers_webhook_token').on('numbers').columns(['webhook_token']).unique().execute();

  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'bigint').execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id']).execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();

  await db.schema
    .alterTable('records')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await emailUniqueWithin(db, dialect, 'organisation');

  await db.schema
    .createTable('server_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.dropTable('server_settings').execute();
  await emailUniqueWithin(db, dialect, 'everywhere');
  await db.schema.alterTable('records').dropColumn('version').execute();
  await db.schema.dropIndex('sessions_user').execute();
  await db.schema.dropIndex('api_tokens_user').execute();
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.dropIndex('numbers_webhook_token').execute();
  await db.schema.alterTable('numbers').dropColumn('webhook_token').execute();
}

/**
 * PostgreSQL swaps the constraint in place. SQLite cannot drop a column's inline `unique`,
 * so the table is copied into one without it; foreign keys are off meanwhile, because
 * dropping the old table would otherwise check every session and token that refers to it
 * (Kysely runs SQLite migrations outside a transaction, where the pragma takes effect).
 */
async function emailUniqueWithin(db: Kysely<any>, dialect: Dialect, scope: 'organisation' | 'everywhere'): Promise<void> {
  if (dialect === 'pg') {
    if (scope === 'organisation') {
      await sql`alter table users drop constraint users_email_key`.execute(db);
    } else {
      await sql`alter table users add constraint users_email_key unique (email)`.execute(db);
    }
  } else {
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      await sql`
        create table users_rebuilt (
          id text primary key,
          org_id text not null references organisations (id),
          email text not null ${sql.raw(scope === 'everywhere' ? 'unique' : '')},
          name text not null,
          role text not null,
          password_hash text not null,
          active integer not null default 1,
          created_at bigint not null,
          updated_at bigint not null
        )`.execute(db);
      await sql`insert into users_rebuilt (id, org_id, email, name, role, password_hash, active, created_at, updated_at)
        select id, org_id, email, name, role, password_hash, active, created_at, updated_at from users`.execute(db);
      await sql`drop table users`.execute(db);
      await sql`alter table users_rebuilt rename to users`.execute(db);
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  }
  if (scope === 'organisation') {
    if (dialect === 'pg') await db.schema.dropIndex('users_org').execute();
    await db.schema.createIndex('users_org').on('users').columns(['org_id', 'email']).unique().execute();
    await db.schema.createIndex('users_email').on('users').columns(['email']).execute();
  } else {
    // On SQLite the rebuilt table came without the old table's indexes.
    if (dialect === 'pg') {
      await db.schema.dropIndex('users_email').execute();
      await db.schema.dropIndex('users_org').execute();
    }
    await db.schema.createIndex('users_org').on('users').columns(['org_id', 'email']).execute();
  }
}
