import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/**
 * Background jobs (media fetches above all) make way while webhooks wait in line for the
 * store (src/jobs/job-worker.ts `backlogged`); the inbound service tells when they do.
 */
describeEachDialect('webhooks waiting in line', (dialect) => {
  const h = useCaseline(dialect);

  it('a webhook now and then is no backlog; a surge that outruns the store is, for a while', async () => {
    const { inbound } = h.caseline().services;
    const org = await h.newOrg();
    for (let i = 0; i < 3; i++) expect((await h.text(org, '+447700900200', `one at a time ${i}`)).status).toBe(200);
    expect(inbound.backloggedWithin(60_000)).toBe(false);

    const surge = Array.from({ length: 200 }, (_, i) => h.text(org, `+4477009${String(300 + (i % 50)).padStart(5, '0')}`, `surge ${i}`));
    expect((await Promise.all(surge)).every((res) => res.status === 200)).toBe(true);
    expect(inbound.backloggedWithin(60_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(inbound.backloggedWithin(50)).toBe(false);
  });
});
