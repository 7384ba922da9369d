import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AccessLogPage, AccessLogQuery, errorResponses } from '../../contract/index.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';

/** The access log (DESIGN.md §9): who read which case, media item or export; admins only. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { accessLog } = services;
  app.addHook('preHandler', requireAuth);

  app.get(
    '/audit/access',
    { schema: { tags: ['audit'], querystring: AccessLogQuery, response: { 200: AccessLogPage, ...errorResponses } } },
    async (request) => accessLog.list(actorOf(request), request.query),
  );
};
