import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerSecurityHeaders } from '../../../src/http/security-headers.js';

const app = Fastify();

beforeAll(async () => {
  registerSecurityHeaders(app);
  app.get('/', (_request, reply) => reply.send('console'));
  app.get('/api/v1/things', (_request, reply) => reply.send({ things: [] }));
  app.post('/webhooks/twilio/token', (_request, reply) => reply.send('<Response/>'));
  app.get('/api/v1/stream', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    reply.raw.end();
  });
  await app.ready();
});

afterAll(() => app.close());

it('console answers carry the browser headers and may be cached', async () => {
  const answer = await app.inject({ url: '/' });
  expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(answer.headers['x-frame-options']).toBe('DENY');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBeUndefined();
});

it('API answers carry the browser headers and are never cached', async () => {
  const answer = await app.inject({ url: '/api/v1/things' });
  expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
});

it('answers a route writes itself carry the browser headers, and its own cache-control wins', async () => {
  const answer = await app.inject({ url: '/api/v1/stream' });
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-cache');
});

it('webhook answers are never cached and carry no browser headers, as no browser reads them', async () => {
  const answer = await app.inject({ method: 'POST', url: '/webhooks/twilio/token' });
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['content-security-policy']).toBeUndefined();
  expect(answer.headers['x-frame-options']).toBeUndefined();
});
