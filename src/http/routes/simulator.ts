import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { errorResponses, IdParams } from '../schemas.js';

/** The phone simulator of sandbox numbers. */
export const simulatorRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', requireAuth);
  app.post(
    '/numbers/:id/simulator',
    {
      schema: {
        tags: ['simulator'],
        params: IdParams,
        body: Type.Object(
          { from: Type.String({ minLength: 3, maxLength: 40 }), text: Type.String({ maxLength: 1600 }) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ id: Type.String() }), ...errorResponses },
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
        querystring: Type.Object({ contact: Type.String({ minLength: 3, maxLength: 40 }) }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ id: Type.String(), direction: Type.String(), text: Type.String(), at: Type.String(), status: Type.String() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => services.simulator.conversation(actorOf(request), request.params.id, request.query.contact),
  );
};
