import { sql, type Kysely } from 'kysely';

/**
 * Privacy, second part (DESIGN.md §9 "Retention", "Erasure", "Access request"):
 * - `surveys.retention`: JSON `{closedCaseDays}`, null when off.
 * - `records.redacted_at`: when retention or an erasure emptied the case; such a case keeps
 *   its number, survey, times, status and message count for reports, and nothing else.
 * - `records_retention_due`: the closed cases of a survey not yet redacted, by closing time,
 *   so the daily run finds what is due without reading the redacted past.
 * - `privacy_audit`: erasures, access exports and retention runs, who and when and how many;
 *   a person appears only as a keyed hash (never the number).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('surveys').addColumn('retention', 'text').execute();
  await db.schema.alterTable('records').addColumn('redacted_at', 'bigint').execute();
  await db.schema
    .createIndex('records_retention_due')
    .on('records')
    .columns(['survey_id', 'closed_at'])
    .where(sql.ref('redacted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('privacy_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('user_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('survey_id', 'text')
    .addColumn('contact_hash', 'text')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('privacy_audit_org').on('privacy_audit').columns(['org_id', 'at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('privacy_audit').execute();
  await db.schema.dropIndex('records_retention_due').execute();
  await db.schema.alterTable('records').dropColumn('redacted_at').execute();
  await db.schema.alterTable('surveys').dropColumn('retention').execute();
}
