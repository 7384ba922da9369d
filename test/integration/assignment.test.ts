import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

/** Assignment is the lock (DESIGN.md §7): `POST /records/{n}/assign {userId|null}`. */
describeEachDialect('assigning a case', (dialect) => {
  const h = useCaseline(dialect);
  let contactSeq = 0;

  async function newCase(org: TestOrg): Promise<number> {
    contactSeq += 1;
    const res = await h.text(org, `+4477009011${String(contactSeq).padStart(2, '0')}`, 'I need help');
    expect(res.status).toBe(200);
    const open = await h.records(org, 'status=open');
    return Math.max(...open.map((r) => r.caseNumber));
  }
  const assign = (token: string, n: number, userId: string | null) =>
    h.request('POST', `/api/v1/records/${n}/assign`, { token, body: { userId } });
  const lock = (token: string, n: number) => h.request('POST', `/api/v1/records/${n}/lock`, { token });
  const holder = async (org: TestOrg, n: number) => ((await h.record(org, n)).lockedBy?.id as string | undefined) ?? null;
  const history = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items as Array<{
      action: string;
      user: { id: string } | null;
      detail: Record<string, unknown>;
    }>;

  async function team(): Promise<{ org: TestOrg; a: TestUser; b: TestUser }> {
    const org = await h.newOrg();
    return { org, a: await h.addUser(org.orgId, 'analyst'), b: await h.addUser(org.orgId, 'analyst') };
  }

  it("an analyst cannot take a colleague's case: 409 lock_held naming the holder, and the case stays theirs", async () => {
    const { org, a, b } = await team();
    const n = await newCase(org);
    await lock(a.token, n);
    const res = await assign(b.token, n, b.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('lock_held');
    expect(res.body.error.message).toContain('analyst');
    // Nor give it to a third colleague, nor release it.
    expect((await assign(b.token, n, org.admin.id)).status).toBe(409);
    expect((await assign(b.token, n, null)).status).toBe(409);
    expect(await holder(org, n)).toBe(a.id);
    expect((await history(org, n)).filter((e) => e.action === 'assigned')).toEqual([]);
  });

  it('the holder hands the case over; history says who assigned whom', async () => {
    const { org, a, b } = await team();
    const n = await newCase(org);
    await lock(a.token, n);
    const res = await assign(a.token, n, b.id);
    expect(res.status).toBe(200);
    expect(res.body.caseNumber).toBe(n);
    expect(res.body.lockedBy.id).toBe(b.id);
    // The new holder may now work the case; the old one may not.
    expect(
      (await h.request('PATCH', `/api/v1/records/${n}`, { token: b.token, body: { answers: { notes_text: 'mine now' } } })).status,
    ).toBe(200);
    expect((await h.request('PATCH', `/api/v1/records/${n}`, { token: a.token, body: { answers: { notes_text: 'x' } } })).status).toBe(409);
    const assigned = (await history(org, n)).filter((e) => e.action === 'assigned');
    expect(assigned).toEqual([expect.objectContaining({ user: expect.objectContaining({ id: a.id }), detail: { from: a.id, to: b.id } })]);
  });

  it("an admin assigns anyone's case to anyone, and an unassigned case too", async () => {
    const { org, a, b } = await team();
    const n = await newCase(org);
    expect((await assign(org.admin.token, n, a.id)).body.lockedBy.id).toBe(a.id);
    expect((await assign(org.admin.token, n, b.id)).body.lockedBy.id).toBe(b.id);
    expect((await assign(org.admin.token, n, org.admin.id)).body.lockedBy.id).toBe(org.admin.id);
    const assigned = (await history(org, n)).filter((e) => e.action === 'assigned');
    expect(assigned.map((e) => [e.user?.id, e.detail])).toEqual([
      [org.admin.id, { from: null, to: a.id }],
      [org.admin.id, { from: a.id, to: b.id }],
      [org.admin.id, { from: b.id, to: org.admin.id }],
    ]);
  });

  it('an analyst takes an unassigned case for themself, but may not give one to a colleague', async () => {
    const { org, a, b } = await team();
    const n = await newCase(org);
    const refused = await assign(a.token, n, b.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(await holder(org, n)).toBeNull();
    const taken = await assign(a.token, n, a.id);
    expect(taken.status).toBe(200);
    expect(taken.body.lockedBy.id).toBe(a.id);
  });

  it("assigning to a viewer, a deactivated user, another organisation's user or an unknown id is refused alike, and nothing changes", async () => {
    const { org, a } = await team();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const gone = await h.addUser(org.orgId, 'analyst');
    expect((await h.request('PATCH', `/api/v1/users/${gone.id}`, { token: org.admin.token, body: { active: false } })).status).toBe(200);
    const other = await h.newOrg();
    const stranger = await h.addUser(other.orgId, 'analyst');
    const n = await newCase(org);
    await lock(a.token, n);
    const before = await history(org, n);
    const answers = [];
    for (const target of [viewer.id, gone.id, stranger.id, other.admin.id, '01900000-0000-7000-8000-000000000000']) {
      const res = await assign(org.admin.token, n, target);
      expect(res.status).toBe(400);
      answers.push(res.body.error);
    }
    // One answer for all: it does not tell whether the id exists elsewhere.
    expect(new Set(answers.map((e) => JSON.stringify(e)))).toEqual(new Set([JSON.stringify(answers[0])]));
    expect(answers[0].code).toBe('validation_failed');
    expect(await holder(org, n)).toBe(a.id);
    expect(await history(org, n)).toEqual(before);
  });

  it('a viewer can neither assign nor release', async () => {
    const { org, a } = await team();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const n = await newCase(org);
    expect((await assign(viewer.token, n, viewer.id)).status).toBe(403);
    expect((await assign(viewer.token, n, a.id)).status).toBe(403);
    await lock(a.token, n);
    expect((await assign(viewer.token, n, null)).status).toBe(403);
    expect(await holder(org, n)).toBe(a.id);
  });

  it('userId null releases the case: the holder or an admin may', async () => {
    const { org, a } = await team();
    const n = await newCase(org);
    await lock(a.token, n);
    const released = await assign(a.token, n, null);
    expect(released.status).toBe(200);
    expect(released.body.lockedBy).toBeNull();
    await lock(a.token, n);
    expect((await assign(org.admin.token, n, null)).body.lockedBy).toBeNull();
    expect((await history(org, n)).filter((e) => e.action === 'released')).toHaveLength(2);
  });

  it('an admin may hand over a closed case for follow-up; it stays closed', async () => {
    const { org, a, b } = await team();
    const n = await newCase(org);
    await lock(a.token, n);
    expect((await h.request('POST', `/api/v1/records/${n}/close`, { token: a.token })).status).toBe(200);
    const res = await assign(org.admin.token, n, b.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'closed', lockedBy: { id: b.id } });
  });

  it('assigning the case to its holder changes nothing and writes no history', async () => {
    const { org, a } = await team();
    const n = await newCase(org);
    await lock(a.token, n);
    const before = await history(org, n);
    expect((await assign(a.token, n, a.id)).status).toBe(200);
    expect((await assign(org.admin.token, n, a.id)).status).toBe(200);
    expect(await history(org, n)).toEqual(before);
  });

  it("another organisation's case is not found, and a malformed body is refused", async () => {
    const { org } = await team();
    const n = await newCase(org);
    const other = await h.newOrg();
    const res = await assign(other.admin.token, n, other.admin.id);
    expect(res.status).toBe(404);
    expect(await holder(org, n)).toBeNull();
    expect((await h.request('POST', `/api/v1/records/${n}/assign`, { token: org.admin.token, body: {} })).status).toBe(400);
    expect((await h.request('POST', `/api/v1/records/${n}/assign`, { token: org.admin.token, body: { userId: 42 } })).status).toBe(400);
    expect(await holder(org, n)).toBeNull();
  });

  describe('live', () => {
    let base = '';
    beforeAll(async () => {
      const app = h.caseline().app;
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });

    it("the new holder's console hears the assignment live", async () => {
      const { org, b } = await team();
      const n = await newCase(org);
      let body = '';
      const req = httpRequest(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${b.token}` } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
      });
      req.end();
      try {
        await expect.poll(() => body, { timeout: 5000 }).toContain('retry:');
        expect((await assign(org.admin.token, n, b.id)).status).toBe(200);
        await expect.poll(() => body, { timeout: 5000 }).toContain(`"type":"record.updated","caseNumber":${n}`);
      } finally {
        req.destroy();
      }
    });
  });
});
