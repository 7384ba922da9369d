import { describe, expect, it } from 'vitest';
import { createMetrics, metricsAccessAllowed } from '../../../src/http/metrics.js';

describe('metrics labels', () => {
  const metrics = () => createMetrics({ outboxBacklog: () => Promise.resolve([]) } as never);

  async function labels(m: ReturnType<typeof metrics>) {
    const metric = await m.webhooks.get();
    return metric.values.map((v) => v.labels);
  }

  it('a result that is not one of our error codes is counted as "error"', async () => {
    const m = metrics();
    m.countWebhook('twilio', 'SQLITE_BUSY');
    m.countWebhook('twilio', 'ECONNRESET');
    m.countWebhook('twilio', 'opted_out');
    m.countWebhook('twilio', 'stored');
    expect(await labels(m)).toEqual([
      { provider: 'twilio', result: 'error' },
      { provider: 'twilio', result: 'opted_out' },
      { provider: 'twilio', result: 'stored' },
    ]);
  });

  it('a provider that is not ours is counted as "unknown"', async () => {
    const m = metrics();
    for (const provider of ['x', 'TWILIO', '__proto__', 'sandbox']) m.countWebhook(provider, 'not_found');
    expect(await labels(m)).toEqual([
      { provider: 'unknown', result: 'not_found' },
      { provider: 'sandbox', result: 'not_found' },
    ]);
  });
});

describe('metrics access', () => {
  it('is open without a token and needs the exact bearer token with one', () => {
    expect(metricsAccessAllowed(null, undefined)).toBe(true);
    expect(metricsAccessAllowed('s3cret-token-0123456', undefined)).toBe(false);
    expect(metricsAccessAllowed('s3cret-token-0123456', 'Bearer s3cret-token-012345')).toBe(false);
    expect(metricsAccessAllowed('s3cret-token-0123456', 's3cret-token-0123456')).toBe(false);
    expect(metricsAccessAllowed('s3cret-token-0123456', 'Bearer s3cret-token-0123456')).toBe(true);
  });
});
