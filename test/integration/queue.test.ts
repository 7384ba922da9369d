import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/**
 * The queue (DESIGN.md §7): a case waits from the first inbound message no person has
 * answered; the list filters and sorts by it and by label; the header counts.
 */
describeEachDialect('the queue', (dialect) => {
  const h = useCaseline(dialect);
  let contactSeq = 0;
  const nextContact = () => `+4477009033${String(++contactSeq).padStart(2, '0')}`;
  const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, body?: unknown) =>
    h.request(method, `/api/v1${url}`, { token, body });

  async function newCase(org: TestOrg, text = 'I need help', contact = nextContact()): Promise<number> {
    expect((await h.text(org, contact, text)).status).toBe(200);
    const cases = await h.records(org, `status=open&contact=${encodeURIComponent(contact)}`);
    return Math.max(...cases.map((c) => c.caseNumber));
  }
  const lockAndReply = async (org: TestOrg, n: number, text = 'We are on it') => {
    await api('POST', `/records/${n}/lock`, org.admin.token);
    expect((await h.reply(org, n, text)).status).toBe(202);
  };
  const list = async (org: TestOrg, query: string, token = org.admin.token) => {
    const res = await api('GET', `/surveys/${org.surveyId}/records?${query}`, token);
    expect(res.status).toBe(200);
    return res.body as { items: Array<{ caseNumber: number; waitingSince: string | null }>; nextCursor: string | null };
  };
  const numbers = async (org: TestOrg, query: string, token?: string) => (await list(org, query, token)).items.map((r) => r.caseNumber);

  it('waitingSince is set by the first unanswered message, kept by later ones, cleared by a person’s reply, set again by the next message', async () => {
    const org = await h.newOrg();
    const contact = nextContact();
    const n = await newCase(org, 'first', contact);
    const first = await h.record(org, n);
    expect(first.waitingSince).toBe(first.messages[0].at);
    await h.text(org, contact, 'second, before anyone answered');
    const second = await h.record(org, n);
    expect(second.messages).toHaveLength(2);
    expect(second.waitingSince).toBe(first.waitingSince);

    await lockAndReply(org, n);
    expect((await h.record(org, n)).waitingSince).toBeNull();
    expect((await list(org, 'status=open')).items.find((r) => r.caseNumber === n)!.waitingSince).toBeNull();

    await h.text(org, contact, `thanks #${n}`);
    const again = await h.record(org, n);
    expect(again.waitingSince).toBe(again.messages.at(-1).at);
    expect(again.waitingSince > first.waitingSince).toBe(true);
    // A closed case does not wait.
    expect((await api('POST', `/records/${n}/close`, org.admin.token)).body.waitingSince).toBeNull();
  });

  it('the automatic multi-case reply does not stop a case waiting; a person’s reply on one case does not touch the other', async () => {
    const org = await h.newOrg({ multiCaseReply: 'You have open cases: {cases}' });
    const contact = nextContact();
    const n1 = await newCase(org, 'first problem', contact);
    const n2 = await newCase(org, 'another problem #0', contact);
    expect(n2).not.toBe(n1);
    await lockAndReply(org, n1);
    const before2 = (await h.record(org, n2)).waitingSince;
    expect(before2).not.toBeNull();
    expect((await h.record(org, n1)).waitingSince).toBeNull();

    await h.text(org, contact, 'which case is this?');
    const [c1, c2] = [await h.record(org, n1), await h.record(org, n2)];
    // The message joined both cases and the system answered with the multi-case reply…
    expect(c1.messages.at(-1)).toMatchObject({ direction: 'out', author: null });
    expect(c2.messages.at(-1)).toMatchObject({ direction: 'out', author: null });
    // …which answers nobody: case 1 waits from the new message, case 2 still from its first.
    expect(c1.waitingSince).toBe(c1.messages.at(-2).at);
    expect(c2.waitingSince).toBe(before2);
  });

  it('moving a message to a new case: the new case waits from that message, the old one from its next unanswered one', async () => {
    const org = await h.newOrg();
    const contact = nextContact();
    const n = await newCase(org, 'about my landlord', contact);
    await h.text(org, contact, 'and about my job');
    const [first, second] = (await h.record(org, n)).messages;
    await api('POST', `/records/${n}/lock`, org.admin.token);
    const moved = await api('POST', `/records/${n}/messages/${first.id}/move`, org.admin.token, { comment: 'separate matter' });
    expect(moved.status).toBe(201);
    expect(moved.body.waitingSince).toBe(first.at);
    expect((await h.record(org, n)).waitingSince).toBe(second.at);
  });

  it('sort=waiting lists open waiting cases longest-waiting first, in keyset pages; waiting=true filters the usual order', async () => {
    const org = await h.newOrg();
    const c1Contact = nextContact();
    const c1 = await newCase(org, 'one', c1Contact);
    const c2 = await newCase(org, 'two');
    const c3 = await newCase(org, 'three');
    const c4 = await newCase(org, 'four');
    const c5 = await newCase(org, 'five');
    await lockAndReply(org, c2);
    await lockAndReply(org, c4);
    expect((await api('POST', `/records/${c4}/close`, org.admin.token)).status).toBe(200);
    // c1 was answered and its person wrote again: it now waits from that message, after c5.
    await lockAndReply(org, c1);
    await h.text(org, c1Contact, `one again #${c1}`);

    expect(await numbers(org, 'sort=waiting')).toEqual([c3, c5, c1]);
    const page1 = await list(org, 'sort=waiting&limit=2');
    expect(page1.items.map((r) => r.caseNumber)).toEqual([c3, c5]);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await list(org, `sort=waiting&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((r) => r.caseNumber)).toEqual([c1]);
    expect(page2.nextCursor).toBeNull();

    // Newest activity first, waiting cases only.
    expect(await numbers(org, 'waiting=true')).toEqual([c1, c5, c3]);
    expect(await numbers(org, 'waiting=true&status=closed')).toEqual([]);
    expect(await numbers(org, 'sort=waiting&status=closed')).toEqual([]);
  });

  it('the waiting queue combines with the assignee, contact and text filters', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const contact = nextContact();
    const c1 = await newCase(org, 'blue bicycle stolen', contact);
    const c2 = await newCase(org, 'red car');
    const c3 = await newCase(org, 'green door');
    await api('POST', `/records/${c2}/lock`, analyst.token);
    expect(await numbers(org, 'sort=waiting&assignee=none')).toEqual([c1, c3]);
    expect(await numbers(org, 'sort=waiting&assignee=me', analyst.token)).toEqual([c2]);
    expect(await numbers(org, `sort=waiting&assignee=${analyst.id}`)).toEqual([c2]);
    expect(await numbers(org, 'sort=waiting&q=bicycle')).toEqual([c1]);
    expect(await numbers(org, `sort=waiting&contact=${encodeURIComponent(contact)}`)).toEqual([c1]);
    expect(await numbers(org, `sort=waiting&contact=${encodeURIComponent(contact.slice(-6))}`)).toEqual([c1]);
    expect((await api('GET', `/surveys/${org.surveyId}/records?sort=oldest`, org.admin.token)).status).toBe(400);
  });

  it('label= lists the cases carrying the label, with the other filters and sorts', async () => {
    const org = await h.newOrg();
    const c1 = await newCase(org, 'one');
    const c2 = await newCase(org, 'two');
    const c3 = await newCase(org, 'three');
    const urgent = await api('POST', '/labels', org.admin.token, { name: 'Urgent', color: '#cc0000' });
    expect(urgent.status).toBe(201);
    const other = await api('POST', '/labels', org.admin.token, { name: 'Other', color: '#00cc00' });
    for (const n of [c1, c3])
      expect((await api('PUT', `/records/${n}/labels`, org.admin.token, { labelIds: [urgent.body.id] })).status).toBe(200);
    await api('PUT', `/records/${c2}/labels`, org.admin.token, { labelIds: [other.body.id] });
    expect(await numbers(org, `label=${urgent.body.id}`)).toEqual([c3, c1]);
    expect(await numbers(org, `label=${urgent.body.id}&sort=waiting`)).toEqual([c1, c3]);
    await lockAndReply(org, c1);
    expect(await numbers(org, `label=${urgent.body.id}&waiting=true`)).toEqual([c3]);
    expect(await numbers(org, `label=${other.body.id}&status=all`)).toEqual([c2]);
    // Another organisation's label, or none known, lists nothing.
    const stranger = await h.newOrg();
    const theirs = await api('POST', '/labels', stranger.admin.token, { name: 'Urgent', color: '#cc0000' });
    expect(await numbers(org, `label=${theirs.body.id}`)).toEqual([]);
    expect(await numbers(org, 'label=no-such-label')).toEqual([]);
  });

  it('GET /surveys/{id}/queue counts open cases waiting, unassigned, and mine', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const viewer = await h.addUser(org.orgId, 'viewer');
    const c1 = await newCase(org);
    const c2 = await newCase(org);
    const c3 = await newCase(org);
    await newCase(org);
    await lockAndReply(org, c1); // held by the admin, answered
    await api('POST', `/records/${c2}/lock`, analyst.token); // held by the analyst, waiting
    await api('POST', `/records/${c3}/lock`, org.admin.token);
    await api('POST', `/records/${c3}/close`, org.admin.token); // closed: not counted
    const counts = (token: string) => api('GET', `/surveys/${org.surveyId}/queue`, token);
    expect((await counts(org.admin.token)).body).toEqual({ waiting: 2, unassigned: 1, mine: 1, limit: 1000 });
    expect((await counts(analyst.token)).body).toEqual({ waiting: 2, unassigned: 1, mine: 1, limit: 1000 });
    expect((await counts(viewer.token)).body).toEqual({ waiting: 2, unassigned: 1, mine: 0, limit: 1000 });
    const stranger = await h.newOrg();
    expect((await counts(stranger.admin.token)).status).toBe(404);
    expect((await api('GET', `/surveys/${stranger.surveyId}/queue`, org.admin.token)).status).toBe(404);
  });

  it('queue counts stop at their limit, so a survey with a huge backlog is counted as fast as a small one', async () => {
    const org = await h.newOrg();
    const { db } = h.caseline();
    const now = Date.now();
    const rows = Array.from({ length: 1005 }, (_, i) => ({
      id: randomUUID(),
      org_id: org.orgId,
      survey_id: org.surveyId,
      case_number: 500_000 + i,
      contact: `+4477009${String(50_000 + i).padStart(5, '0')}`,
      number_id: org.numberId,
      answers: '{}',
      status: 'open' as const,
      locked_by: i < 1002 ? org.admin.id : null,
      locked_at: i < 1002 ? now : null,
      version: 0,
      created_at: now,
      updated_at: now,
      closed_at: null,
      waiting_since: now - i,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await db.kysely
        .insertInto('records')
        .values(rows.slice(i, i + 200))
        .execute();
    const res = await api('GET', `/surveys/${org.surveyId}/queue`, org.admin.token);
    expect(res.body).toEqual({ waiting: 1000, unassigned: 3, mine: 1000, limit: 1000 });
  });
});
