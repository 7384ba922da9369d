import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { Metrics } from './metrics.js';
import type { Services } from '../services/index.js';
import type { WebhookAnswer, WebhookRequest } from '../providers/provider.js';
import { publicUrlOf } from './request-url.js';

/** Webhook bodies larger than this are refused with 413 before they are read in full. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

/**
 * Provider webhooks (DESIGN.md §3): `/webhooks/{provider}/{token}` and `/status`, where
 * `token` is the number's webhook secret, not its id (§13). Bodies are kept as raw bytes,
 * because signatures are computed over them; the provider adapter verifies and parses. A
 * webhook is answered only after its message is committed.
 */
export const webhookRoutes: FastifyPluginAsync<{ services: Services; publicUrl: string | null; metrics: Metrics }> = async (
  app,
  { services, publicUrl, metrics },
) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

  const toWebhookRequest = (request: FastifyRequest): WebhookRequest => ({
    method: request.method,
    publicUrl: publicUrlOf(request, publicUrl),
    headers: request.headers,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    // A parameter given twice arrives as an array; providers never do that, the first counts.
    query: Object.fromEntries(
      Object.entries(request.query as Record<string, string | string[]>).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]),
    ),
    remoteAddress: request.ip,
  });

  const answer = (reply: import('fastify').FastifyReply, result: WebhookAnswer) =>
    reply.status(result.status).type(result.contentType).send(result.body);

  type Params = { provider: string; token: string };
  const handle = async (request: FastifyRequest<{ Params: Params }>, reply: import('fastify').FastifyReply) => {
    const { provider, token } = request.params;
    let result: WebhookAnswer;
    try {
      result = await services.inbound.handleWebhook(provider, token, toWebhookRequest(request));
    } catch (error) {
      metrics.countWebhook(provider, error instanceof DomainError ? error.code : 'error');
      throw error;
    }
    metrics.countWebhook(provider, 'stored');
    return answer(reply, result);
  };

  app.post<{ Params: Params }>('/webhooks/:provider/:token', { schema: { hide: true } }, handle);
  app.post<{ Params: Params }>('/webhooks/:provider/:token/status', { schema: { hide: true } }, handle);
  app.get<{ Params: Params }>('/webhooks/:provider/:token', { schema: { hide: true } }, async (request, reply) =>
    answer(reply, await services.inbound.handshake(request.params.provider, request.params.token, toWebhookRequest(request))),
  );
};
