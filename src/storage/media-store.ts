import type { Readable } from 'node:stream';

/**
 * Where media bytes live (DESIGN.md §6): a port with two adapters, `database` (the default:
 * chunks in SQLite or PostgreSQL, shared by every server process) and `filesystem`
 * (`CASELINE_MEDIA_STORE=filesystem:/path`). Bytes are content addressed by sha256 within
 * an organisation (`media_blobs`), so the same file sent twice is stored once; the adapter
 * only writes, reads and deletes the bytes of one blob.
 */

/** What `put` stored. */
export interface StoredBlob {
  /** `media_blobs.id`: the existing blob's when the organisation already holds these bytes. */
  blobId: string;
  sha256: string;
  size: number;
  /** The first bytes (up to 4,100), for telling the type from the content (file-type). */
  head: Buffer;
}

/** Thrown by `put` once more than `maxBytes` arrived; nothing is kept. */
export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the limit of ${maxBytes} bytes`);
    this.name = 'MediaTooLargeError';
  }
}

export interface MediaStore {
  readonly kind: 'database' | 'filesystem';
  /**
   * Reads `bytes` to its end, hashing as it goes, and stores them for `orgId`. Stops reading
   * and throws `MediaTooLargeError` as soon as more than `maxBytes` have arrived, not after.
   */
  put(orgId: string, bytes: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob>;
  /** The blob's bytes, or the inclusive byte range of them, as a stream read a chunk at a time. */
  open(blobId: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Deletes a blob's bytes and its row once no media row refers to it (erasure, retention). */
  removeIfUnused(blobId: string): Promise<void>;
  /** Removes bytes that a crash left half-written before `before`. */
  sweepIncomplete(before: number): Promise<void>;
}
