import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { Colleague, errorResponses, listOf } from '../../contract/index.js';

/** `GET /colleagues`: the analysts and admins a case can be assigned to, for any signed-in user. */
export const colleagueRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', requireAuth);
  app.get('/colleagues', { schema: { tags: ['users'], response: { 200: listOf(Colleague), ...errorResponses } } }, async (request) => ({
    items: await services.colleagues.list(actorOf(request)),
    nextCursor: null,
  }));
};
