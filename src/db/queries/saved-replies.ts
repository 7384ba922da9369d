import type { Executor } from '../database.js';
import type { SavedReplyTable } from '../schema.js';

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * An organisation's saved replies (DESIGN.md §7), by title whatever its case, the same on
 * both dialects (sorted here, not by a database collation).
 */
export async function orgSavedReplies(db: Executor, orgId: string): Promise<SavedReplyTable[]> {
  const rows = await db.selectFrom('saved_replies').selectAll().where('org_id', '=', orgId).execute();
  return rows.sort((a, b) => collator.compare(a.title, b.title) || (a.id < b.id ? -1 : 1));
}

export function findSavedReply(db: Executor, orgId: string, id: string): Promise<SavedReplyTable | undefined> {
  return db.selectFrom('saved_replies').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertSavedReply(db: Executor, row: SavedReplyTable): Promise<void> {
  await db.insertInto('saved_replies').values(row).execute();
}

export async function updateSavedReply(
  db: Executor,
  orgId: string,
  id: string,
  change: Partial<Pick<SavedReplyTable, 'title' | 'text' | 'language' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('saved_replies').set(change).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Whether a reply was deleted (false: none of the organisation's had that id). */
export async function deleteSavedReply(db: Executor, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('saved_replies').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
