import type { Kysely } from 'kysely';

/**
 * The console language a user chose (DESIGN.md §11, §13 "my own settings"). Null until they
 * choose one: the console then follows the browser's language.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('language', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('language').execute();
}
