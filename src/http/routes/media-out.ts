import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services/index.js';
import { fileHeaders } from './media.js';

/**
 * `/media/out/{token}` (DESIGN.md §6, §13): where Twilio and Vonage fetch what a worker
 * attached. No sign-in: the token is the key, valid 24 hours for one file, and an unknown
 * or expired one is a plain 404. Served like `GET /api/v1/media/{id}` — never as a page of
 * ours — and never cached: the link is a secret, and every send gets its own. The token is
 * never logged: request logs name the route pattern, not the URL (src/http/logging.ts).
 */
export const outboundMediaRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/media/out/:token',
    // Providers fetch it; it is no part of the API the OpenAPI document describes.
    { schema: { hide: true, params: Type.Object({ token: Type.String() }) } },
    async (request, reply) => {
      const file = await services.mediaLinks.open(request.params.token);
      fileHeaders(reply, file, 'no-store').header('content-length', String(file.size));
      // Twilio checks a file's type with a HEAD first: the headers only, the store is not read.
      return reply.send(request.method === 'HEAD' ? Readable.from([]) : await file.open());
    },
  );
};
