import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

/**
 * Auto-assignment (DESIGN.md §7): a new case goes to the available analyst or admin with
 * the fewest open cases below their capacity; nobody free, it waits, and the longest-waiting
 * case goes to whoever has room again.
 */
describeEachDialect('auto-assignment', (dialect) => {
  const h = useCaseline(dialect);
  let contactSeq = 0;
  const nextContact = () => `+4477009022${String(++contactSeq).padStart(2, '0')}`;

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, body?: unknown) =>
    h.request(method, `/api/v1${url}`, { token, body });

  async function autoAssignOrg(autoAssign = true): Promise<TestOrg> {
    const org = await h.newOrg();
    expect((await api('PATCH', `/surveys/${org.surveyId}`, org.admin.token, { autoAssign })).status).toBe(200);
    return org;
  }

  /** An analyst with this capacity, available unless told otherwise. */
  async function analyst(org: TestOrg, capacity: number, available = true): Promise<TestUser> {
    const user = await h.addUser(org.orgId, 'analyst');
    expect((await api('PATCH', `/users/${user.id}`, org.admin.token, { capacity })).body.capacity).toBe(capacity);
    if (available) expect((await api('PATCH', '/users/me', user.token, { available: true })).body.available).toBe(true);
    return user;
  }

  /** A first message from a new person: the number of the case it opened. */
  async function newCase(org: TestOrg, text = 'I need help'): Promise<number> {
    const contact = nextContact();
    expect((await h.text(org, contact, text)).status).toBe(200);
    return (await h.records(org, `contact=${encodeURIComponent(contact)}`))[0]!.caseNumber;
  }
  const holder = async (org: TestOrg, n: number) => ((await h.record(org, n)).lockedBy?.id as string | undefined) ?? null;
  const history = async (org: TestOrg, n: number) =>
    (await api('GET', `/records/${n}/history`, org.admin.token)).body.items as Array<{
      action: string;
      user: { id: string } | null;
      detail: Record<string, unknown>;
    }>;

  it('a new case goes to the available analyst with the fewest open cases; history says the system did it', async () => {
    const org = await autoAssignOrg();
    const busy = await analyst(org, 10);
    const n1 = await newCase(org);
    expect(await holder(org, n1)).toBe(busy.id);
    const free = await analyst(org, 10);
    const n2 = await newCase(org);
    expect(await holder(org, n2)).toBe(free.id);
    // Equal again (one each): the one whose case is older gets the next.
    const n3 = await newCase(org);
    expect(await holder(org, n3)).toBe(busy.id);
    const entries = await history(org, n2);
    expect(entries.map((e) => e.action)).toEqual(['created', 'assigned', 'message.in']);
    expect(entries[1]).toMatchObject({ user: null, detail: { to: free.id, by: 'auto' } });
  });

  it('auto-assignment never exceeds capacity: 50 concurrent first messages, 3 analysts of capacity 5 → 15 assigned, 35 wait', async () => {
    const org = await autoAssignOrg();
    const team = [await analyst(org, 5), await analyst(org, 5), await analyst(org, 5)];
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.text(org, nextContact(), `first ${i}`).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array(50).fill(200));
    const cases = await h.records(org, 'status=open');
    expect(cases).toHaveLength(50);
    const held = (id: string) => cases.filter((c: any) => c.lockedBy?.id === id).length;
    expect(team.map((u) => held(u.id))).toEqual([5, 5, 5]);
    expect(cases.filter((c: any) => c.lockedBy === null)).toHaveLength(35);
    const queue = await api('GET', `/surveys/${org.surveyId}/queue`, org.admin.token);
    expect(queue.body).toEqual({ waiting: 50, unassigned: 35, mine: 0, limit: 1000 });
  });

  it('unavailable people get nothing; with nobody available the case waits unassigned', async () => {
    const org = await autoAssignOrg();
    await analyst(org, 10, false);
    // The admin is not available either (nobody is until they say so).
    const n = await newCase(org);
    expect(await holder(org, n)).toBeNull();
    expect((await history(org, n)).map((e) => e.action)).toEqual(['created', 'message.in']);
  });

  it('viewers and deactivated users get nothing, nor does anyone of another organisation', async () => {
    const org = await autoAssignOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    expect((await api('PATCH', '/users/me', viewer.token, { available: true })).status).toBe(200);
    const gone = await analyst(org, 10);
    expect((await api('PATCH', `/users/${gone.id}`, org.admin.token, { active: false })).status).toBe(200);
    const other = await autoAssignOrg();
    await analyst(other, 10);
    expect(await holder(org, await newCase(org))).toBeNull();
  });

  it('with auto-assignment off, nothing is assigned', async () => {
    const org = await autoAssignOrg(false);
    await analyst(org, 10);
    expect(await holder(org, await newCase(org))).toBeNull();
  });

  it('a survey without case management is never auto-assigned (its records never close to free room)', async () => {
    const org = await h.newOrg({ caseManagement: false });
    expect((await api('PATCH', `/surveys/${org.surveyId}`, org.admin.token, { autoAssign: true })).status).toBe(200);
    await analyst(org, 10);
    expect((await h.text(org, nextContact(), 'hello')).status).toBe(200);
    const [record] = await h.records(org);
    expect(await holder(org, record!.caseNumber)).toBeNull();
  });

  it('the longest-waiting unassigned case goes to whoever becomes available', async () => {
    const org = await autoAssignOrg();
    const contact = nextContact();
    // Three cases wait, in the order 2, 3, 1: case 1 was answered, then its person wrote again.
    await h.text(org, contact, 'first');
    const [c1] = await h.records(org, `contact=${encodeURIComponent(contact)}`);
    const n1 = c1!.caseNumber;
    await api('POST', `/records/${n1}/lock`, org.admin.token);
    expect((await h.reply(org, n1, 'We are on it')).status).toBe(202);
    await api('POST', `/records/${n1}/release`, org.admin.token);
    const n2 = await newCase(org);
    const n3 = await newCase(org);
    await h.text(org, contact, `one more thing #${n1}`);
    const waitingOrder = (await h.records(org, 'sort=waiting')).map((r) => r.caseNumber);
    expect(waitingOrder).toEqual([n2, n3, n1]);

    const a = await analyst(org, 2, false);
    expect((await api('PATCH', '/users/me', a.token, { available: true })).status).toBe(200);
    expect([await holder(org, n2), await holder(org, n3), await holder(org, n1)]).toEqual([a.id, a.id, null]);
    expect((await history(org, n2)).at(-1)).toMatchObject({ action: 'assigned', user: null, detail: { to: a.id, by: 'auto' } });
  });

  it('turning auto-assignment on gives the cases already waiting to available people with room', async () => {
    const org = await autoAssignOrg(false);
    const a = await analyst(org, 1);
    const n1 = await newCase(org);
    const n2 = await newCase(org);
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([null, null]);
    expect((await api('PATCH', `/surveys/${org.surveyId}`, org.admin.token, { autoAssign: true })).status).toBe(200);
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([a.id, null]);
  });

  it('closing a case frees capacity and pulls the next waiting case', async () => {
    const org = await autoAssignOrg();
    const a = await analyst(org, 1);
    const n1 = await newCase(org);
    const n2 = await newCase(org);
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([a.id, null]);
    expect((await api('POST', `/records/${n1}/close`, a.token)).status).toBe(200);
    expect(await holder(org, n2)).toBe(a.id);
  });

  it('releasing a case pulls the next waiting one for its holder, never the released case back', async () => {
    const org = await autoAssignOrg();
    const a = await analyst(org, 1);
    const n1 = await newCase(org);
    const n2 = await newCase(org);
    expect((await api('POST', `/records/${n1}/release`, a.token)).status).toBe(200);
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([null, a.id]);
    // Someone with room takes the released case.
    const b = await analyst(org, 1);
    expect(await holder(org, n1)).toBe(b.id);
  });

  it("handing a case over frees the giver's room, filled from the queue", async () => {
    const org = await autoAssignOrg();
    const a = await analyst(org, 1);
    const n1 = await newCase(org);
    const n2 = await newCase(org);
    const b = await analyst(org, 0);
    expect((await api('POST', `/records/${n1}/assign`, a.token, { userId: b.id })).status).toBe(200);
    // A person choosing is not bound by capacity; the giver's room goes to the waiting case.
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([b.id, a.id]);
  });

  it('an admin raising capacity fills it from the queue; capacity 0 takes nothing', async () => {
    const org = await autoAssignOrg();
    const a = await analyst(org, 0);
    const n1 = await newCase(org);
    const n2 = await newCase(org);
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([null, null]);
    expect((await api('PATCH', `/users/${a.id}`, org.admin.token, { capacity: 1 })).status).toBe(200);
    expect([await holder(org, n1), await holder(org, n2)]).toEqual([a.id, null]);
  });

  it('capacity is set by an admin only, 0 to 1000, and shown on the user', async () => {
    const org = await autoAssignOrg();
    const a = await h.addUser(org.orgId, 'analyst');
    expect((await api('PATCH', `/users/${a.id}`, a.token, { capacity: 50 })).status).toBe(403);
    for (const bad of [-1, 1001, 2.5, 'many']) {
      expect((await api('PATCH', `/users/${a.id}`, org.admin.token, { capacity: bad })).status).toBe(400);
    }
    const users = (await api('GET', '/users', org.admin.token)).body.items;
    expect(users.find((u: any) => u.id === a.id)).toMatchObject({ capacity: 10, available: false });
    expect((await api('PATCH', `/users/${a.id}`, org.admin.token, { capacity: 0 })).body.capacity).toBe(0);
    const other = await h.newOrg();
    expect((await api('PATCH', `/users/${a.id}`, other.admin.token, { capacity: 5 })).status).toBe(404);
  });

  it('deactivating someone puts their open cases back in the queue, to a colleague with room; their closed cases stay theirs', async () => {
    const org = await autoAssignOrg();
    const leaving = await analyst(org, 2);
    const [first, second] = [await newCase(org), await newCase(org)];
    expect([await holder(org, first), await holder(org, second)]).toEqual([leaving.id, leaving.id]);
    await api('POST', `/records/${second}/close`, leaving.token);
    const third = await newCase(org);
    expect(await holder(org, third)).toBe(leaving.id);
    const staying = await analyst(org, 1);

    expect((await api('PATCH', `/users/${leaving.id}`, org.admin.token, { active: false })).status).toBe(200);
    // Two open cases come free; the colleague has room for one, the longest waiting.
    expect([await holder(org, first), await holder(org, third)]).toEqual([staying.id, null]);
    expect(await holder(org, second)).toBe(leaving.id);
    const released = (await history(org, third)).filter((e) => e.action === 'released');
    expect(released).toEqual([
      expect.objectContaining({
        user: expect.objectContaining({ id: org.admin.id }),
        detail: { lockedBy: leaving.id, by: 'deactivation' },
      }),
    ]);
  });

  it('a user made a viewer holds no open case afterwards', async () => {
    const org = await autoAssignOrg(false);
    const a = await analyst(org, 5);
    const n = await newCase(org);
    await api('POST', `/records/${n}/lock`, a.token);
    expect((await api('PATCH', `/users/${a.id}`, org.admin.token, { role: 'viewer' })).status).toBe(200);
    expect(await holder(org, n)).toBeNull();
  });
});
