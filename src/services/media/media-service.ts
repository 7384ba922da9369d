import type { Readable } from 'node:stream';
import type { MediaUpload } from '../../contract/index.js';
import { resolveByteRange, type ByteRangeRequest } from '../../domain/byte-ranges.js';
import { DomainError, notFound, validationFailed } from '../../domain/errors.js';
import { sanitiseFileName } from '../../domain/file-names.js';
import { MediaTooLargeError, type StoredBlob } from '../../storage/media-store.js';
import { requireWriter, type Actor, type ServiceContext } from '../context.js';
import { newId } from '../ids.js';
import { resolveMediaType } from './media-type.js';

/** A stored item's bytes, whole or the range asked for, for `GET /media/{id}`. */
export interface MediaRead {
  contentType: string;
  name: string | null;
  /** The whole item's size. */
  size: number;
  /** The inclusive range `open` reads; `partial` when a range was asked for and is served. */
  start: number;
  end: number;
  partial: boolean;
  /** The bytes' sha256: the same id always names the same bytes. */
  sha256: string | null;
  /** The bytes from `start` to `end`, read a chunk at a time from the store; not opened for a `HEAD`. */
  open(): Promise<Readable>;
}

/** A file arriving in an upload: its bytes as they come, and what the uploader said it is. */
export interface UploadSource {
  bytes: AsyncIterable<Uint8Array>;
  filename: string | null;
  declaredType: string | null;
  /**
   * Called once the bytes are stored, before the upload is recorded: the caller reads the
   * rest of its request there and throws to refuse it (a second file, a file cut short).
   */
  confirm?: () => Promise<void>;
}

/**
 * Media items (DESIGN.md §6): reading a stored item, for a user of its organisation who may
 * read the case its message belongs to, and uploads a worker attaches to a message later.
 */
export function createMediaService(ctx: ServiceContext) {
  const { db } = ctx;

  /**
   * Whether the actor may read the case a message belongs to. Every role reads every case
   * of its organisation today (records.get); the message must still be in one of them.
   */
  async function mayReadMessageCase(actor: Actor, messageId: string): Promise<boolean> {
    const row = await db.kysely
      .selectFrom('record_messages as rm')
      .innerJoin('records as r', 'r.id', 'rm.record_id')
      .select('r.id')
      .where('rm.message_id', '=', messageId)
      .where('r.org_id', '=', actor.orgId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Stores the bytes as they arrive, never past the limit, translating the store's refusal. */
  async function storeBytes(actor: Actor, source: UploadSource): Promise<StoredBlob> {
    try {
      return await ctx.media.store.put(actor.orgId, source.bytes, ctx.media.maxBytes);
    } catch (error) {
      if (error instanceof MediaTooLargeError) throw mediaTooLarge(ctx.media.maxBytes);
      throw error;
    }
  }

  return {
    /**
     * The item's bytes, or the one range `requested` asks for. Another organisation's item is
     * `not_found`, exactly like an unknown id; one not stored (pending, failed, deleted) is
     * `media_not_stored`; a range of no bytes is `range_not_satisfiable` with the size.
     */
    async read(actor: Actor, mediaId: string, requested: ByteRangeRequest | null = null): Promise<MediaRead> {
      const row = await db.kysely
        .selectFrom('media')
        .leftJoin('media_blobs', 'media_blobs.id', 'media.blob_id')
        .select([
          'media.message_id',
          'media.status',
          'media.content_type',
          'media.name',
          'media.size',
          'media.blob_id',
          'media_blobs.sha256',
        ])
        .where('media.id', '=', mediaId)
        .where('media.org_id', '=', actor.orgId)
        .executeTakeFirst();
      if (!row || (row.message_id !== null && !(await mayReadMessageCase(actor, row.message_id)))) throw notFound('Media item');
      if (row.status !== 'stored' || row.blob_id === null) {
        throw new DomainError('media_not_stored', `This media item is not stored (it is ${row.status})`, { status: row.status });
      }
      const size = Number(row.size ?? 0);
      let range = { start: 0, end: size - 1 };
      if (requested) {
        const resolved = resolveByteRange(requested, size);
        if (!resolved) throw new DomainError('range_not_satisfiable', `The item has ${size} bytes`, { size });
        range = resolved;
      }
      const blobId = row.blob_id;
      return {
        contentType: row.content_type ?? 'application/octet-stream',
        name: row.name,
        size,
        start: range.start,
        end: range.end,
        partial: requested !== null,
        sha256: row.sha256 ?? null,
        // The range is always given, even for the whole item: the store then stops at its
        // last byte instead of looking for more.
        open: () => ctx.media.store.open(blobId, size > 0 ? range : undefined),
      };
    },

    /**
     * An upload (`POST /media`), streamed into the store and refused as soon as it passes the
     * limit; its type is read from its bytes. It belongs to no message until a notification
     * or a first message names it.
     */
    async upload(actor: Actor, source: UploadSource): Promise<MediaUpload> {
      requireWriter(actor);
      const stored = await storeBytes(actor, source);
      const id = newId();
      try {
        await source.confirm?.();
        if (stored.size === 0) throw validationFailed('The file is empty');
        const { contentType } = await resolveMediaType(stored.head, source.declaredType);
        const name = sanitiseFileName(source.filename);
        const now = ctx.now();
        await db.transaction(async (tx) => {
          await tx.db
            .insertInto('media')
            .values({
              id,
              org_id: actor.orgId,
              message_id: null,
              position: 0,
              number_id: null,
              direction: 'out',
              status: 'stored',
              source: null,
              declared_type: source.declaredType,
              content_type: contentType,
              name,
              size: stored.size,
              blob_id: stored.blobId,
              error_code: null,
              error_text: null,
              uploaded_by: actor.userId,
              created_at: now,
              updated_at: now,
            })
            .execute();
        });
        return { id, contentType, size: stored.size, name };
      } catch (error) {
        // Kept by another item of the organisation with the same bytes, gone otherwise; a
        // failure here must not hide why the upload was refused.
        await ctx.media.store.removeIfUnused(stored.blobId).catch(() => {});
        if (error instanceof MediaTooLargeError) throw mediaTooLarge(ctx.media.maxBytes);
        throw error;
      }
    },
  };
}

/** An upload or fetched item past `CASELINE_MEDIA_MAX_BYTES`. */
export const mediaTooLarge = (maxBytes: number) =>
  new DomainError('media_too_large', `The file is larger than the limit of ${maxBytes} bytes`, { maxBytes });

export type MediaService = ReturnType<typeof createMediaService>;
