import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import { errorResponses, IdParams, listOf, SavedReply, SavedReplyCreate, SavedReplyPatch } from '../../contract/index.js';

/** Saved replies (DESIGN.md §7): the organisation's shared answers, for analysts and admins. */
export const savedReplyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { savedReplies } = services;
  app.addHook('preHandler', requireAuth);
  const tags = ['saved-replies'];

  app.get('/saved-replies', { schema: { tags, response: { 200: listOf(SavedReply), ...errorResponses } } }, async (request) => ({
    items: await savedReplies.list(actorOf(request)),
    nextCursor: null,
  }));
  app.post(
    '/saved-replies',
    { schema: { tags, body: SavedReplyCreate, response: { 201: SavedReply, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await savedReplies.create(actorOf(request), request.body)),
  );
  app.patch(
    '/saved-replies/:id',
    { schema: { tags, params: IdParams, body: SavedReplyPatch, response: { 200: SavedReply, ...errorResponses } } },
    async (request) => savedReplies.update(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    '/saved-replies/:id',
    { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await savedReplies.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
