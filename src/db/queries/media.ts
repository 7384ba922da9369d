import { sql } from 'kysely';
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

/** Blobs made before `before` that no media item uses (any longer), up to `limit`: each a lookup in `media_blob`. */
export function orphanBlobsQuery(db: Executor, before: number, limit: number) {
  return db
    .selectFrom('media_blobs as b')
    .select('b.id')
    .where('b.created_at', '<', before)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('media as m')
            .select(sql`1`.as('one'))
            .whereRef('m.blob_id', '=', 'b.id'),
        ),
      ),
    )
    .limit(limit);
}
