import { expect, it } from 'vitest';
import { loggerOptions } from '../../src/http/logging.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';
import { logLines } from '../support/log-lines.js';

/** Logs carry no message text, phone number, query string or webhook path token (DESIGN.md §9). */
describeEachDialect('what the logs hold', (dialect) => {
  const { sink, lines } = logLines();
  const h = useCaseline(dialect, { logger: loggerOptions('debug', sink) });
  const CONTACT = '+447700900444';

  it('no phone number, message text, query string or webhook token reaches the log, even at debug', async () => {
    const org = await h.newOrg();
    const number = await h.request('GET', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token });
    const webhookPath = new URL(number.body.webhooks.inbound as string).pathname;
    const token = webhookPath.split('/').pop()!;
    lines.length = 0;

    expect((await h.text(org, CONTACT, 'I am thinking about suicide')).status).toBe(200);
    await h.request('GET', `/api/v1/surveys/${org.surveyId}/records?contact=${encodeURIComponent(CONTACT)}&q=suicide`, {
      token: org.admin.token,
    });
    await h.request('GET', `/webhooks/whatsapp-cloud/${token}?hub.mode=subscribe&hub.verify_token=VERIFY-SECRET-42&hub.challenge=7`);
    await h.request('POST', `${webhookPath}?contact=${encodeURIComponent(CONTACT)}`, {
      rawBody: '{}',
      headers: { 'content-type': 'application/json' },
    });

    const log = lines.join('\n');
    expect(lines.some((line) => line.includes('request completed'))).toBe(true);
    for (const secret of [
      CONTACT,
      CONTACT.slice(1),
      '7700900444',
      'suicide',
      'VERIFY-SECRET-42',
      'hub.verify_token',
      token,
      org.numberId,
    ]) {
      expect(log, secret).not.toContain(secret);
    }
  });

  it('requests are logged at debug only: an info log holds no line per request', async () => {
    const org = await h.newOrg();
    lines.length = 0;
    await h.text(org, CONTACT, 'hello');
    await h.request('GET', '/api/v1/surveys', { token: org.admin.token });
    const requestLines = lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.msg === 'request completed');
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => line.level === 20)).toBe(true);
  });
});
