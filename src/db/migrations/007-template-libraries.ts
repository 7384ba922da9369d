import type { Kysely } from 'kysely';

/**
 * Template libraries (DESIGN.md §7 "Templates"): `numbers.templates` holds a JSON list of
 * `{name, language, body, parameters}` and replaces part one's single `numbers.template`.
 * Each stored template moves into the list as its first entry with an empty body (its
 * parameters keep `{text}`, filled from what the worker types, as before). The old column is
 * dropped so there is one place a template lives; `down` puts the first entry back in it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('numbers')
    .addColumn('templates', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  const rows = await db.selectFrom('numbers').select(['id', 'template']).where('template', 'is not', null).execute();
  for (const row of rows as Array<{ id: string; template: string }>) {
    await db
      .updateTable('numbers')
      .set({ templates: JSON.stringify([libraryEntry(row.template)].filter(Boolean)) })
      .where('id', '=', row.id)
      .execute();
  }
  await db.schema.alterTable('numbers').dropColumn('template').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('numbers').addColumn('template', 'text').execute();
  const rows = await db.selectFrom('numbers').select(['id', 'templates']).execute();
  for (const row of rows as Array<{ id: string; templates: string }>) {
    const first = (JSON.parse(row.templates) as Array<{ name: string; language: string; parameters: string[] }>)[0];
    if (!first) continue;
    await db
      .updateTable('numbers')
      .set({ template: JSON.stringify({ name: first.name, language: first.language, parameters: first.parameters }) })
      .where('id', '=', row.id)
      .execute();
  }
  await db.schema.alterTable('numbers').dropColumn('templates').execute();
}

/** Part one's `{name, language, parameters}`; a row that does not parse is left out rather than failing the upgrade. */
function libraryEntry(stored: string): { name: string; language: string; body: string; parameters: string[] } | null {
  try {
    const t = JSON.parse(stored) as { name?: unknown; language?: unknown; parameters?: unknown };
    if (typeof t.name !== 'string' || typeof t.language !== 'string') return null;
    const parameters = Array.isArray(t.parameters) ? t.parameters.filter((p): p is string => typeof p === 'string') : [];
    return { name: t.name, language: t.language, body: '', parameters };
  } catch {
    return null;
  }
}
