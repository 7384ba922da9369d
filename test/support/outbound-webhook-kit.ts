import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { useCaseline, TestOrg } from './harness.js';
import type { ReceivedWebhook } from './webhook-receiver.js';

export const ALL_EVENTS = ['record.created', 'record.updated', 'record.closed', 'message.added', 'message.status'];
export const RECEIVER_SECRET = 'a-receiver-secret-of-some-length';

type Harness = ReturnType<typeof useCaseline>;

/** The outbound webhook API as a test drives it, over one harness. */
export function outboundWebhookKit(h: Harness) {
  async function subscribe(org: TestOrg, url: string, events = ALL_EVENTS): Promise<string> {
    const res = await h.request('POST', '/api/v1/outbound-webhooks', {
      token: org.admin.token,
      body: { url, events, secret: RECEIVER_SECRET },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }

  /** Runs what is due now, without letting time pass. */
  async function runDueJobs(): Promise<void> {
    for (let round = 0; round < 50; round++) if ((await h.caseline().jobs.runOnce()) === 0) return;
    throw new Error('jobs kept coming');
  }

  async function deliveries(org: TestOrg, webhookId: string) {
    const res = await h.request('GET', `/api/v1/outbound-webhooks/${webhookId}/deliveries`, { token: org.admin.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items as Array<{
      id: string;
      event: string;
      state: string;
      attempts: number;
      lastStatus: number | null;
      lastError: string | null;
      attemptLog: Array<{ attempt: number; statusCode: number | null; error: string | null; durationMs: number }>;
    }>;
  }

  async function ping(org: TestOrg, webhookId: string): Promise<string> {
    const res = await h.request('POST', `/api/v1/outbound-webhooks/${webhookId}/test`, { token: org.admin.token });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id as string;
  }

  return { subscribe, runDueJobs, deliveries, ping };
}

/** Checks a delivery's headers and signature as a receiver would, with the subscription's secret. */
export function expectSigned(webhook: ReceivedWebhook, secret = RECEIVER_SECRET): void {
  expect(webhook.headers['content-type']).toBe('application/json');
  expect(webhook.headers['x-caseline-event']).toBe(webhook.json.event);
  const expected = `sha256=${createHmac('sha256', secret).update(webhook.body).digest('hex')}`;
  expect(webhook.headers['x-caseline-signature']).toBe(expected);
  expect(Object.keys(webhook.json).sort()).toEqual(['at', 'data', 'event', 'id']);
  expect(new Date(webhook.json.at).toISOString()).toBe(webhook.json.at);
}
