import type { Kysely } from 'kysely';

/**
 * Indexes for auto-assignment and the queue's counts (DESIGN.md §7), replacing two of 006's
 * with wider ones under the same names, so no index is added to `records`:
 *
 * - `records_queue` (survey, status, waiting_since, id, locked_by): `sort=waiting` reads it
 *   in order as before; with `locked_by` in it the console header's counts of a survey's
 *   open cases — waiting, and nobody's — are read from the index alone, never from the rows.
 * - `records_holder` (locked_by, status, locked_at): each candidate's open cases and when
 *   they last got one, which auto-assignment decides on, from the index alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_queue').execute();
  await db.schema.createIndex('records_queue').on('records').columns(['survey_id', 'status', 'waiting_since', 'id', 'locked_by']).execute();
  await db.schema.dropIndex('records_holder').execute();
  await db.schema.createIndex('records_holder').on('records').columns(['locked_by', 'status', 'locked_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_holder').execute();
  await db.schema.createIndex('records_holder').on('records').columns(['locked_by', 'status']).execute();
  await db.schema.dropIndex('records_queue').execute();
  await db.schema.createIndex('records_queue').on('records').columns(['survey_id', 'status', 'waiting_since', 'id']).execute();
}
