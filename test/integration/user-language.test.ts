import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/** `PATCH /users/me {language}`: the console's language, stored per user (DESIGN.md §11, §13). */
describeEachDialect('a user’s console language', (dialect) => {
  const h = useCaseline(dialect);
  it('is none (the browser’s) until chosen, then kept and given back by the session, and cleared with null', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    expect((await h.request('GET', '/api/v1/users/me', { token: viewer.token })).body.language).toBeNull();
    expect((await h.request('GET', '/api/v1/session', { token: viewer.token })).body.user.language).toBeNull();

    const chosen = await h.request('PATCH', '/api/v1/users/me', { token: viewer.token, body: { language: 'ar' } });
    expect(chosen.status).toBe(200);
    expect(chosen.body.language).toBe('ar');
    expect((await h.request('GET', '/api/v1/session', { token: viewer.token })).body.user.language).toBe('ar');
    expect((await h.request('GET', '/api/v1/users/me', { token: org.admin.token })).body.language).toBeNull();

    const cleared = await h.request('PATCH', '/api/v1/users/me', { token: viewer.token, body: { language: null } });
    expect(cleared.body.language).toBeNull();
  });

  it('refuses a language the console does not speak, changing nothing', async () => {
    const org = await h.newOrg();
    await h.request('PATCH', '/api/v1/users/me', { token: org.admin.token, body: { language: 'fr' } });
    for (const language of ['de', 'FR', 'fr-FR', 'english', 3]) {
      const refused = await h.request('PATCH', '/api/v1/users/me', { token: org.admin.token, body: { language } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('validation_failed');
    }
    expect((await h.request('GET', '/api/v1/users/me', { token: org.admin.token })).body.language).toBe('fr');
  });

  it('is each user’s own: an admin’s list of users shows it, and choosing it leaves availability alone', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    await h.request('PATCH', '/api/v1/users/me', { token: analyst.token, body: { available: true } });
    await h.request('PATCH', '/api/v1/users/me', { token: analyst.token, body: { language: 'sw' } });
    const users = (await h.request('GET', '/api/v1/users', { token: org.admin.token })).body.items as Array<{
      id: string;
      language: string | null;
      available: boolean;
    }>;
    expect(users.find((u) => u.id === analyst.id)).toMatchObject({ language: 'sw', available: true });
    expect(users.find((u) => u.id === org.admin.id)?.language).toBeNull();
  });
});
