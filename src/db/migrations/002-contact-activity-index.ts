import type { Kysely } from 'kysely';

/**
 * The console's search by contact lists one person's records newest first. With only the
 * routing index, SQLite's planner walks the survey's activity index instead and reads every
 * record; this index answers the filter and the order together, on both dialects.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('records_contact_activity').on('records').columns(['survey_id', 'contact', 'updated_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_contact_activity').ifExists().execute();
}
