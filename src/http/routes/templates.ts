import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { errorResponses, ErrorSchema, IdParams, NumberView } from '../../contract/index.js';

/** `POST /numbers/{id}/templates/sync` (admin): a WhatsApp Cloud number's library from Meta's approved templates. */
export const templateRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', requireAuth);

  app.post(
    '/numbers/:id/templates/sync',
    // 502: Meta refused or could not be reached; nothing changed.
    { schema: { tags: ['numbers'], params: IdParams, response: { 200: NumberView, ...errorResponses, 502: ErrorSchema } } },
    async (request) => services.numbers.syncTemplates(actorOf(request), request.params.id),
  );
};
