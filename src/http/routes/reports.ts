import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SummaryQuery, SummaryReport, errorResponses } from '../../contract/index.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';

/** The summary report (DESIGN.md §10): volumes, backlog, response times, per worker. */
export const reportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { reports } = services;
  app.addHook('preHandler', requireAuth);

  app.get(
    '/reports/summary',
    { schema: { tags: ['reports'], querystring: SummaryQuery, response: { 200: SummaryReport, ...errorResponses } } },
    async (request) => reports.summary(actorOf(request), request.query),
  );
};
