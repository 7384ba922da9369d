import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { notFound } from '../../domain/errors.js';
import { SendError, type OutboundMedia } from '../../providers/provider.js';
import type { ServiceContext } from '../context.js';

/**
 * `/media/out/{token}` (DESIGN.md §6, §13): the one public path outside the API, where
 * Twilio and Vonage fetch the attachments of a send. A token is 32 random bytes, kept only
 * as its sha256, valid for 24 hours and for one file. Every attempt of a send gets fresh
 * links, so a send retried a day later still hands the provider a working URL.
 */
export const OUTBOUND_LINK_TTL_MS = 24 * 60 * 60 * 1000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What the public path serves for a token. */
export interface OutboundFile {
  contentType: string;
  size: number;
  name: string | null;
  open(): Promise<Readable>;
}

/** The attachments of an outbound message, in order, each with a new link for this attempt. */
export async function outboundMediaOf(ctx: ServiceContext, orgId: string, messageId: string): Promise<OutboundMedia[]> {
  const rows = await ctx.db.kysely
    .selectFrom('media')
    .select(['id', 'status', 'blob_id', 'content_type', 'size', 'name'])
    .where('message_id', '=', messageId)
    .where('org_id', '=', orgId)
    .where('direction', '=', 'out')
    .orderBy('position')
    .execute();
  if (rows.length === 0) return [];
  if (rows.some((row) => row.status !== 'stored' || !row.blob_id)) {
    throw new SendError('permanent', 'An attachment of this message was deleted before it could be sent', { code: 'media_deleted' });
  }
  const now = ctx.now();
  const ids = rows.map((row) => row.id);
  const links = rows.map((row) => ({ row, token: randomBytes(32).toString('base64url') }));
  // In a transaction, so on SQLite the writes take their turn with the ingest thread's.
  await ctx.db.transaction(async (tx) => {
    // A link that ran out serves nobody: those of these items go as new ones are made.
    await tx.db.deleteFrom('media_links').where('media_id', 'in', ids).where('expires_at', '<=', now).execute();
    await tx.db
      .insertInto('media_links')
      .values(links.map(({ row, token }) => ({ token_hash: tokenHash(token), media_id: row.id, expires_at: now + OUTBOUND_LINK_TTL_MS })))
      .execute();
  });
  return links.map(({ row, token }) => ({
    id: row.id,
    contentType: row.content_type ?? 'application/octet-stream',
    size: Number(row.size ?? 0),
    name: row.name,
    publicUrl: `${ctx.publicUrl}/media/out/${token}`,
    open: () => ctx.media.store.open(row.blob_id!),
  }));
}

/** The file a token names while it is valid; anything else is "not found", never why. */
export async function openOutboundLink(ctx: ServiceContext, token: string): Promise<OutboundFile> {
  if (!TOKEN.test(token)) throw notFound('File');
  const row = await ctx.db.kysely
    .selectFrom('media_links as l')
    .innerJoin('media as m', 'm.id', 'l.media_id')
    .select(['m.blob_id', 'm.content_type', 'm.size', 'm.name', 'm.status'])
    .where('l.token_hash', '=', tokenHash(token))
    .where('l.expires_at', '>', ctx.now())
    .executeTakeFirst();
  if (!row || row.status !== 'stored' || !row.blob_id) throw notFound('File');
  const blobId = row.blob_id;
  return {
    contentType: row.content_type ?? 'application/octet-stream',
    size: Number(row.size ?? 0),
    name: row.name,
    open: () => ctx.media.store.open(blobId),
  };
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
