import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { hashPassword } from '../../src/services/security.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type Harness } from '../support/harness.js';

const PASSWORD = 'a-long-password-1';
let addressCounter = 0;
/** A fresh client address per test, so the per-address throttle of one test never touches another. */
const newAddress = () => `198.51.100.${(addressCounter = (addressCounter % 250) + 1)}`;

function client(h: Harness) {
  async function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options: { cookie?: string; csrf?: string; body?: unknown; ip?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await h.caseline().app.inject({
      method,
      url,
      headers,
      payload: options.body === undefined ? undefined : JSON.stringify(options.body),
      remoteAddress: options.ip ?? newAddress(),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body ? res.json() : null };
  }
  async function login(email: string, password: string, ip = newAddress(), headers?: Record<string, string>) {
    const res = await call('POST', '/api/v1/session', { body: { email, password }, ip, headers });
    const setCookie = String(res.headers['set-cookie'] ?? '');
    return { ...res, setCookie, cookie: setCookie.split(';')[0]!, csrf: res.body?.csrfToken as string };
  }
  return { call, login };
}

describeEachDialect('sign-in', (dialect) => {
  const h = useCaseline(dialect);
  const { call, login } = client(h);

  it('40 parallel wrong passwords for one account: at most 10 are checked, the rest get 429 with Retry-After, and a right one in the burst is refused too', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const wrong = Array.from({ length: 40 }, () => login(user.email, 'wrong-password', newAddress()));
    const right = login(user.email, PASSWORD, newAddress());
    const answers = await Promise.all(wrong);
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(10);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(30);
    expect(refused.length + answers.filter((a) => a.status === 401).length).toBe(40);
    expect(refused.every((a) => Number(a.headers['retry-after']) > 0)).toBe(true);
    expect(refused[0]!.body.error.code).toBe('rate_limited');
    expect((await right).status).toBe(429);
  });

  it('signing in to your own account does not clear the failures an address made on others', async () => {
    const org = await h.newOrg();
    const mine = await h.addUser(org.orgId, 'analyst');
    const ip = newAddress();
    for (let i = 0; i < 9; i++) expect((await login(`victim${i}-${randomUUID()}@example.org`, 'guess', ip)).status).toBe(401);
    expect((await login(mine.email, PASSWORD, ip)).status).toBe(200);
    expect((await login(`victim-${randomUUID()}@example.org`, 'guess', ip)).status).toBe(401);
    const throttled = await login(`victim-${randomUUID()}@example.org`, 'guess', ip);
    expect(throttled.status).toBe(429);
  });

  it('the same email in two organisations: each password signs in to its own organisation', async () => {
    const first = await h.newOrg();
    const second = await h.newOrg();
    const email = `shared-${randomUUID().slice(0, 8)}@example.org`;
    const a = await h.request('POST', '/api/v1/users', {
      token: first.admin.token,
      body: { email, name: 'In first', role: 'analyst', password: 'first-org-password' },
    });
    expect(a.status).toBe(201);
    const b = await h.request('POST', '/api/v1/users', {
      token: second.admin.token,
      body: { email, name: 'In second', role: 'viewer', password: 'second-org-password' },
    });
    expect(b.status).toBe(201);
    const inFirst = await login(email, 'first-org-password');
    expect(inFirst.status).toBe(200);
    expect(inFirst.body.organisation.id).toBe(first.orgId);
    const inSecond = await login(email, 'second-org-password');
    expect(inSecond.status).toBe(200);
    expect(inSecond.body.organisation.id).toBe(second.orgId);
    expect(inSecond.body.user.role).toBe('viewer');
    expect((await login(email, 'neither-password')).status).toBe(401);
  });

  it('creating a user whose email exists in the same organisation is still a conflict', async () => {
    const org = await h.newOrg();
    const again = await h.request('POST', '/api/v1/users', {
      token: org.admin.token,
      body: { email: org.admin.email, name: 'Twin', role: 'analyst', password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it("a password hashed at a lower cost is rehashed at today's cost on the next successful login", async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const { db } = h.caseline();
    const weak = await hashPassword(PASSWORD, { N: 2 ** 12, r: 8, p: 1 });
    await db.kysely.updateTable('users').set({ password_hash: weak }).where('id', '=', user.id).execute();
    const stored = async () =>
      (await db.kysely.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash;
    expect((await login(user.email, 'not-the-password')).status).toBe(401);
    expect(await stored()).toBe(weak);
    expect((await login(user.email, PASSWORD)).status).toBe(200);
    const rehashed = await stored();
    expect(rehashed).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect((await login(user.email, PASSWORD)).status).toBe(200);
  });

  it("GET /users/me is the caller's own user, for any role", async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const me = await h.request('GET', '/api/v1/users/me', { token: viewer.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: viewer.id, email: viewer.email, role: 'viewer', active: true });
  });

  it('changing my own password ends my other sessions and tokens; the session I changed it in goes on', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'viewer');
    const here = await login(user.email, PASSWORD);
    const elsewhere = await login(user.email, PASSWORD);
    const changed = await call('PATCH', '/api/v1/users/me', {
      cookie: here.cookie,
      csrf: here.csrf,
      body: { currentPassword: PASSWORD, password: 'a-brand-new-password' },
    });
    expect(changed.status).toBe(200);
    expect((await call('GET', '/api/v1/session', { cookie: here.cookie })).status).toBe(200);
    expect((await call('GET', '/api/v1/session', { cookie: elsewhere.cookie })).status).toBe(401);
    expect((await h.request('GET', '/api/v1/surveys', { token: user.token })).status).toBe(401);
    expect((await login(user.email, PASSWORD)).status).toBe(401);
    expect((await login(user.email, 'a-brand-new-password')).status).toBe(200);
  });

  it('a wrong current password is refused with wrong_current_password, changes nothing, and counts like a failed login', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const session = await login(user.email, PASSWORD);
    const wrong = await call('PATCH', '/api/v1/users/me', {
      cookie: session.cookie,
      csrf: session.csrf,
      body: { currentPassword: 'a-wrong-guess', password: 'a-brand-new-password' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_current_password');
    expect((await call('GET', '/api/v1/session', { cookie: session.cookie })).status).toBe(200);
    // From many addresses, so only the account's count can stop them.
    const bearer = { authorization: `Bearer ${user.token}` };
    for (let i = 0; i < 9; i++) {
      const guess = await call('PATCH', '/api/v1/users/me', {
        headers: bearer,
        body: { currentPassword: `guess-${i}-xxxxx`, password: 'a-brand-new-password' },
      });
      expect(guess.status).toBe(403);
    }
    const blocked = await call('PATCH', '/api/v1/users/me', {
      headers: bearer,
      body: { currentPassword: PASSWORD, password: 'a-brand-new-password' },
    });
    expect(blocked.status).toBe(429);
    expect((await login(user.email, PASSWORD)).status).toBe(429);
  });

  it('a new password that is too short is refused before the current one is checked', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const short = await h.request('PATCH', '/api/v1/users/me', {
      token: user.token,
      body: { currentPassword: PASSWORD, password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('validation_failed');
  });
});

describeEachDialect('session cookie behind a TLS proxy', (dialect) => {
  const PROXY = '192.0.2.10';
  const h = useCaseline(dialect, { config: { publicUrl: 'http://caseline.test', trustProxy: [PROXY] } });
  const { login } = client(h);

  it('the cookie is Secure when a trusted proxy says the request came over https', async () => {
    const org = await h.newOrg();
    const res = await login(org.admin.email, PASSWORD, PROXY, { 'x-forwarded-proto': 'https', 'x-forwarded-for': newAddress() });
    expect(res.status).toBe(200);
    expect(res.setCookie).toMatch(/;\s*Secure/i);
  });

  it('an X-Forwarded-Proto from an untrusted peer does not make it Secure', async () => {
    const org = await h.newOrg();
    const res = await login(org.admin.email, PASSWORD, newAddress(), { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.setCookie).not.toMatch(/Secure/i);
  });
});
