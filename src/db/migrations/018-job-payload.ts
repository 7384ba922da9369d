import { sql, type Kysely } from 'kysely';

/**
 * What a job acts on besides its subject, as JSON: an inbound batch's media are booked by
 * one job that lists them (src/services/media/fetch-booking.ts), so the webhook's transaction
 * writes one job row however many files its batch carries.
 *
 * And `media_blob` covers only items with bytes: an inbound item is written without them,
 * on the webhook's path, and the index serves only lookups by a blob (a blob still in use).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('payload', 'text').execute();
  await db.schema.dropIndex('media_blob').execute();
  await db.schema
    .createIndex('media_blob')
    .on('media')
    .column('blob_id')
    .where(sql<boolean>`blob_id is not null`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('media_blob').execute();
  await db.schema.createIndex('media_blob').on('media').column('blob_id').execute();
  await db.schema.alterTable('jobs').dropColumn('payload').execute();
}
