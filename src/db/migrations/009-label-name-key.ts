import type { Kysely } from 'kysely';

/**
 * Label names are unique per organisation regardless of case (DESIGN.md §7, "Labels").
 * `labels.name_key` holds the folded name (src/domain/labels.ts `labelNameKey`), computed
 * by the server rather than with SQL `lower()`, which folds only ASCII on SQLite; a unique
 * index on it keeps two admins who create "Urgent" and "urgent" at once from both
 * succeeding, on PostgreSQL too. It replaces 006's case-sensitive `labels_org_name`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('labels')
    .addColumn('name_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // No API wrote labels before this migration; any row made by hand gets its key with the
  // rule as it stands today (frozen here, as a migration must be).
  const rows = await db.selectFrom('labels').select(['id', 'name']).execute();
  for (const row of rows as Array<{ id: string; name: string }>) {
    const key = row.name.normalize('NFC').replace(/\s+/gu, ' ').trim().normalize('NFKC').toLowerCase();
    await db.updateTable('labels').set({ name_key: key }).where('id', '=', row.id).execute();
  }
  await db.schema.dropIndex('labels_org_name').execute();
  await db.schema.createIndex('labels_org_name_key').on('labels').columns(['org_id', 'name_key']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('labels_org_name_key').execute();
  await db.schema.createIndex('labels_org_name').on('labels').columns(['org_id', 'name']).unique().execute();
  await db.schema.alterTable('labels').dropColumn('name_key').execute();
}
