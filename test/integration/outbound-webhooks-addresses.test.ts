import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';
import { ALL_EVENTS, RECEIVER_SECRET } from '../support/outbound-webhook-kit.js';

/**
 * Without `CASELINE_WEBHOOKS_ALLOW_PRIVATE=true`, a subscription may not point at the
 * server's own machine or networks (DESIGN.md §10): by address or by a name that resolves there.
 */
describeEachDialect('outbound webhooks: addresses', (dialect) => {
  const h = useCaseline(dialect);

  it('private, loopback, link-local, unique-local, CGNAT and unspecified addresses are refused with a stable code', async () => {
    const org = await h.newOrg();
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'https://10.1.2.3/hook',
      'https://172.16.0.1/hook',
      'https://192.168.1.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook',
    ];
    for (const url of refused) {
      const res = await h.request('POST', '/api/v1/outbound-webhooks', {
        token: org.admin.token,
        body: { url, events: ALL_EVENTS, secret: RECEIVER_SECRET },
      });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe('webhook_address_not_allowed');
    }
    expect((await h.request('GET', '/api/v1/outbound-webhooks', { token: org.admin.token })).body.items).toEqual([]);
  });

  it('a public address is accepted', async () => {
    const org = await h.newOrg();
    const res = await h.request('POST', '/api/v1/outbound-webhooks', {
      token: org.admin.token,
      body: { url: 'https://203.0.113.10/hooks/caseline', events: ['record.closed'], secret: RECEIVER_SECRET },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ url: 'https://203.0.113.10/hooks/caseline', events: ['record.closed'], lastDelivery: null });
  });
});
