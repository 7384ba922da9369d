import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ChangeFeed } from '../domain/change-events.js';
import { DomainError } from '../domain/errors.js';
import { containsNul } from '../domain/text.js';
import type { Services } from '../services/index.js';
import { registerAuthentication } from './auth.js';
import { errorBody, registerErrorHandler } from './error-handler.js';
import { createMetrics, metricsAccessAllowed } from './metrics.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { auditRoutes } from './routes/audit.js';
import { reportRoutes } from './routes/reports.js';
import { caseJoinRoutes } from './routes/case-joins.js';
import { colleagueRoutes } from './routes/colleagues.js';
import { eventRoutes } from './routes/events.js';
import { exportRoutes } from './routes/export.js';
import { labelRoutes } from './routes/labels.js';
import { mediaRoutes } from './routes/media.js';
import { outboundMediaRoutes } from './routes/media-out.js';
import { privacyRoutes } from './routes/privacy.js';
import { outboundWebhookRoutes } from './routes/outbound-webhooks.js';
import { recordRoutes } from './routes/records.js';
import { savedReplyRoutes } from './routes/saved-replies.js';
import { sessionRoutes } from './routes/session.js';
import { registerSecurityHeaders } from './security-headers.js';
import { simulatorRoutes } from './routes/simulator.js';
import { templateRoutes } from './routes/templates.js';
import { webhookRoutes } from './webhooks.js';
import { xlsFormRoutes } from './routes/xlsform.js';

export interface AppOptions {
  /** Committed changes, for the console's live events (the database's change feed). */
  changes: ChangeFeed;
  services: Services;
  publicUrl: string | null;
  /** See `Config.trustProxy`. */
  trustProxy?: boolean | number | string[];
  /** When set, `/metrics` answers only `Authorization: Bearer <token>` (CASELINE_METRICS_TOKEN). */
  metricsToken?: string | null;
  /** The built console (dist/web); served when present. */
  webRoot?: string;
  logger?: FastifyServerOptions['logger'];
}

/** The HTTP application: API, webhooks, events, metrics and the console, as one Fastify app. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { changes, services } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // Replaced by the debug line below, which names the route pattern and never the URL.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy:
      typeof options.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (options.trustProxy as number)
        : (options.trustProxy ?? false),
    // allowUnionTypes: an answer's schema lists its types in one `type` (src/contract/records.ts, AnswersPatch).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, allowUnionTypes: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const metrics = createMetrics(services.operations);

  const webRoot = options.webRoot && existsSync(join(options.webRoot, 'index.html')) ? options.webRoot : null;
  registerErrorHandler(app, { serveShell: webRoot !== null });
  registerSecurityHeaders(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Caseline API', version: '1', description: 'Two-way SMS and WhatsApp case work for surveys' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'caseline_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  // U+0000 has no place in an address or an API body, and PostgreSQL cannot store it.
  app.addHook('onRequest', async (request) => {
    // eslint-disable-next-line no-control-regex -- finding U+0000 is the point
    if (/%00|\u0000/i.test(request.url)) throw new DomainError('bad_request', 'The address contains a NUL character');
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    // Every webhook passes here: build the log line only when debug is on.
    if (request.log.level === 'debug' || request.log.level === 'trace') {
      request.log.debug(
        { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await app.register(
    async (api) => {
      api.addHook('preValidation', async (request) => {
        if (containsNul(request.body)) throw new DomainError('bad_request', 'The body contains a NUL character');
      });
      registerAuthentication(api, services.users);
      const secureCookies = options.publicUrl?.startsWith('https://') ?? false;
      await api.register(sessionRoutes, { services, secureCookies });
      await api.register(adminRoutes, { services });
      await api.register(colleagueRoutes, { services });
      await api.register(recordRoutes, { services });
      await api.register(caseJoinRoutes, { services });
      await api.register(templateRoutes, { services });
      await api.register(labelRoutes, { services });
      await api.register(alertRoutes, { services });
      await api.register(auditRoutes, { services });
      await api.register(privacyRoutes, { services });
      await api.register(outboundWebhookRoutes, { services });
      await api.register(exportRoutes, { services });
      await api.register(xlsFormRoutes, { services });
      await api.register(reportRoutes, { services });
      await api.register(mediaRoutes, { services });
      await api.register(savedReplyRoutes, { services });
      await api.register(simulatorRoutes, { services });
      await api.register(eventRoutes, { changes });
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );

  await app.register(webhookRoutes, { services, publicUrl: options.publicUrl, metrics });
  await app.register(outboundMediaRoutes, { services });

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    let database: string;
    try {
      database = await services.operations.ping();
    } catch {
      return reply.status(503).send(errorBody('unavailable', 'The database does not answer'));
    }
    if (!(await services.operations.secretKeyFits())) {
      return reply.status(503).send(errorBody('unavailable', 'CASELINE_SECRET_KEY cannot open the stored provider credentials'));
    }
    return { status: 'ok', database, secretKey: 'ok' };
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!metricsAccessAllowed(options.metricsToken ?? null, request.headers.authorization)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send(errorBody('unauthenticated', 'The metrics need Authorization: Bearer with CASELINE_METRICS_TOKEN'));
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Wildcard serving finds files by path at request time, so a rebuilt console is served
  // without a restart.
  if (webRoot) await app.register(fastifyStatic, { root: webRoot, wildcard: true, index: ['index.html'] });
  return app;
}
