import type { Executor } from '../database.js';
import type { MediaTable } from '../schema.js';

/** What a media view needs of a media row. */
export type MediaViewRow = Pick<
  MediaTable,
  'id' | 'message_id' | 'content_type' | 'size' | 'name' | 'status' | 'error_code' | 'error_text'
>;

/** The media of these messages, in each message's order. */
export async function mediaOfMessages(db: Executor, messageIds: string[]): Promise<Map<string, MediaViewRow[]>> {
  const byMessage = new Map<string, MediaViewRow[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom('media')
    .select(['id', 'message_id', 'content_type', 'size', 'name', 'status', 'error_code', 'error_text'])
    .where('message_id', 'in', messageIds)
    .orderBy('message_id')
    .orderBy('position')
    .execute();
  for (const row of rows) byMessage.set(row.message_id!, [...(byMessage.get(row.message_id!) ?? []), row]);
  return byMessage;
}
