import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Media end to end (DESIGN.md §6) and the durable job queue that fetches it:
 *
 * - `media`: one row per item a message carries, inbound or outbound, with its status
 *   (`pending` until fetched, then `stored` or `failed`), what it is (type from the bytes,
 *   size, name) and where its bytes are (`blob_id`). An upload not yet sent has no message.
 *   Inbound rows keep `source`, what the provider's adapter needs to fetch the item (a URL,
 *   or Meta's media id), until it is stored.
 * - `media_blobs`: the bytes of one file, content addressed by sha256 within an
 *   organisation, so the same file sent twice is stored once; `store` says which adapter
 *   holds them. `media_chunks`: the database store's bytes, in chunks, so an item is
 *   written and served a chunk at a time whatever its size.
 * - `media_links`: the unguessable, expiring tokens of `/media/out/{token}`, by hash.
 * - `jobs`: durable work (src/jobs/job-worker.ts), claimed like the outbox's rows.
 *
 * `messages.media` (a JSON list of provider URLs) is replaced by `media` rows: each item
 * already stored becomes a pending row with a fetch job, so it is fetched like a new one
 * (and ends `failed` with a reason if the provider's copy is gone).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('media_blobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('store', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_blobs_content').on('media_blobs').columns(['org_id', 'sha256']).unique().execute();
  await db.schema
    .createTable('media_chunks')
    .addColumn('blob_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('bytes', dialect === 'pg' ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_chunks_pk', ['blob_id', 'seq'])
    .execute();

  await db.schema
    .createTable('media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('message_id', 'text', (c) => c.references('messages.id'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('number_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('declared_type', 'text')
    .addColumn('content_type', 'text')
    .addColumn('name', 'text')
    .addColumn('size', 'bigint')
    .addColumn('blob_id', 'text', (c) => c.references('media_blobs.id'))
    .addColumn('error_code', 'text')
    .addColumn('error_text', 'text')
    .addColumn('uploaded_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_message').on('media').columns(['message_id', 'position']).execute();
  await db.schema.createIndex('media_blob').on('media').columns(['blob_id']).execute();

  await db.schema
    .createTable('media_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('media_id', 'text', (c) => c.notNull().references('media.id'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_links_media').on('media_links').columns(['media_id']).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'due_at']).execute();
  await db.schema.createIndex('jobs_subject').on('jobs').columns(['kind', 'subject_id']).execute();

  // Frozen here, as a migration must be: the shapes adapters wrote into `messages.media`.
  const rows = (await db
    .selectFrom('messages')
    .select(['id', 'org_id', 'number_id', 'media', 'created_at'])
    .where('media', '!=', '[]')
    .execute()) as Array<{
    id: string;
    org_id: string;
    number_id: string;
    media: string;
    created_at: number | string;
  }>;
  for (const row of rows) {
    const items = JSON.parse(row.media) as Array<{ url: string; contentType: string | null }>;
    for (const [position, item] of items.entries()) {
      const id = randomUUID();
      const at = Number(row.created_at);
      const whatsappMedia = /^whatsapp-media:(.+)$/.exec(item.url);
      await db
        .insertInto('media')
        .values({
          id,
          org_id: row.org_id,
          message_id: row.id,
          position,
          number_id: row.number_id,
          direction: 'in',
          status: 'pending',
          source: whatsappMedia ? whatsappMedia[1] : item.url,
          declared_type: item.contentType,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await db
        .insertInto('jobs')
        .values({
          id: randomUUID(),
          org_id: row.org_id,
          kind: 'media.fetch',
          subject_id: id,
          state: 'pending',
          due_at: 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
  }
  await db.schema.alterTable('messages').dropColumn('media').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('media', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.dropTable('jobs').execute();
  await db.schema.dropTable('media_links').execute();
  await db.schema.dropTable('media').execute();
  await db.schema.dropTable('media_chunks').execute();
  await db.schema.dropTable('media_blobs').execute();
}
