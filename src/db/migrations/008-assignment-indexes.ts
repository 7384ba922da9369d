import type { Kysely } from 'kysely';

/**
 * Auto-assignment and the queue's counts (DESIGN.md §7) read `records_holder`, which this
 * widens from 006's (locked_by, status) to (locked_by, status, survey_id, locked_at) under
 * the same name, so `records` keeps the same number of indexes:
 *
 * - each candidate's open cases, and when they got the newest of them, which
 *   auto-assignment decides on, come from the index alone;
 * - a survey's open cases nobody holds (`locked_by` null), or one person holds, are one
 *   range of it, so the console header counts them without reading other surveys' entries
 *   or any row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_holder').execute();
  await db.schema.createIndex('records_holder').on('records').columns(['locked_by', 'status', 'survey_id', 'locked_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_holder').execute();
  await db.schema.createIndex('records_holder').on('records').columns(['locked_by', 'status']).execute();
}
