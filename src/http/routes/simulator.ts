import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { errorResponses, IdParams, SimulatorConversation, SimulatorQuery, SimulatorSend, SimulatorSent } from '../../contract/index.js';

/** The phone simulator of sandbox numbers. */
export const simulatorRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', requireAuth);
  app.post(
    '/numbers/:id/simulator',
    {
      schema: {
        tags: ['simulator'],
        params: IdParams,
        body: SimulatorSend,
        response: { 202: SimulatorSent, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(202).send(await services.simulator.send(actorOf(request), request.params.id, request.body)),
  );
  app.get(
    '/numbers/:id/simulator',
    {
      schema: {
        tags: ['simulator'],
        params: IdParams,
        querystring: SimulatorQuery,
        response: { 200: SimulatorConversation, ...errorResponses },
      },
    },
    async (request) => services.simulator.conversation(actorOf(request), request.params.id, request.query.contact),
  );
};
