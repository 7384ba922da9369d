import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../services/index.js';

/** Prometheus metrics served at `/metrics`. */
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
  return { registry, webhooks, httpDuration };
}

export type Metrics = ReturnType<typeof createMetrics>;
