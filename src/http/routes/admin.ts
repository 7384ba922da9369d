import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import {
  errorResponses,
  IdParams,
  listOf,
  NumberCreate,
  NumberListQuery,
  NumberPatch,
  NumberView,
  Organisation,
  OrganisationPatch,
  Survey,
  SurveyCreate,
  SurveyPatch,
  User,
  UserCreate,
  UserPatch,
} from '../../contract/index.js';

/** Users, surveys and numbers: what an admin sets up. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', requireAuth);

  app.get('/organisation', { schema: { tags: ['organisation'], response: { 200: Organisation, ...errorResponses } } }, async (request) =>
    services.organisation.get(actorOf(request)),
  );
  app.patch(
    '/organisation',
    { schema: { tags: ['organisation'], body: OrganisationPatch, response: { 200: Organisation, ...errorResponses } } },
    async (request) => services.organisation.update(actorOf(request), request.body),
  );

  app.get('/users', { schema: { tags: ['users'], response: { 200: listOf(User), ...errorResponses } } }, async (request) => ({
    items: await services.users.list(actorOf(request)),
    nextCursor: null,
  }));
  app.post(
    '/users',
    { schema: { tags: ['users'], body: UserCreate, response: { 201: User, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await services.users.create(actorOf(request), request.body)),
  );
  app.patch(
    '/users/:id',
    { schema: { tags: ['users'], params: IdParams, body: UserPatch, response: { 200: User, ...errorResponses } } },
    async (request) => services.users.update(actorOf(request), request.params.id, request.body),
  );

  app.get('/surveys', { schema: { tags: ['surveys'], response: { 200: listOf(Survey), ...errorResponses } } }, async (request) => ({
    items: await services.surveys.list(actorOf(request)),
    nextCursor: null,
  }));
  app.post(
    '/surveys',
    { schema: { tags: ['surveys'], body: SurveyCreate, response: { 201: Survey, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await services.surveys.create(actorOf(request), request.body)),
  );
  app.get(
    '/surveys/:id',
    { schema: { tags: ['surveys'], params: IdParams, response: { 200: Survey, ...errorResponses } } },
    async (request) => services.surveys.get(actorOf(request), request.params.id),
  );
  app.patch(
    '/surveys/:id',
    { schema: { tags: ['surveys'], params: IdParams, body: SurveyPatch, response: { 200: Survey, ...errorResponses } } },
    async (request) => services.surveys.update(actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/numbers',
    { schema: { tags: ['numbers'], querystring: NumberListQuery, response: { 200: listOf(NumberView), ...errorResponses } } },
    async (request) => ({
      items: await services.numbers.list(actorOf(request), { archived: request.query.archived === true }),
      nextCursor: null,
    }),
  );
  app.post(
    '/numbers',
    { schema: { tags: ['numbers'], body: NumberCreate, response: { 201: NumberView, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await services.numbers.create(actorOf(request), request.body)),
  );
  app.get(
    '/numbers/:id',
    { schema: { tags: ['numbers'], params: IdParams, response: { 200: NumberView, ...errorResponses } } },
    async (request) => services.numbers.get(actorOf(request), request.params.id),
  );
  app.patch(
    '/numbers/:id',
    { schema: { tags: ['numbers'], params: IdParams, body: NumberPatch, response: { 200: NumberView, ...errorResponses } } },
    async (request) => services.numbers.update(actorOf(request), request.params.id, request.body),
  );
  // Archives: see POST /numbers/:id/restore.
  app.delete(
    '/numbers/:id',
    { schema: { tags: ['numbers'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.numbers.archive(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/numbers/:id/restore',
    { schema: { tags: ['numbers'], params: IdParams, response: { 200: NumberView, ...errorResponses } } },
    async (request) => services.numbers.restore(actorOf(request), request.params.id),
  );
  app.post(
    '/numbers/:id/webhook-token/rotate',
    { schema: { tags: ['numbers'], params: IdParams, response: { 200: NumberView, ...errorResponses } } },
    async (request) => services.numbers.rotateWebhookToken(actorOf(request), request.params.id),
  );
};
