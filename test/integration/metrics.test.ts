import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type Harness } from '../support/harness.js';

/** The webhook counter's series, one line each, e.g. `provider="sandbox",result="stored"`. */
async function webhookSeries(h: Harness, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await h.request('GET', '/metrics', { headers });
  expect(res.status).toBe(200);
  return String(res.body)
    .split('\n')
    .filter((line) => line.startsWith('caseline_webhooks_total{'))
    .map((line) => line.slice(line.indexOf('{') + 1, line.indexOf('}')));
}

describeEachDialect('metrics', (dialect) => {
  const h = useCaseline(dialect);

  it('50 posts to made-up providers add one series, labelled unknown', async () => {
    const before = await webhookSeries(h);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => h.request('POST', `/webhooks/${randomUUID()}/${randomUUID()}`, { rawBody: 'x' })),
    );
    expect(answers.every((a) => a.status === 404)).toBe(true);
    const after = await webhookSeries(h);
    expect(after.filter((s) => !before.includes(s))).toEqual(['provider="unknown",result="not_found"']);
  });

  it('a known provider keeps its name; unknown tokens on it add no series per token', async () => {
    const org = await h.newOrg();
    expect((await h.text(org, '+447700900123', 'hello')).status).toBe(200);
    await Promise.all(Array.from({ length: 20 }, () => h.request('POST', `/webhooks/sandbox/${randomUUID()}`, { rawBody: '{}' })));
    const series = await webhookSeries(h);
    expect(series).toContain('provider="sandbox",result="stored"');
    expect(series).toContain('provider="sandbox",result="not_found"');
    expect(series.every((s) => /^provider="[\w-]+",result="\w+"$/.test(s))).toBe(true);
  });
});

describeEachDialect('metrics behind a token', (dialect) => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  const h = useCaseline(dialect, { config: { metricsToken: TOKEN } });

  it('/metrics with CASELINE_METRICS_TOKEN set refuses a request without the token, or with another', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const res = await h.request('GET', '/metrics', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(String(res.body)).not.toContain('caseline_');
    }
    expect(await webhookSeries(h, { authorization: `Bearer ${TOKEN}` })).toEqual(expect.any(Array));
  });
});
