import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { CaseNumberParams, errorResponses, IdParams, Merge, RecordCreate, RecordView } from '../../contract/index.js';

/** Merging two cases of one person and writing first (DESIGN.md §7); both answer a case as `GET /records/{n}` does. */
export const caseJoinRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', requireAuth);

  app.post(
    '/records/:caseNumber/merge',
    { schema: { tags: ['records'], params: CaseNumberParams, body: Merge, response: { 200: RecordView, ...errorResponses } } },
    async (request) => services.merges.merge(actorOf(request), request.params.caseNumber, request.body.into),
  );
  app.post(
    '/surveys/:id/records',
    { schema: { tags: ['records'], params: IdParams, body: RecordCreate, response: { 201: RecordView, ...errorResponses } } },
    async (request, reply) =>
      reply.status(201).send(await services.writeFirst.writeFirst(actorOf(request), request.params.id, request.body)),
  );
};
