import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/** API tokens: created, listed and revoked by their owner; refused once expired or revoked. */
describeEachDialect('API tokens', (dialect) => {
  const h = useCaseline(dialect);

  it('a new token answers its id and secret once; the list shows name and times, never the secret', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'analyst');
    const created = await h.request('POST', '/api/v1/tokens', { token: user.token, body: { name: 'reporting', expiresInDays: 30 } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), token: expect.stringMatching(/^cl_/) });
    const list = await h.request('GET', '/api/v1/tokens', { token: user.token });
    expect(list.status).toBe(200);
    const item = list.body.items.find((t: { id: string }) => t.id === created.body.id);
    expect(Object.keys(item).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name']);
    expect(item.name).toBe('reporting');
    const days = (Date.parse(item.expiresAt) - Date.parse(item.createdAt)) / 86_400_000;
    expect(days).toBe(30);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
  });

  it("the list holds only the caller's own tokens", async () => {
    const org = await h.newOrg();
    const a = await h.addUser(org.orgId, 'analyst');
    const b = await h.addUser(org.orgId, 'analyst');
    await h.request('POST', '/api/v1/tokens', { token: a.token, body: { name: 'only a' } });
    const ofB = await h.request('GET', '/api/v1/tokens', { token: b.token });
    expect(ofB.body.items.map((t: { name: string }) => t.name)).toEqual(['tests']);
  });

  it('an owner revokes a token and it stops working at once', async () => {
    const org = await h.newOrg();
    const user = await h.addUser(org.orgId, 'viewer');
    const created = await h.request('POST', '/api/v1/tokens', { token: user.token, body: { name: 'script' } });
    expect((await h.request('GET', '/api/v1/surveys', { token: created.body.token })).status).toBe(200);
    const revoked = await h.request('DELETE', `/api/v1/tokens/${created.body.id}`, { token: user.token });
    expect(revoked.status).toBe(204);
    expect((await h.request('GET', '/api/v1/surveys', { token: created.body.token })).status).toBe(401);
  });

  it("another user's token is not found, and stays working", async () => {
    const org = await h.newOrg();
    const owner = await h.addUser(org.orgId, 'analyst');
    const created = await h.request('POST', '/api/v1/tokens', { token: owner.token, body: { name: 'mine' } });
    const attempt = await h.request('DELETE', `/api/v1/tokens/${created.body.id}`, { token: org.admin.token });
    expect(attempt.status).toBe(404);
    expect(attempt.body.error.code).toBe('not_found');
    expect((await h.request('GET', '/api/v1/surveys', { token: created.body.token })).status).toBe(200);
  });

  it('an expired token is refused', async () => {
    const org = await h.newOrg();
    const created = await h.request('POST', '/api/v1/tokens', { token: org.admin.token, body: { name: 'short-lived', expiresInDays: 1 } });
    await h
      .caseline()
      .db.kysely.updateTable('api_tokens')
      .set({ expires_at: Date.now() - 1000 })
      .where('id', '=', created.body.id)
      .execute();
    const res = await h.request('GET', '/api/v1/surveys', { token: created.body.token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('an expiry outside 1 to 3650 days is refused', async () => {
    const org = await h.newOrg();
    for (const expiresInDays of [0, 3651, 1.5]) {
      const res = await h.request('POST', '/api/v1/tokens', { token: org.admin.token, body: { name: 'x', expiresInDays } });
      expect(res.status).toBe(400);
    }
  });

  it('using a token records when it was last used, at most once a minute', async () => {
    const org = await h.newOrg();
    const created = await h.request('POST', '/api/v1/tokens', { token: org.admin.token, body: { name: 'used' } });
    const lastUsed = async () =>
      (await h.request('GET', '/api/v1/tokens', { token: org.admin.token })).body.items.find(
        (t: { id: string }) => t.id === created.body.id,
      ).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await h.request('GET', '/api/v1/surveys', { token: created.body.token });
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    await h.request('GET', '/api/v1/surveys', { token: created.body.token });
    expect(await lastUsed()).toBe(first);
  });

  it('a user deactivated and then reactivated does not get their old tokens or sessions back', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const login = await h.request('POST', '/api/v1/session', { body: { email: analyst.email, password: 'a-long-password-1' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await h.request('PATCH', `/api/v1/users/${analyst.id}`, { token: org.admin.token, body: { active: false } })).status).toBe(200);
    expect((await h.request('PATCH', `/api/v1/users/${analyst.id}`, { token: org.admin.token, body: { active: true } })).status).toBe(200);
    expect((await h.request('GET', '/api/v1/surveys', { token: analyst.token })).status).toBe(401);
    expect((await h.request('GET', '/api/v1/session', { headers: { cookie } })).status).toBe(401);
  });

  it("an admin setting a user's password ends that user's tokens and sessions", async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const patched = await h.request('PATCH', `/api/v1/users/${analyst.id}`, {
      token: org.admin.token,
      body: { password: 'set-by-the-admin-1' },
    });
    expect(patched.status).toBe(200);
    expect((await h.request('GET', '/api/v1/surveys', { token: analyst.token })).status).toBe(401);
    expect((await h.request('GET', '/api/v1/tokens', { token: org.admin.token })).status).toBe(200);
  });
});
