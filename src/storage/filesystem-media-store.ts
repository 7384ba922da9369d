import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Db } from '../db/database.js';
import { deleteBlobRowIfUnused, incompleteBlobs, writeBlob, type BlobMarker, type BlobSink } from './blob-writer.js';
import type { MediaStore, StoredBlob } from './media-store.js';

/**
 * Media bytes in a folder (`CASELINE_MEDIA_STORE=filesystem:/path`): one file per blob,
 * named by the blob's id under `<root>/<first two characters>/`, written to `<root>/tmp`
 * first and renamed once whole. The index (`media_blobs`) stays in the database, so
 * content addressing and access checks are the same as the database store's. Several
 * server processes can share it only on a shared folder.
 */
export class FilesystemMediaStore implements MediaStore {
  readonly kind = 'filesystem' as const;

  constructor(
    private readonly db: Db,
    private readonly root: string,
    private readonly now: () => number,
  ) {}

  put(orgId: string, bytes: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob> {
    return writeBlob(this.db, this.kind, orgId, bytes, maxBytes, (blobId, marker) => this.sink(blobId, marker), this.now());
  }

  open(blobId: string, range?: { start: number; end: number }): Promise<Readable> {
    const stream = createReadStream(this.pathOf(blobId), range ? { start: range.start, end: range.end } : {});
    return new Promise((resolve, reject) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', reject);
    });
  }

  /** The row goes first: a crash in between leaves a stray file, never a row whose bytes are gone. */
  async removeIfUnused(blobId: string): Promise<void> {
    if (!(await this.db.transaction((tx) => deleteBlobRowIfUnused(tx.db, blobId)))) return;
    await rm(this.pathOf(blobId), { force: true });
    await rm(this.temporaryPathOf(blobId), { force: true });
  }

  /** Removes what a crash left half-written before `before`. */
  async sweepIncomplete(before: number): Promise<void> {
    for (const { id } of await incompleteBlobs(this.db, this.kind, before)) await this.removeIfUnused(id);
  }

  private pathOf(blobId: string): string {
    return join(this.root, blobId.slice(0, 2), blobId);
  }

  private temporaryPathOf(blobId: string): string {
    return join(this.root, 'tmp', blobId);
  }

  private sink(blobId: string, marker: BlobMarker): BlobSink {
    const temporary = this.temporaryPathOf(blobId);
    let file: WriteStream | null = null;
    const opened = async () => {
      if (file) return file;
      // The row first: a crash while the file is written leaves a row the sweep finds.
      await this.db.transaction((tx) => marker.mark(tx.db));
      await mkdir(join(this.root, 'tmp'), { recursive: true });
      const stream = createWriteStream(temporary, { flags: 'wx' });
      // A write error reaches the writer through `drain`, `finished` or `errored` below; this
      // listener only keeps an error after `discard` (a write still in flight) from crashing the process.
      stream.on('error', () => {});
      await once(stream, 'open');
      file = stream;
      return stream;
    };
    return {
      write: async (bytes) => {
        const stream = await opened();
        if (stream.errored) throw stream.errored;
        if (!stream.write(bytes)) await once(stream, 'drain');
      },
      keep: async (index) => {
        const stream = await opened();
        stream.end();
        await finished(stream);
        await mkdir(join(this.root, blobId.slice(0, 2)), { recursive: true });
        await rename(temporary, this.pathOf(blobId));
        await this.db.transaction((tx) => index(tx.db));
      },
      // Also after `keep`: a writer that lost the race to index the same bytes removes its copy.
      discard: async () => {
        if (file) {
          file.destroy();
          await finished(file).catch(() => {});
        }
        await rm(temporary, { force: true });
        await rm(this.pathOf(blobId), { force: true });
      },
    };
  }
}
