import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { Alert, AlertList, AlertListQuery, AlertsRead, errorResponses, IdParams } from '../../contract/index.js';

/** My alerts (DESIGN.md §8, §13 "alerts (mine)"): the console's bell. */
export const alertRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { alerts } = services;
  app.addHook('preHandler', requireAuth);
  const tags = ['alerts'];

  app.get('/alerts', { schema: { tags, querystring: AlertListQuery, response: { 200: AlertList, ...errorResponses } } }, async (request) =>
    alerts.list(actorOf(request), request.query),
  );
  app.post('/alerts/read', { schema: { tags, response: { 200: AlertsRead, ...errorResponses } } }, async (request) =>
    alerts.readAll(actorOf(request)),
  );
  app.post('/alerts/:id/read', { schema: { tags, params: IdParams, response: { 200: Alert, ...errorResponses } } }, async (request) =>
    alerts.read(actorOf(request), request.params.id),
  );
};
