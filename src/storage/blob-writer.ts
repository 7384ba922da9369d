import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { MediaTooLargeError, type StoredBlob } from './media-store.js';

/** Bytes kept to tell a file's type from its content (file-type reads up to 4,100). */
const HEAD_BYTES = 4100;

/** Where one adapter puts the bytes of one blob being written. */
export interface BlobSink {
  write(bytes: Buffer): Promise<void>;
  /** The bytes are whole: keep them (the filesystem renames its temporary file). */
  keep(): Promise<void>;
  /** Throws the bytes away (too large, a read failed, or the organisation already holds them). */
  discard(): Promise<void>;
}

/**
 * What both adapters share: read the bytes to their end, hashing as they pass and stopping
 * as soon as they pass `maxBytes`, then index them by (organisation, sha256) in
 * `media_blobs`. The row is written first, marked incomplete (`sha256` = `incomplete:<id>`),
 * so bytes a crash leaves half-written are found and removed (`sweepIncompleteBlobs`);
 * when the organisation already holds the same bytes, the new copy is discarded and the
 * existing blob returned.
 */
export async function writeBlob(
  db: Db,
  store: 'database' | 'filesystem',
  orgId: string,
  bytes: AsyncIterable<Uint8Array>,
  maxBytes: number,
  openSink: (blobId: string) => BlobSink,
  now: number,
): Promise<StoredBlob> {
  const blobId = randomUUID();
  const sink = openSink(blobId);
  await db.kysely
    .insertInto('media_blobs')
    .values({ id: blobId, org_id: orgId, sha256: `incomplete:${blobId}`, size: 0, store, created_at: now })
    .execute();
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headSize = 0;
  let size = 0;
  try {
    // Leaving the loop early (too large) ends the source stream: the rest is never read.
    for await (const chunk of bytes) {
      const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += buffer.length;
      if (size > maxBytes) throw new MediaTooLargeError(maxBytes);
      hash.update(buffer);
      if (headSize < HEAD_BYTES) {
        head.push(buffer.subarray(0, HEAD_BYTES - headSize));
        headSize += Math.min(buffer.length, HEAD_BYTES - headSize);
      }
      await sink.write(buffer);
    }
  } catch (error) {
    await sink.discard();
    await db.kysely.deleteFrom('media_blobs').where('id', '=', blobId).execute();
    throw error;
  }
  const sha256 = hash.digest('hex');
  const existing = await db.kysely
    .selectFrom('media_blobs')
    .select('id')
    .where('org_id', '=', orgId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (existing) {
    await sink.discard();
    await db.kysely.deleteFrom('media_blobs').where('id', '=', blobId).execute();
    return { blobId: existing.id, sha256, size, head: Buffer.concat(head) };
  }
  await sink.keep();
  try {
    await db.kysely.updateTable('media_blobs').set({ sha256, size }).where('id', '=', blobId).execute();
  } catch (error) {
    // Another writer indexed the same bytes a moment ago (the unique index): use theirs.
    const winner = await db.kysely
      .selectFrom('media_blobs')
      .select('id')
      .where('org_id', '=', orgId)
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!winner) throw error;
    await sink.discard();
    await db.kysely.deleteFrom('media_blobs').where('id', '=', blobId).execute();
    return { blobId: winner.id, sha256, size, head: Buffer.concat(head) };
  }
  return { blobId, sha256, size, head: Buffer.concat(head) };
}

/** Blobs a crash left half-written before `before`, for the adapter to remove. */
export async function incompleteBlobs(db: Db, store: 'database' | 'filesystem', before: number): Promise<Array<{ id: string }>> {
  return db.kysely
    .selectFrom('media_blobs')
    .select('id')
    .where('store', '=', store)
    .where('sha256', 'like', 'incomplete:%')
    .where('created_at', '<', before)
    .execute();
}

/** Whether any media row still refers to the blob. */
export async function blobInUse(db: Db, blobId: string): Promise<boolean> {
  const row = await db.kysely.selectFrom('media').select('id').where('blob_id', '=', blobId).limit(1).executeTakeFirst();
  return row !== undefined;
}
