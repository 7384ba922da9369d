import type { Kysely } from 'kysely';
import * as contactActivity from './002-contact-activity-index.js';

/**
 * Fewer indexes on `records`, so an inbound message writes fewer index entries
 * (docs/decisions.md, "Indexes"). Every message to an open case moves its `updated_at`, and
 * each index holding that column moves the case's entry: a page at its old place and one at
 * its new. Two such indexes go; `records_listing` (survey, status, updated_at, id) stays for
 * the lists.
 *
 * - `records_contact_activity` (survey, contact, updated_at, id): a search by contact reads
 *   `records_routing` (survey, contact, status) instead and orders that person's few cases.
 * - `records_listing_all` (survey, updated_at, id): a list of every status takes a page of
 *   each status from `records_listing` and orders those rows (`recordsPageQuery` in
 *   src/services/records.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_contact_activity').execute();
  await db.schema.dropIndex('records_listing_all').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await contactActivity.up(db);
  await db.schema.createIndex('records_listing_all').on('records').columns(['survey_id', 'updated_at', 'id']).execute();
}
