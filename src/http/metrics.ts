import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isProviderName } from '../domain/providers.js';
import type { Services } from '../services/index.js';
import { isErrorCode } from './error-handler.js';

/**
 * Prometheus metrics served at `/metrics`. Every label value comes from a closed set, never
 * from the request as sent: each distinct value is a series kept in memory for good, so a
 * label taken from an unauthenticated URL would let anyone grow it without bound.
 */
export function createMetrics(operations: Services['operations']) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'caseline_' });
  const webhooks = new Counter({
    name: 'caseline_webhooks_total',
    help: 'Provider webhooks by provider and outcome',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'caseline_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'caseline_outbox_rows',
    help: 'Outbox rows by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = await operations.outboxBacklog();
      this.reset();
      for (const row of rows) this.set({ state: row.state }, row.count);
    },
  });

  /** Counts one webhook: a provider not in our list is `unknown`, an outcome not an error code is `error`. */
  const countWebhook = (provider: string, result: string) =>
    webhooks.inc({
      provider: isProviderName(provider) ? provider : 'unknown',
      result: result === 'stored' || isErrorCode(result) ? result : 'error',
    });

  return { registry, webhooks, httpDuration, countWebhook };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Whether a request may read `/metrics`: always when no token is configured, else only with
 * `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison takes the
 * same time whatever the length or content of the guess.
 */
export function metricsAccessAllowed(configuredToken: string | null, authorization: string | undefined): boolean {
  if (configuredToken === null) return true;
  const match = /^Bearer (.+)$/i.exec(authorization?.trim() ?? '');
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(configuredToken).digest();
  return timingSafeEqual(given, expected) && match !== null;
}
