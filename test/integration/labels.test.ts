import { expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/domain/change-events.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg, type TestUser } from '../support/harness.js';

/** Labels (DESIGN.md §7): the organisation's list, kept by admins, and the labels on cases. */
describeEachDialect('labels', (dialect) => {
  const h = useCaseline(dialect);
  let contactSeq = 0;

  async function newCase(org: TestOrg, text = 'I need help'): Promise<number> {
    contactSeq += 1;
    const res = await h.text(org, `+4477009${String(100000 + contactSeq).slice(-5)}`, text);
    expect(res.status).toBeLessThan(300);
    const all = await h.records(org, 'status=open');
    return Math.max(...all.map((r) => r.caseNumber));
  }
  const labelsOf = async (user: TestUser) => (await h.request('GET', '/api/v1/labels', { token: user.token })).body.items;
  const create = (user: TestUser, body: unknown) => h.request('POST', '/api/v1/labels', { token: user.token, body });
  async function label(org: TestOrg, name: string, color = '#d62728'): Promise<{ id: string; name: string; color: string }> {
    const res = await create(org.admin, { name, color });
    expect(res.status).toBe(201);
    return res.body;
  }
  const put = (user: TestUser, n: number, labelIds: string[]) =>
    h.request('PUT', `/api/v1/records/${n}/labels`, { token: user.token, body: { labelIds } });
  const historyOf = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items as Array<{
      action: string;
      user: { id: string } | null;
      detail: Record<string, unknown>;
    }>;
  const names = (labels: Array<{ name: string }>) => labels.map((l) => l.name);

  it('an admin creates, renames and recolours labels; everyone signed in reads them, by name', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const created = await create(org.admin, { name: '  Urgent   follow-up ', color: '#D62728' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: 'Urgent follow-up', color: '#d62728' });
    await label(org, 'benefits', '#1f77b4');
    expect(names(await labelsOf(viewer))).toEqual(['benefits', 'Urgent follow-up']);

    const renamed = await h.request('PATCH', `/api/v1/labels/${created.body.id}`, {
      token: org.admin.token,
      body: { name: 'Call back', color: '#2CA02C' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ id: created.body.id, name: 'Call back', color: '#2ca02c' });
    expect(await labelsOf(viewer)).toEqual([
      { id: expect.any(String), name: 'benefits', color: '#1f77b4' },
      { id: created.body.id, name: 'Call back', color: '#2ca02c' },
    ]);
  });

  it('label names are unique in an organisation regardless of case, but another organisation may use the same name', async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const urgent = await label(org, 'Urgent');
    const again = await create(org.admin, { name: 'URGENT', color: '#000000' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await create(org.admin, { name: 'Ärger', color: '#000000' })).status).toBe(201);
    expect((await create(org.admin, { name: 'ärger', color: '#000000' })).status).toBe(409);
    expect((await create(other.admin, { name: 'urgent', color: '#000000' })).status).toBe(201);

    const housing = await label(org, 'Housing');
    const clash = await h.request('PATCH', `/api/v1/labels/${housing.id}`, { token: org.admin.token, body: { name: 'urgent' } });
    expect(clash.status).toBe(409);
    // A label may change the case of its own name.
    const recased = await h.request('PATCH', `/api/v1/labels/${urgent.id}`, { token: org.admin.token, body: { name: 'URGENT' } });
    expect(recased.status).toBe(200);
    expect(names(await labelsOf(org.admin))).toEqual(['Ärger', 'Housing', 'URGENT']);
  });

  it('two admins creating the same name at once: one label is made, the other is told it exists', async () => {
    const org = await h.newOrg();
    const second = await h.addUser(org.orgId, 'admin');
    const results = await Promise.all([
      create(org.admin, { name: 'Safeguarding', color: '#111111' }),
      create(second, { name: 'safeguarding', color: '#222222' }),
      create(org.admin, { name: 'SAFEGUARDING', color: '#333333' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await labelsOf(org.admin)).toHaveLength(1);
  });

  it('only admins create, change and delete labels; analysts and viewers are refused and nothing changes', async () => {
    const org = await h.newOrg();
    const urgent = await label(org, 'Urgent');
    for (const role of ['analyst', 'viewer'] as const) {
      const user = await h.addUser(org.orgId, role);
      const attempts = await Promise.all([
        create(user, { name: 'Mine', color: '#000000' }),
        h.request('PATCH', `/api/v1/labels/${urgent.id}`, { token: user.token, body: { name: 'Renamed' } }),
        h.request('DELETE', `/api/v1/labels/${urgent.id}`, { token: user.token }),
      ]);
      expect(attempts.map((a) => a.status)).toEqual([403, 403, 403]);
    }
    expect(await labelsOf(org.admin)).toEqual([urgent]);
  });

  it('a bad name or colour is refused and stores nothing', async () => {
    const org = await h.newOrg();
    const good = await label(org, 'Good');
    const bad = [
      { name: 'Red', color: 'red' },
      { name: 'Short', color: '#12345' },
      { name: 'Alpha', color: '#1234567' },
      { name: '', color: '#123456' },
      { name: '    ', color: '#123456' },
      { name: 'x'.repeat(61), color: '#123456' },
      { name: 'Extra', color: '#123456', rank: 1 },
      { color: '#123456' },
    ];
    for (const body of bad) {
      const res = await create(org.admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const patch = await h.request('PATCH', `/api/v1/labels/${good.id}`, { token: org.admin.token, body: { name: ' ', color: '#ffffff' } });
    expect(patch.status).toBe(400);
    expect(await labelsOf(org.admin)).toEqual([good]);
  });

  it("another organisation's labels are invisible and unusable", async () => {
    const org = await h.newOrg();
    const other = await h.newOrg();
    const theirs = await label(other, 'Theirs');
    const mine = await label(org, 'Mine');
    expect(await labelsOf(org.admin)).toEqual([mine]);
    expect((await h.request('PATCH', `/api/v1/labels/${theirs.id}`, { token: org.admin.token, body: { name: 'x' } })).status).toBe(404);
    expect((await h.request('DELETE', `/api/v1/labels/${theirs.id}`, { token: org.admin.token })).status).toBe(404);

    const n = await newCase(org);
    const refused = await put(org.admin, n, [mine.id, theirs.id]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.details.labelIds).toEqual([theirs.id]);
    expect((await h.record(org, n)).labels).toEqual([]);
    expect((await historyOf(org, n)).map((e) => e.action)).not.toContain('labels.changed');
    expect(await labelsOf(other.admin)).toEqual([theirs]);

    // Nor can they label this organisation's cases: to them the case does not exist.
    expect((await put(other.admin, n, [theirs.id])).status).toBe(404);
  });

  it('an analyst labels a case someone else holds, without the lock; the case answers with its labels and history says what changed', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const urgent = await label(org, 'Urgent', '#d62728');
    const benefits = await label(org, 'benefits', '#1f77b4');
    const n = await newCase(org);
    expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);

    const first = await put(analyst, n, [urgent.id, benefits.id, urgent.id]);
    expect(first.status).toBe(200);
    expect(first.body.caseNumber).toBe(n);
    expect(first.body.lockedBy.id).toBe(org.admin.id);
    expect(first.body.labels).toEqual([benefits, urgent]);
    expect(first.body.messages.map((m: { text: string }) => m.text)).toEqual(['I need help']);
    expect((await h.record(org, n)).labels).toEqual([benefits, urgent]);

    const second = await put(analyst, n, [urgent.id]);
    expect(second.body.labels).toEqual([urgent]);
    // The same set again changes nothing and writes no history.
    expect((await put(analyst, n, [urgent.id])).status).toBe(200);

    const entries = (await historyOf(org, n)).filter((e) => e.action === 'labels.changed');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ user: { id: analyst.id }, detail: { added: ['benefits', 'Urgent'], removed: [] } });
    expect(entries[1]).toMatchObject({ user: { id: analyst.id }, detail: { added: [], removed: ['benefits'] } });
    // Labels are not a change to what the case says: its version stays.
    expect((await h.record(org, n)).version).toBe(first.body.version);
  });

  it('a viewer cannot label a case, and an unknown label id changes nothing', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const urgent = await label(org, 'Urgent');
    const n = await newCase(org);
    const refused = await put(viewer, n, [urgent.id]);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const unknown = await put(org.admin, n, [urgent.id, 'no-such-label']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.labelIds).toEqual(['no-such-label']);
    const malformed = await h.request('PUT', `/api/v1/records/${n}/labels`, { token: org.admin.token, body: { labelIds: 'x' } });
    expect(malformed.status).toBe(400);
    expect((await h.record(org, n)).labels).toEqual([]);
    expect((await put(org.admin, 999_999, [urgent.id])).status).toBe(404);
  });

  it('a closed case can still be labelled', async () => {
    const org = await h.newOrg();
    const urgent = await label(org, 'Urgent');
    const n = await newCase(org);
    await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
    expect((await h.request('POST', `/api/v1/records/${n}/close`, { token: org.admin.token })).body.status).toBe('closed');
    const res = await put(org.admin, n, [urgent.id]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'closed', labels: [urgent] });
  });

  it('each case of a list page carries its own labels', async () => {
    const org = await h.newOrg();
    const a = await label(org, 'Alpha', '#111111');
    const b = await label(org, 'beta', '#222222');
    const one = await newCase(org, 'first');
    const two = await newCase(org, 'second');
    const three = await newCase(org, 'third');
    await put(org.admin, one, [b.id, a.id]);
    await put(org.admin, three, [b.id]);
    const list = await h.request('GET', `/api/v1/surveys/${org.surveyId}/records?status=all`, { token: org.admin.token });
    const byCase = new Map(list.body.items.map((item: any) => [item.caseNumber, item.labels]));
    expect(byCase.get(one)).toEqual([a, b]);
    expect(byCase.get(two)).toEqual([]);
    expect(byCase.get(three)).toEqual([b]);
  });

  it('deleting a label takes it off every case, each with a history entry and a change event', async () => {
    const org = await h.newOrg();
    const urgent = await label(org, 'Urgent');
    const keep = await label(org, 'Keep');
    const one = await newCase(org, 'first');
    const two = await newCase(org, 'second');
    const untouched = await newCase(org, 'third');
    await put(org.admin, one, [urgent.id, keep.id]);
    await put(org.admin, two, [urgent.id]);
    await put(org.admin, untouched, [keep.id]);

    const events: ChangeEvent[] = [];
    const listen = (event: ChangeEvent) => events.push(event);
    h.caseline().db.changes.on('change', listen);
    try {
      const res = await h.request('DELETE', `/api/v1/labels/${urgent.id}`, { token: org.admin.token });
      expect(res.status).toBe(204);
    } finally {
      h.caseline().db.changes.off('change', listen);
    }

    expect(await labelsOf(org.admin)).toEqual([keep]);
    expect((await h.record(org, one)).labels).toEqual([keep]);
    expect((await h.record(org, two)).labels).toEqual([]);
    expect((await h.record(org, untouched)).labels).toEqual([keep]);
    for (const n of [one, two]) {
      expect((await historyOf(org, n)).at(-1)).toMatchObject({
        action: 'labels.changed',
        user: { id: org.admin.id },
        detail: { added: [], removed: ['Urgent'], labelDeleted: true },
      });
    }
    expect((await historyOf(org, untouched)).filter((e) => e.action === 'labels.changed')).toHaveLength(1);
    const mine = events.filter((e) => e.orgId === org.orgId);
    expect(
      mine
        .filter((e) => e.type === 'record.updated')
        .map((e) => e.caseNumber)
        .sort(),
    ).toEqual([one, two].sort());
    expect(mine.filter((e) => e.type === 'labels.changed')).toHaveLength(1);
    expect((await h.request('DELETE', `/api/v1/labels/${urgent.id}`, { token: org.admin.token })).status).toBe(404);
  });

  it('labelling a case announces it, so open consoles reload it', async () => {
    const org = await h.newOrg();
    const urgent = await label(org, 'Urgent');
    const n = await newCase(org);
    const events: ChangeEvent[] = [];
    const listen = (event: ChangeEvent) => events.push(event);
    h.caseline().db.changes.on('change', listen);
    try {
      await put(org.admin, n, [urgent.id]);
    } finally {
      h.caseline().db.changes.off('change', listen);
    }
    expect(events.filter((e) => e.orgId === org.orgId)).toEqual([expect.objectContaining({ type: 'record.updated', caseNumber: n })]);
  });

  it('a label deleted while cases are being given it ends on no case', async () => {
    const org = await h.newOrg();
    const cases = [await newCase(org, 'a'), await newCase(org, 'b'), await newCase(org, 'c'), await newCase(org, 'd')];
    const urgent = await label(org, 'Urgent');
    const results = await Promise.all([
      ...cases.map((n) => put(org.admin, n, [urgent.id])),
      h.request('DELETE', `/api/v1/labels/${urgent.id}`, { token: org.admin.token }),
    ]);
    // Each labelling came before the deletion (200) or found the label gone (400); none failed otherwise.
    for (const res of results.slice(0, -1)) expect([200, 400]).toContain(res.status);
    expect(results.at(-1)!.status).toBe(204);
    for (const n of cases) expect((await h.record(org, n)).labels).toEqual([]);
  });

  it('the API document lists labels and saved replies under their own tags', async () => {
    const doc = (await h.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.paths['/api/v1/labels'].post.tags).toEqual(['labels']);
    expect(doc.paths['/api/v1/labels/{id}'].delete.tags).toEqual(['labels']);
    expect(doc.paths['/api/v1/records/{caseNumber}/labels'].put.tags).toEqual(['records', 'labels']);
    expect(doc.paths['/api/v1/saved-replies'].get.tags).toEqual(['saved-replies']);
    expect(doc.paths['/api/v1/saved-replies/{id}'].patch.tags).toEqual(['saved-replies']);
  });
});
