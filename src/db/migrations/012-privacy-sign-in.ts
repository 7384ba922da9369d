import { sql, type Kysely } from 'kysely';

/**
 * Privacy, first part (DESIGN.md §9, §13 "organisation settings", "two-factor details"):
 * - `organisations.mask_contacts` (0/1), `require_two_factor` (`none` | `admins` |
 *   `everyone`), `session_idle_minutes` (a session unused this long ends; 8 hours by default).
 * - `users.totp_secret` (sealed like provider credentials; set at enrolment, confirmed by
 *   `totp_enabled_at`) and `totp_last_step` (the last time step whose code was accepted: a
 *   code is refused if it was already used in its window).
 * - `recovery_codes`: ten one-time codes per user, kept as hashes.
 * - `sessions.last_seen_at`: the idle timeout counts from it.
 * - `access_log`: who read which case, media item or export, and when (never search terms).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('mask_contacts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('organisations')
    .addColumn('require_two_factor', 'text', (c) => c.notNull().defaultTo('none'))
    .execute();
  await db.schema
    .alterTable('organisations')
    .addColumn('session_idle_minutes', 'integer', (c) => c.notNull().defaultTo(480))
    .execute();
  await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_enabled_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
  await db.schema.alterTable('sessions').addColumn('last_seen_at', 'bigint').execute();
  await db
    .updateTable('sessions')
    .set({ last_seen_at: sql`created_at` })
    .execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('access_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text')
    .addColumn('case_number', 'bigint')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_log_org').on('access_log').columns(['org_id', 'at', 'id']).execute();
  await db.schema.createIndex('access_log_user').on('access_log').columns(['org_id', 'user_id', 'at']).execute();
  await db.schema.createIndex('access_log_case').on('access_log').columns(['org_id', 'case_number', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('access_log').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
  await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
  await db.schema.alterTable('users').dropColumn('totp_enabled_at').execute();
  await db.schema.alterTable('users').dropColumn('totp_secret').execute();
  await db.schema.alterTable('organisations').dropColumn('session_idle_minutes').execute();
  await db.schema.alterTable('organisations').dropColumn('require_two_factor').execute();
  await db.schema.alterTable('organisations').dropColumn('mask_contacts').execute();
}
