import { createHash, randomUUID } from 'node:crypto';
import type { Compilable } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { MediaTooLargeError, type StoredBlob } from './media-store.js';

/** Bytes kept to tell a file's type from its content (file-type reads up to 4,100). */
const HEAD_BYTES = 4100;

/** Where one adapter puts the bytes of one blob being written. */
export interface BlobSink {
  /**
   * Takes the next bytes. Before the first bytes it keeps anywhere, the sink calls `mark`
   * (in the same transaction where it can), so a crash mid-way leaves a findable row.
   */
  write(bytes: Buffer): Promise<void>;
  /**
   * The bytes are whole: keep them and run `index` — in the same transaction as the last
   * bytes where the adapter can (the database), so a small file is one commit.
   */
  keep(index: (tx: Executor) => Promise<void>): Promise<void>;
  /**
   * Throws the bytes away (too large, a read failed, or the organisation already holds
   * them), also after `keep` (another writer indexed the same bytes first).
   */
  discard(): Promise<void>;
}

/** What a sink is given: how to mark its blob as being written. */
export interface BlobMarker {
  mark(tx: Executor): Promise<void>;
}

/**
 * What both adapters share: read the bytes to their end, hashing as they pass and stopping
 * as soon as they pass `maxBytes`, then index them by (organisation, sha256) in
 * `media_blobs`. Before any bytes are kept the row is written marked incomplete (`sha256` =
 * `incomplete:<id>`), so bytes a crash leaves half-written are found and removed
 * (`sweepIncomplete`); a file that fits in the sink's first write is kept and indexed in one
 * commit. When the organisation already holds the same bytes, the new copy is discarded and
 * the existing blob returned.
 */
export async function writeBlob(
  db: Db,
  store: 'database' | 'filesystem',
  orgId: string,
  bytes: AsyncIterable<Uint8Array>,
  maxBytes: number,
  openSink: (blobId: string, marker: BlobMarker) => BlobSink,
  now: number,
): Promise<StoredBlob> {
  const blobId = randomUUID();
  const row = (sha256: string, size: number) => ({ id: blobId, org_id: orgId, sha256, size, store, created_at: now });
  let marked = false;
  const sink = openSink(blobId, {
    mark: async (tx) => {
      await tx
        .insertInto('media_blobs')
        .values(row(`incomplete:${blobId}`, 0))
        .execute();
      marked = true;
    },
  });
  /** Throws this copy away: its bytes, and its row when one was written. */
  const throwAway = async () => {
    await sink.discard();
    if (marked) await write(db, (tx) => tx.deleteFrom('media_blobs').where('id', '=', blobId));
  };
  const heldAlready = (sha256: string) =>
    db.kysely.selectFrom('media_blobs').select('id').where('org_id', '=', orgId).where('sha256', '=', sha256).executeTakeFirst();
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
    await throwAway();
    throw error;
  }
  const sha256 = hash.digest('hex');
  const existing = await heldAlready(sha256);
  if (existing) {
    await throwAway();
    return { blobId: existing.id, sha256, size, head: Buffer.concat(head) };
  }
  try {
    await sink.keep(async (tx) => {
      await tx
        .insertInto('media_blobs')
        .values(row(sha256, size))
        .onConflict((oc) => oc.column('id').doUpdateSet({ sha256, size }))
        .execute();
    });
  } catch (error) {
    // Another writer indexed the same bytes a moment ago (the unique index): use theirs.
    const winner = await heldAlready(sha256);
    if (!winner) throw error;
    await throwAway();
    return { blobId: winner.id, sha256, size, head: Buffer.concat(head) };
  }
  return { blobId, sha256, size, head: Buffer.concat(head) };
}

/**
 * One write statement in a transaction of its own. On SQLite a statement outside
 * `db.transaction` would wait for the write lock on this thread while the ingest thread
 * holds it; inside, it takes its turn in the group-commit queue.
 */
export async function write(db: Db, statement: (tx: Executor) => Compilable): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.db.executeQuery(statement(tx.db).compile());
  });
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

/**
 * Deletes the blob's row unless a media row uses it, in one statement: a media row written
 * at the same moment (an upload of the same bytes) either keeps the blob or fails its
 * foreign key, never points at bytes that are gone. True when the row was deleted, and the
 * adapter should delete the bytes.
 */
export async function deleteBlobRowIfUnused(tx: Executor, blobId: string): Promise<boolean> {
  const result = await tx
    .deleteFrom('media_blobs')
    .where('id', '=', blobId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('media').select('media.id').where('media.blob_id', '=', blobId))))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
