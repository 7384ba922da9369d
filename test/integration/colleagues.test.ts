import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline } from '../support/harness.js';

/** `GET /colleagues`: who a case can be handed to, for the console's "Assign to…". */
describeEachDialect('colleagues', (dialect) => {
  const h = useCaseline(dialect);
  /** An organisation and its admin; people are all this list is about, so no survey or number. */
  const newOrg = async () => {
    const orgId = randomUUID();
    const { db } = h.caseline();
    await db.transaction((tx) => db.createOrganisation(tx, { id: orgId, name: `Org ${orgId.slice(0, 6)}`, createdAt: Date.now() }));
    return { orgId, admin: await h.addUser(orgId, 'admin') };
  };

  it('an analyst lists the active analysts and admins of the organisation, without emails', async () => {
    const org = await newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const other = await h.addUser(org.orgId, 'analyst');
    await h.addUser(org.orgId, 'viewer');
    const gone = await h.addUser(org.orgId, 'analyst');
    expect((await h.request('PATCH', `/api/v1/users/${gone.id}`, { token: org.admin.token, body: { active: false } })).status).toBe(200);
    expect((await h.request('PATCH', '/api/v1/users/me', { token: other.token, body: { available: true } })).status).toBe(200);

    const answer = await h.request('GET', '/api/v1/colleagues', { token: analyst.token });
    expect(answer.status).toBe(200);
    const items = answer.body.items as { id: string; name: string; role: string; available: boolean }[];
    expect(items.map((c) => c.id).sort()).toEqual([org.admin.id, analyst.id, other.id].sort());
    expect(items.find((c) => c.id === other.id)).toMatchObject({ role: 'analyst', available: true });
    expect(items.find((c) => c.id === org.admin.id)).toMatchObject({ role: 'admin', available: false });
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['available', 'id', 'name', 'role']);
    expect(JSON.stringify(answer.body)).not.toContain('@example.org');
    expect(answer.body.nextCursor).toBeNull();
  });

  it('a viewer may read the list too, but another organisation’s people never appear', async () => {
    const mine = await newOrg();
    const theirs = await newOrg();
    await h.addUser(theirs.orgId, 'analyst');
    const viewer = await h.addUser(mine.orgId, 'viewer');
    const answer = await h.request('GET', '/api/v1/colleagues', { token: viewer.token });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((c: { id: string }) => c.id)).toEqual([mine.admin.id]);
  });

  it('without a session the list is refused', async () => {
    const answer = await h.request('GET', '/api/v1/colleagues');
    expect(answer.status).toBe(401);
  });
});
