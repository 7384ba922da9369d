import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import {
  CaseNumberParams,
  errorResponses,
  IdParams,
  Label,
  LabelCreate,
  LabelPatch,
  listOf,
  RecordLabels,
  RecordView,
} from '../../contract/index.js';

/** Labels (DESIGN.md §7): the organisation's list (admins write it) and a case's labels. */
export const labelRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { labels } = services;
  app.addHook('preHandler', requireAuth);
  const tags = ['labels'];

  app.get('/labels', { schema: { tags, response: { 200: listOf(Label), ...errorResponses } } }, async (request) => ({
    items: await labels.list(actorOf(request)),
    nextCursor: null,
  }));
  app.post('/labels', { schema: { tags, body: LabelCreate, response: { 201: Label, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await labels.create(actorOf(request), request.body)),
  );
  app.patch(
    '/labels/:id',
    { schema: { tags, params: IdParams, body: LabelPatch, response: { 200: Label, ...errorResponses } } },
    async (request) => labels.update(actorOf(request), request.params.id, request.body),
  );
  // Also takes the label off every case that carries it.
  app.delete(
    '/labels/:id',
    { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await labels.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/records/:caseNumber/labels',
    {
      schema: {
        tags: ['records', 'labels'],
        params: CaseNumberParams,
        body: RecordLabels,
        response: { 200: RecordView, ...errorResponses },
      },
    },
    async (request) => labels.setRecordLabels(actorOf(request), request.params.caseNumber, request.body.labelIds),
  );
};
