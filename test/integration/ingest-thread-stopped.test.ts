import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/http/logging.js';
import { useCaseline } from '../support/harness.js';
import { logLines } from '../support/log-lines.js';

/**
 * SQLite only (PostgreSQL has no ingest thread): when the ingest thread stops without being
 * asked to, batches are stored on the main thread from then on (ingest-thread.test.ts shows
 * nothing is lost). That is slower, so the server says so once, in words an operator can act
 * on and without what the messages held.
 */
describe('the SQLite ingest thread, stopped', () => {
  const { sink, lines } = logLines();
  const h = useCaseline('sqlite', { logger: loggerOptions('warn', sink) });
  const warnings = () => lines.filter((line) => line.includes('the ingest thread stopped'));

  it('is reported once when it dies, and ingest goes on here', async () => {
    const org = await h.newOrg();
    const thread = h.caseline().ingestThread!;
    expect((await h.text(org, '+447700900123', 'before the crash')).status).toBe(200);
    expect(thread.batchesStored).toBeGreaterThan(0);
    expect(warnings()).toEqual([]);

    await thread.crash();
    expect((await h.text(org, '+447700900124', 'after the crash')).status).toBe(200);
    expect((await h.text(org, '+447700900125', 'and again')).status).toBe(200);

    expect(warnings()).toHaveLength(1);
    const warning = JSON.parse(warnings()[0]!) as { level: number; cause: { type: string } | null };
    expect(warning.level).toBe(40);
    expect(warning.cause?.type).toBe('Error');
    expect(warnings()[0]).not.toMatch(/447700|crash|again/);
    expect((await h.records(org)).map((r) => r.contact).sort()).toEqual(['+447700900123', '+447700900124', '+447700900125']);
  });
});
