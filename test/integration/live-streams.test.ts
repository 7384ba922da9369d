import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCaseline, type Caseline } from '../../src/server.js';
import { describeEachDialect, describePostgres } from '../support/dialects.js';
import { useCaseline, type Harness } from '../support/harness.js';

const PASSWORD = 'a-long-password-1';

interface Stream {
  status: number;
  body: string;
  /** Settles with 'ended' when the server ends the stream. */
  ended: Promise<'ended'>;
  close(): void;
}

/** Opens `GET /api/v1/events` on a listening server, as a browser's EventSource would. */
function openStream(base: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/v1/events`, { headers }, (res) => {
      const stream: Stream = {
        status: res.statusCode ?? 0,
        body: '',
        ended: new Promise((done) => {
          res.on('end', () => done('ended'));
          res.on('close', () => done('ended'));
        }),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (stream.body += chunk));
      // Answers other than the stream (a 429) are read whole first.
      if (stream.status === 200) resolve(stream);
      else res.on('end', () => resolve(stream));
    });
    req.on('error', reject);
    req.end();
  });
}

const within = (stream: Stream, ms: number) => Promise.race([stream.ended, new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);

function listening(h: Harness) {
  const state = { base: '', streams: [] as Stream[] };
  beforeAll(async () => {
    const app = h.caseline().app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    state.base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const stream of state.streams) stream.close();
  });
  const open = async (headers: Record<string, string>, base = state.base) => {
    const stream = await openStream(base, headers);
    state.streams.push(stream);
    return stream;
  };
  return { open, state };
}

async function login(h: Harness, email: string, password = PASSWORD) {
  const res = await h.request('POST', '/api/v1/session', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.body.csrfToken as string };
}

describeEachDialect('live event streams end with the access that opened them', (dialect) => {
  const h = useCaseline(dialect);
  const { open } = listening(h);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('logging out ends the streams that session opened, and only those', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const session = await login(h, user.email);
    const other = await login(h, user.email);
    const stream = await open({ cookie: session.cookie });
    const otherStream = await open({ cookie: other.cookie });
    expect(stream.status).toBe(200);
    const out = await h.request('DELETE', '/api/v1/session', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    expect(out.status).toBe(204);
    expect(await within(stream, 3000)).toBe('ended');
    expect(await within(otherStream, 300)).toBe('open');
  });

  it('deactivating a user ends their streams', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'viewer');
    const byToken = await open(bearer(user.token));
    const bySession = await open({ cookie: (await login(h, user.email)).cookie });
    await h.request('PATCH', `/api/v1/users/${user.id}`, { token: org.admin.token, body: { active: false } });
    expect(await within(byToken, 3000)).toBe('ended');
    expect(await within(bySession, 3000)).toBe('ended');
  });

  it('revoking the token that opened a stream ends it', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const created = await h.request('POST', '/api/v1/tokens', { token: user.token, body: { name: 'stream' } });
    const stream = await open(bearer(created.body.token));
    const untouched = await open(bearer(user.token));
    await h.request('DELETE', `/api/v1/tokens/${created.body.id}`, { token: user.token });
    expect(await within(stream, 3000)).toBe('ended');
    expect(await within(untouched, 300)).toBe('open');
  });

  it('a stream ends when the token that opened it expires', async () => {
    const org = await h.newOrg();
    const created = await h.request('POST', '/api/v1/tokens', { token: org.admin.token, body: { name: 'brief', expiresInDays: 1 } });
    await h
      .caseline()
      .db.kysely.updateTable('api_tokens')
      .set({ expires_at: Date.now() + 1000 })
      .where('id', '=', created.body.id)
      .execute();
    const stream = await open(bearer(created.body.token));
    expect(stream.status).toBe(200);
    expect(await within(stream, 4000)).toBe('ended');
  });

  it('changing my password ends my other streams; the session I changed it in keeps its stream', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const here = await login(h, user.email);
    const hereStream = await open({ cookie: here.cookie });
    const tokenStream = await open(bearer(user.token));
    const changed = await h.request('PATCH', '/api/v1/users/me', {
      headers: { cookie: here.cookie, 'x-csrf-token': here.csrf },
      body: { currentPassword: PASSWORD, password: 'another-long-password' },
    });
    expect(changed.status).toBe(200);
    expect(await within(tokenStream, 3000)).toBe('ended');
    expect(await within(hereStream, 300)).toBe('open');
  });

  it('an 11th stream of one user is refused with too_many_streams; closing one makes room', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'viewer');
    const streams = [];
    for (let i = 0; i < 10; i++) streams.push(await open(bearer(user.token)));
    expect(streams.every((s) => s.status === 200)).toBe(true);
    const eleventh = await open(bearer(user.token));
    expect(eleventh.status).toBe(429);
    expect(JSON.parse(eleventh.body).error.code).toBe('too_many_streams');
    expect((await open(bearer(org.admin.token))).status).toBe(200);
    streams[0]!.close();
    await expect
      .poll(
        async () => {
          const next = await open(bearer(user.token));
          if (next.status === 200) next.close();
          return next.status;
        },
        { timeout: 3000 },
      )
      .toBe(200);
  });
});

describePostgres('live event streams across server processes', () => {
  const h = useCaseline('pg');
  const { open, state } = listening(h);
  let second: Caseline;
  let secondBase = '';

  beforeAll(async () => {
    // A second server on the same database, as behind a load balancer.
    second = await createCaseline(h.caseline().config, { ingestThread: false });
    await second.app.listen({ port: 0, host: '127.0.0.1' });
    secondBase = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const stream of state.streams) stream.close();
    await second?.close();
  });

  it('logging out on one server ends the stream the session opened on another', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const session = await login(h, user.email);
    const stream = await open({ cookie: session.cookie }, secondBase);
    expect(stream.status).toBe(200);
    await h.request('DELETE', '/api/v1/session', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    expect(await within(stream, 5000)).toBe('ended');
  });

  it('deactivating a user on one server ends their streams on another', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'viewer');
    const stream = await open({ authorization: `Bearer ${user.token}` }, secondBase);
    await h.request('PATCH', `/api/v1/users/${user.id}`, { token: org.admin.token, body: { active: false } });
    expect(await within(stream, 5000)).toBe('ended');
  });
});
