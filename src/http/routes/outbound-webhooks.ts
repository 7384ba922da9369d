import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  IdParams,
  OutboundWebhook,
  OutboundWebhookDelivery,
  OutboundWebhookDeliveryPage,
  OutboundWebhookDeliveryQuery,
  OutboundWebhookList,
  OutboundWebhookRequest,
  errorResponses,
} from '../../contract/index.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';

/** Outbound webhooks (DESIGN.md §10, §13): subscriptions, their delivery logs and a test ping; admins only. */
export const outboundWebhookRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const webhooks = services.outboundWebhooks;
  app.addHook('preHandler', requireAuth);
  const tags = ['outbound webhooks'];

  app.get('/outbound-webhooks', { schema: { tags, response: { 200: OutboundWebhookList, ...errorResponses } } }, async (request) =>
    webhooks.list(actorOf(request)),
  );

  app.post(
    '/outbound-webhooks',
    { schema: { tags, body: OutboundWebhookRequest, response: { 201: OutboundWebhook, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await webhooks.create(actorOf(request), request.body)),
  );

  app.delete(
    '/outbound-webhooks/:id',
    { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await webhooks.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/outbound-webhooks/:id/deliveries',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: OutboundWebhookDeliveryQuery,
        response: { 200: OutboundWebhookDeliveryPage, ...errorResponses },
      },
    },
    async (request) => webhooks.deliveries(actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/outbound-webhooks/:id/test',
    { schema: { tags, params: IdParams, response: { 202: OutboundWebhookDelivery, ...errorResponses } } },
    async (request, reply) => reply.status(202).send(await webhooks.test(actorOf(request), request.params.id)),
  );
};
