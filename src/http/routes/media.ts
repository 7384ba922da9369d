import { Readable } from 'node:stream';
import fastifyMultipart, { type MultipartFile, type Multipart } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorSchema, errorResponses, IdParams, MediaUpload } from '../../contract/index.js';
import { parseRangeHeader } from '../../domain/byte-ranges.js';
import { DomainError, validationFailed } from '../../domain/errors.js';
import { isInlineMediaType } from '../../domain/media.js';
import { mediaTooLarge, type MediaRead } from '../../services/media/media-service.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { errorBody } from '../error-handler.js';

/**
 * A media item's bytes change never (an id names one stored file), so a browser may keep
 * them briefly rather than fetch a photo again each time a case is shown; `private` keeps
 * them out of shared caches, and five minutes bounds how long an erased item stays fresh
 * in a worker's browser. Every other API answer is `no-store` (src/http/security-headers.ts).
 */
export const MEDIA_CACHE_CONTROL = 'private, max-age=300';

/** A file's bytes, streamed: documented as binary, sent as the store's stream. */
const Binary = Type.Unsafe<Readable>({ type: 'string', format: 'binary' });

/**
 * Media (DESIGN.md §6): `GET /media/{id}` streams a stored item to a user of its
 * organisation, never as a page of ours (nosniff, a sandbox policy, documents as downloads),
 * with byte ranges for players; `POST /media` takes one file, multipart field `file`,
 * streamed into the store and refused as soon as it passes the limit.
 */
export const mediaRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { media, accessLog } = services;
  const { maxBytes } = services.ctx.media;
  app.addHook('preHandler', requireAuth);
  // Registered here, so only these routes read multipart bodies. One byte past the limit
  // is let through, so the store sees the file is too large rather than a file cut short.
  await app.register(fastifyMultipart, {
    limits: { files: 1, fileSize: maxBytes + 1, fields: 20, fieldSize: 64 * 1024, parts: 40, headerPairs: 100 },
  });
  const tags = ['media'];

  app.get(
    '/media/:id',
    {
      schema: {
        tags,
        params: IdParams,
        headers: Type.Object({ range: Type.Optional(Type.String()) }),
        response: { 200: Binary, 206: Binary, 304: Type.Null(), 416: ErrorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      let item: MediaRead;
      try {
        item = await media.read(actor, request.params.id, parseRangeHeader(request.headers.range));
      } catch (error) {
        if (error instanceof DomainError && error.code === 'range_not_satisfiable') {
          const size = Number(error.details?.size);
          return reply.status(416).header('content-range', `bytes */${size}`).send(errorBody(error.code, error.message));
        }
        throw error;
      }
      // A HEAD sends no bytes: not a read. A 304 is: the user sees the item again, from their browser's copy.
      if (request.method === 'GET') await accessLog.mediaRead(actor, request.params.id);
      fileHeaders(reply, item, MEDIA_CACHE_CONTROL).header('accept-ranges', 'bytes');
      if (item.sha256) {
        const etag = `"${item.sha256}"`;
        reply.header('etag', etag);
        if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send(null);
      }
      reply.header('content-length', String(item.end - item.start + 1));
      if (item.partial) reply.status(206).header('content-range', `bytes ${item.start}-${item.end}/${item.size}`);
      // A HEAD needs the headers only: the store is not read.
      return reply.send(request.method === 'HEAD' ? Readable.from([]) : await item.open());
    },
  );

  app.post(
    '/media',
    {
      schema: {
        tags,
        consumes: ['multipart/form-data'],
        body: Type.Object({ file: Type.String({ format: 'binary' }) }),
        response: { 201: MediaUpload, 413: ErrorSchema, ...errorResponses },
      },
      // The body schema documents the form; the file is read as a stream in the handler.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (!request.isMultipart()) throw validationFailed('Send the file as multipart/form-data, in the field `file`');
      const parts = request.parts()[Symbol.asyncIterator]();
      try {
        const part = await nextFile(parts, maxBytes);
        if (!part) throw validationFailed('Send one file, in the multipart field `file`');
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw validationFailed('Send the file in the multipart field `file`');
        }
        const upload = await media.upload(actor, {
          bytes: readUpload(part, maxBytes),
          filename: part.filename || null,
          declaredType: part.mimetype || null,
          confirm: async () => {
            if (part.file.truncated) throw mediaTooLarge(maxBytes);
            if (await nextFile(parts, maxBytes)) throw validationFailed('Send one file per upload');
          },
        });
        return await reply.status(201).send(upload);
      } catch (error) {
        // An upload over the limit is a request body too large (413); the same code on a
        // send names the provider's limit instead (422, src/http/error-handler.ts).
        if (error instanceof DomainError && error.code === 'media_too_large') {
          return reply.status(413).send(errorBody(error.code, error.message, error.details));
        }
        throw error;
      }
    },
  );
};

/** The next file of the form, skipping plain fields; null at its end. */
async function nextFile(parts: AsyncIterator<Multipart>, maxBytes: number): Promise<MultipartFile | null> {
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      throw formError(error, maxBytes);
    }
    if (next.done) return null;
    if (next.value.type === 'file') return next.value;
  }
}

/** The file's bytes as they arrive. */
async function* readUpload(part: MultipartFile, maxBytes: number): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of part.file) yield chunk as Buffer;
  } catch (error) {
    throw formError(error, maxBytes);
  }
}

/**
 * What went wrong reading the form, as the product's error: everything here comes from the
 * client's bytes (a limit passed, a form cut short or malformed), never from our side.
 */
function formError(error: unknown, maxBytes: number): DomainError {
  if (error instanceof DomainError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return mediaTooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT') return validationFailed('Send one file per upload');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return validationFailed('The form has too many parts');
  return validationFailed('The multipart form is cut short or malformed');
}

/** `If-None-Match` holds the item's tag (or `*`). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/**
 * What every file Caseline serves carries, so that it is never taken for a page of ours:
 * its stored type, no sniffing, a sandbox policy, and documents as downloads.
 */
export function fileHeaders(reply: FastifyReply, file: { contentType: string; name: string | null }, cacheControl: string): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', contentDisposition(isInlineMediaType(file.contentType) ? 'inline' : 'attachment', file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .header('cache-control', cacheControl);
}

/**
 * `inline` or `attachment`, with the name: an ASCII stand-in for old clients and the exact
 * name in UTF-8 (RFC 6266, RFC 8187).
 */
export function contentDisposition(disposition: 'inline' | 'attachment', name: string | null): string {
  if (!name) return disposition;
  // Anything outside printable ASCII gets a stand-in.
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
