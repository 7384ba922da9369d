import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestUser } from '../support/harness.js';

/** Saved replies (DESIGN.md §7): an organisation's shared answers, for those who reply. */
describeEachDialect('saved replies', (dialect) => {
  const h = useCaseline(dialect);
  const list = async (user: TestUser) => (await h.request('GET', '/api/v1/saved-replies', { token: user.token })).body.items;
  const create = (user: TestUser, body: unknown) => h.request('POST', '/api/v1/saved-replies', { token: user.token, body });

  it('an analyst writes, edits and deletes saved replies that the whole team then reads, by title', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const hours = await create(analyst, {
      title: '  Opening   hours ',
      text: '  Hello {contact}, we are open 9–5.\nYour case is #{case}. — {worker}  ',
      language: 'en',
    });
    expect(hours.status).toBe(201);
    expect(hours.body).toEqual({
      id: expect.any(String),
      title: 'Opening hours',
      text: 'Hello {contact}, we are open 9–5.\nYour case is #{case}. — {worker}',
      language: 'en',
      updatedAt: expect.any(String),
    });
    const address = await create(org.admin, { title: 'Address', text: '12 High Street' });
    expect(address.status).toBe(201);
    expect(address.body.language).toBeNull();
    const benefits = (await create(analyst, { title: 'benefits', text: 'See gov.uk/benefits' })).body;
    // By title whatever its case, on both dialects.
    expect((await list(org.admin)).map((r: { title: string }) => r.title)).toEqual(['Address', 'benefits', 'Opening hours']);

    const edited = await h.request('PATCH', `/api/v1/saved-replies/${hours.body.id}`, {
      token: org.admin.token,
      body: { text: 'We are open 8–6.', language: null },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: hours.body.id, title: 'Opening hours', text: 'We are open 8–6.', language: null });

    expect((await h.request('DELETE', `/api/v1/saved-replies/${address.body.id}`, { token: analyst.token })).status).toBe(204);
    expect(await list(analyst)).toEqual([benefits, edited.body]);
    expect((await h.request('DELETE', `/api/v1/saved-replies/${address.body.id}`, { token: analyst.token })).status).toBe(404);
  });

  it('a viewer, who cannot reply, can neither read nor write saved replies', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const reply = (await create(org.admin, { title: 'Thanks', text: 'Thank you' })).body;
    const attempts = await Promise.all([
      h.request('GET', '/api/v1/saved-replies', { token: viewer.token }),
      create(viewer, { title: 'Mine', text: 'x' }),
      h.request('PATCH', `/api/v1/saved-replies/${reply.id}`, { token: viewer.token, body: { text: 'changed' } }),
      h.request('DELETE', `/api/v1/saved-replies/${reply.id}`, { token: viewer.token }),
    ]);
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    expect(attempts.every((a) => a.body.error.code === 'forbidden')).toBe(true);
    expect(await list(org.admin)).toEqual([reply]);
  });

  it("another organisation's saved replies are invisible and cannot be changed", async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const theirs = (await create(other.admin, { title: 'Theirs', text: 'secret wording' })).body;
    expect(await list(org.admin)).toEqual([]);
    const attempts = await Promise.all([
      h.request('PATCH', `/api/v1/saved-replies/${theirs.id}`, { token: org.admin.token, body: { text: 'hijacked' } }),
      h.request('DELETE', `/api/v1/saved-replies/${theirs.id}`, { token: org.admin.token }),
    ]);
    expect(attempts.map((a) => a.status)).toEqual([404, 404]);
    expect(await list(other.admin)).toEqual([theirs]);
  });

  it('bad input is refused and stores nothing', async () => {
    const org = await h.newOrg();
    const good = (await create(org.admin, { title: 'Good', text: 'Fine' })).body;
    const bad = [
      { title: '', text: 'x' },
      { title: '   ', text: 'x' },
      { title: 'No text', text: ' \n ' },
      { title: 'x'.repeat(201), text: 'x' },
      { title: 'Long', text: 'x'.repeat(5001) },
      { title: 'Language', text: 'x', language: 'english please' },
      { title: 'Extra', text: 'x', shared: true },
      { text: 'no title' },
    ];
    for (const body of bad) {
      const res = await create(org.admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const patch = await h.request('PATCH', `/api/v1/saved-replies/${good.id}`, {
      token: org.admin.token,
      body: { title: ' ', text: 'Changed' },
    });
    expect(patch.status).toBe(400);
    expect(await list(org.admin)).toEqual([good]);
  });
});
