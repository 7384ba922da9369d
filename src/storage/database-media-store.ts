import { Readable } from 'node:stream';
import type { Db, Executor } from '../db/database.js';
import { deleteBlobRowIfUnused, incompleteBlobs, write, writeBlob, type BlobMarker, type BlobSink } from './blob-writer.js';
import type { MediaStore, StoredBlob } from './media-store.js';

/**
 * Media bytes in the database (`media_chunks`), the default: every server process sharing
 * one PostgreSQL (or the one SQLite file) sees the same files, and a backup holds them.
 * Bytes are written and read a chunk at a time, so a 16 MiB item never sits in memory whole.
 */
export const CHUNK_BYTES = 256 * 1024;

export class DatabaseMediaStore implements MediaStore {
  readonly kind = 'database' as const;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  put(orgId: string, bytes: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob> {
    return writeBlob(this.db, this.kind, orgId, bytes, maxBytes, (blobId, marker) => this.sink(blobId, marker), this.now());
  }

  open(blobId: string, range?: { start: number; end: number }): Promise<Readable> {
    const { db } = this;
    const first = range ? Math.floor(range.start / CHUNK_BYTES) : 0;
    const last = range ? Math.floor(range.end / CHUNK_BYTES) : Number.MAX_SAFE_INTEGER;
    async function* chunks() {
      for (let seq = first; seq <= last; seq += 1) {
        const row = await db.kysely
          .selectFrom('media_chunks')
          .select('bytes')
          .where('blob_id', '=', blobId)
          .where('seq', '=', seq)
          .executeTakeFirst();
        if (!row) return;
        // Both drivers answer a Buffer; anything else is copied into one.
        let bytes = Buffer.isBuffer(row.bytes) ? row.bytes : Buffer.from(row.bytes);
        if (range) {
          const offset = seq * CHUNK_BYTES;
          bytes = bytes.subarray(Math.max(0, range.start - offset), range.end - offset + 1);
        }
        yield bytes;
      }
    }
    return Promise.resolve(Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK_BYTES }));
  }

  async removeIfUnused(blobId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (await deleteBlobRowIfUnused(tx.db, blobId)) await tx.db.deleteFrom('media_chunks').where('blob_id', '=', blobId).execute();
    });
  }

  /** Removes what a crash left half-written before `before`. */
  async sweepIncomplete(before: number): Promise<void> {
    for (const { id } of await incompleteBlobs(this.db, this.kind, before)) await this.removeIfUnused(id);
  }

  /**
   * Chunks are cut at `CHUNK_BYTES` whatever sizes the source's reads have; each is one
   * short transaction (on SQLite taking its turn with the ingest thread's writes), the first
   * with the blob's mark and the last with its index.
   */
  private sink(blobId: string, marker: BlobMarker): BlobSink {
    const { db } = this;
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let seq = 0;
    const take = (size: number): Buffer => {
      const joined = Buffer.concat(pending);
      const rest = joined.subarray(size);
      pending = rest.length > 0 ? [rest] : [];
      pendingSize = rest.length;
      return joined.subarray(0, size);
    };
    /** One chunk in one transaction; the last one carries the index (`end`). */
    const writeChunk = async (chunk: Buffer, end?: (tx: Executor) => Promise<void>) => {
      const first = seq === 0;
      await db.transaction(async (tx) => {
        if (first && !end) await marker.mark(tx.db);
        if (chunk.length > 0) await tx.db.insertInto('media_chunks').values({ blob_id: blobId, seq, bytes: chunk }).execute();
        if (end) await end(tx.db);
      });
      seq += 1;
    };
    return {
      // A chunk is written only once more bytes follow it, so a file of one chunk or less is
      // written, with its index, in the one transaction of `keep`.
      write: async (bytes) => {
        pending.push(bytes);
        pendingSize += bytes.length;
        while (pendingSize > CHUNK_BYTES) await writeChunk(take(CHUNK_BYTES));
      },
      keep: async (index) => {
        while (pendingSize > CHUNK_BYTES) await writeChunk(take(CHUNK_BYTES));
        await writeChunk(take(pendingSize), index);
      },
      discard: async () => {
        pending = [];
        pendingSize = 0;
        await write(db, (tx) => tx.deleteFrom('media_chunks').where('blob_id', '=', blobId));
      },
    };
  }
}
