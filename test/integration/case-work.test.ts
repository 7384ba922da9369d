import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/** A case worker's actions (DESIGN.md §2 rules 8–10, locks, notes, history) through the API. */
describeEachDialect('working a case', (dialect) => {
  const h = useCaseline(dialect, { startOutbox: true, outbox: { pollMs: 50 } });
  const ALICE = '+447700900123';

  async function newCase(org: TestOrg, text = 'I need help'): Promise<number> {
    await h.text(org, ALICE, text);
    const all = await h.records(org, 'status=open');
    return Math.max(...all.map((r) => r.caseNumber));
  }
  const post = (token: string, url: string, body?: unknown) => h.request('POST', url, { token, body });

  it('a reply needs the lock: without it the reply is refused and nothing is queued', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    const outboxBefore = await h.count('outbox');
    const res = await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'hello' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('lock_required');
    expect(await h.count('outbox')).toBe(outboxBefore);
    expect(await h.conversation(org, n)).toEqual(['I need help']);
  });

  it('a reply is queued at once with " #<case number>" appended, then delivered through the outbox', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    expect((await post(org.admin.token, `/api/v1/records/${n}/lock`)).status).toBe(200);
    const res = await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'We can help' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ direction: 'out', text: `We can help #${n}`, status: 'queued', reference: n });
    expect(res.body.author.id).toBe(org.admin.id);
    await expect.poll(async () => (await h.record(org, n)).messages.at(-1).status, { timeout: 5000 }).toBe('delivered');
    const history = (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items;
    expect(history.map((e: any) => e.action)).toEqual(['created', 'message.in', 'locked', 'message.out']);
  });

  it("the contact's answer to a reply joins the case by reference", async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'What is your address?' });
    await h.text(org, ALICE, `12 High Street #${n}`);
    expect(await h.conversation(org, n)).toEqual(['I need help', `What is your address? #${n}`, `12 High Street #${n}`]);
  });

  it('a lock held by someone else is a 409 naming the holder; they cannot reply, edit, close or move', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const n = await newCase(org);
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    const lock = await post(analyst.token, `/api/v1/records/${n}/lock`);
    expect(lock.status).toBe(409);
    expect(lock.body.error.code).toBe('lock_held');
    expect(lock.body.error.message).toContain('admin');
    const message = (await h.record(org, n)).messages[0];
    const attempts = await Promise.all([
      post(analyst.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'x' }),
      h.request('PATCH', `/api/v1/records/${n}`, { token: analyst.token, body: { answers: { notes_text: 'x' } } }),
      post(analyst.token, `/api/v1/records/${n}/close`),
      post(analyst.token, `/api/v1/records/${n}/messages/${message.id}/move`, { comment: 'x' }),
      post(analyst.token, `/api/v1/records/${n}/release`),
    ]);
    expect(attempts.map((a) => a.status)).toEqual([409, 409, 409, 409, 409]);
    const record = await h.record(org, n);
    expect(record.lockedBy.id).toBe(org.admin.id);
    expect(record.answers.notes_text).toBeUndefined();
    expect(record.status).toBe('open');
    expect(record.messages).toHaveLength(1);
  });

  it("the holder releases the lock and then another worker can take it; an admin can release anyone's", async () => {
    const org = await h.newOrg();
    const a = await h.addUser(org.orgId, 'analyst');
    const b = await h.addUser(org.orgId, 'analyst');
    const n = await newCase(org);
    await post(a.token, `/api/v1/records/${n}/lock`);
    expect((await post(a.token, `/api/v1/records/${n}/release`)).body.lockedBy).toBeNull();
    expect((await post(b.token, `/api/v1/records/${n}/lock`)).body.lockedBy.id).toBe(b.id);
    expect((await post(org.admin.token, `/api/v1/records/${n}/release`)).body.lockedBy).toBeNull();
  });

  it('two workers taking the lock at once: exactly one gets it', async () => {
    const org = await h.newOrg();
    const workers = await Promise.all([1, 2, 3, 4].map(() => h.addUser(org.orgId, 'analyst')));
    const n = await newCase(org);
    const results = await Promise.all(workers.map((w) => post(w.token, `/api/v1/records/${n}/lock`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(3);
  });

  it('editing answers needs the lock, validates them, and records the change in history', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    const url = `/api/v1/records/${n}`;
    const noLock = await h.request('PATCH', url, { token: org.admin.token, body: { answers: { notes_text: 'rent arrears' } } });
    expect(noLock.status).toBe(400);
    expect(noLock.body.error.code).toBe('lock_required');
    await post(org.admin.token, `${url}/lock`);
    const bad = await h.request('PATCH', url, { token: org.admin.token, body: { answers: { status: 'not-a-choice' } } });
    expect(bad.status).toBe(400);
    const unknown = await h.request('PATCH', url, { token: org.admin.token, body: { answers: { nope: 'x' } } });
    expect(unknown.status).toBe(400);
    const ok = await h.request('PATCH', url, {
      token: org.admin.token,
      body: { answers: { notes_text: 'rent arrears', status: 'working' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.answers).toMatchObject({ notes_text: 'rent arrears', status: 'working', phone: ALICE });
    const history = (await h.request('GET', `${url}/history`, { token: org.admin.token })).body.items;
    expect(history.at(-1)).toMatchObject({ action: 'answers.edited', user: { id: org.admin.id } });
    expect(history.at(-1).detail.changed.notes_text).toEqual({ from: null, to: 'rent arrears' });
  });

  it('setting the status to the final status closes the case; setting it back reopens it (rule 10)', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    const url = `/api/v1/records/${n}`;
    await post(org.admin.token, `${url}/lock`);
    const closed = await h.request('PATCH', url, { token: org.admin.token, body: { answers: { status: 'closed' } } });
    expect(closed.body.status).toBe('closed');
    expect(closed.body.closedAt).not.toBeNull();
    expect((await h.records(org, 'status=closed')).map((r) => r.caseNumber)).toContain(n);
    const reopened = await h.request('PATCH', url, { token: org.admin.token, body: { answers: { status: 'working' } } });
    expect(reopened.body).toMatchObject({ status: 'open', closedAt: null });
    const closeAction = await post(org.admin.token, `${url}/close`);
    expect(closeAction.body).toMatchObject({ status: 'closed', answers: { status: 'closed' } });
    const reopenAction = await post(org.admin.token, `${url}/reopen`);
    expect(reopenAction.body).toMatchObject({ status: 'open', answers: { status: 'new' } });
    const actions = (await h.request('GET', `${url}/history`, { token: org.admin.token })).body.items.map((e: any) => e.action);
    expect(actions.filter((a: string) => a === 'closed')).toHaveLength(2);
    expect(actions.filter((a: string) => a === 'reopened')).toHaveLength(2);
  });

  it('closing needs the lock', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    const res = await post(org.admin.token, `/api/v1/records/${n}/close`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('lock_required');
    expect((await h.record(org, n)).status).toBe('open');
  });

  it('moving a message makes a new case with the comment as a note, and both histories record it (rule 9)', async () => {
    const org = await h.newOrg();
    const n = await newCase(org, 'about my rent');
    await h.text(org, ALICE, 'also my neighbour is noisy');
    const stray = (await h.record(org, n)).messages.find((m: any) => m.text === 'also my neighbour is noisy');
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    const res = await post(org.admin.token, `/api/v1/records/${n}/messages/${stray.id}/move`, { comment: 'Separate noise complaint' });
    expect(res.status).toBe(201);
    const moved = res.body;
    expect(moved.caseNumber).toBeGreaterThan(n);
    expect(moved).toMatchObject({ status: 'open', contact: ALICE, numberId: org.numberId });
    expect(moved.messages.map((m: any) => m.text)).toEqual(['also my neighbour is noisy']);
    expect(moved.notes.map((x: any) => x.text)).toEqual(['Separate noise complaint']);
    expect(await h.conversation(org, n)).toEqual(['about my rent']);
    const source = (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items;
    expect(source.at(-1)).toMatchObject({
      action: 'message.moved.out',
      detail: { toCase: moved.caseNumber, comment: 'Separate noise complaint' },
    });
    const target = (await h.request('GET', `/api/v1/records/${moved.caseNumber}/history`, { token: org.admin.token })).body.items;
    expect(target.map((e: any) => e.action)).toContain('message.moved.in');
    // The contact now has two open cases: the next message goes to both.
    await h.text(org, ALICE, 'thanks');
    expect(await h.conversation(org, n)).toContain('thanks');
    expect(await h.conversation(org, moved.caseNumber)).toContain('thanks');
  });

  it('a move needs the lock and only moves inbound messages of this case', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    const message = (await h.record(org, n)).messages[0];
    const noLock = await post(org.admin.token, `/api/v1/records/${n}/messages/${message.id}/move`, { comment: '' });
    expect(noLock.status).toBe(400);
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    const reply = await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'ok' });
    const outbound = await post(org.admin.token, `/api/v1/records/${n}/messages/${reply.body.id}/move`, { comment: '' });
    expect(outbound.status).toBe(400);
    const missing = await post(org.admin.token, `/api/v1/records/${n}/messages/no-such-message/move`, { comment: '' });
    expect(missing.status).toBe(404);
    expect(await h.records(org)).toHaveLength(1);
  });

  it('notes are added and listed, with their author', async () => {
    const org = await h.newOrg();
    const n = await newCase(org);
    const added = await post(org.admin.token, `/api/v1/records/${n}/notes`, { text: 'Called back, no answer' });
    expect(added.status).toBe(201);
    const notes = await h.request('GET', `/api/v1/records/${n}/notes`, { token: org.admin.token });
    expect(notes.body.items).toEqual([
      expect.objectContaining({ text: 'Called back, no answer', author: expect.objectContaining({ id: org.admin.id }) }),
    ]);
    const empty = await post(org.admin.token, `/api/v1/records/${n}/notes`, { text: '   ' });
    expect(empty.status).toBe(400);
  });

  it('the records list filters by status, assignee, contact and text, newest activity first, in keyset pages', async () => {
    const org = await h.newOrg();
    for (let i = 0; i < 5; i++) await h.text(org, `+4477009002${String(i).padStart(2, '0')}`, `topic ${i === 3 ? 'housing' : 'other'}`);
    const all = await h.records(org);
    expect(all.map((r) => r.contact)).toEqual(['+447700900204', '+447700900203', '+447700900202', '+447700900201', '+447700900200']);
    const list = async (q: string) =>
      (await h.request('GET', `/api/v1/surveys/${org.surveyId}/records?${q}`, { token: org.admin.token })).body;
    expect((await list('q=HOUSING')).items.map((r: any) => r.contact)).toEqual(['+447700900203']);
    expect((await list('contact=%2B447700900201')).items.map((r: any) => r.contact)).toEqual(['+447700900201']);
    expect((await list('contact=%2B44%207700%20900201')).items.map((r: any) => r.contact)).toEqual(['+447700900201']);
    expect((await list('contact=900203')).items.map((r: any) => r.contact)).toEqual(['+447700900203']);
    const target = all[2]!.caseNumber;
    await post(org.admin.token, `/api/v1/records/${target}/lock`);
    expect((await list('assignee=me')).items.map((r: any) => r.caseNumber)).toEqual([target]);
    expect((await list('assignee=none')).items).toHaveLength(4);
    await post(org.admin.token, `/api/v1/records/${target}/close`);
    expect((await list('status=closed')).items.map((r: any) => r.caseNumber)).toEqual([target]);
    expect((await list('status=open')).items).toHaveLength(4);
    const page1 = await list('status=all&limit=2');
    const page2 = await list(`status=all&limit=2&cursor=${page1.nextCursor}`);
    const page3 = await list(`status=all&limit=2&cursor=${page2.nextCursor}`);
    expect(page3.nextCursor).toBeNull();
    const paged = [...page1.items, ...page2.items, ...page3.items].map((r: any) => r.caseNumber);
    // Every status in one order of activity: the case closed last is the newest, open and
    // closed cases interleave by time, and the pages join up without a gap or a repeat.
    const whole = (await list('status=all')).items.map((r: any) => r.caseNumber);
    expect(whole[0]).toBe(target);
    expect(whole.slice(1)).toEqual(all.filter((r) => r.caseNumber !== target).map((r) => r.caseNumber));
    expect(paged).toEqual(whole);
    const oldest = all[4]!.caseNumber;
    await h.text(org, '+447700900200', 'one more thing');
    const others = all.map((r) => r.caseNumber).filter((n) => n !== target && n !== oldest);
    expect((await list('status=all')).items.map((r: any) => r.caseNumber)).toEqual([oldest, target, ...others]);
    expect(page1.items[0].lastMessage).toMatchObject({ direction: 'in' });
  });

  it('a long conversation pages back through older messages', async () => {
    const org = await h.newOrg();
    const n = await newCase(org, 'message 0');
    for (let i = 1; i < 130; i++) await h.text(org, ALICE, `message ${i}`);
    const record = await h.record(org, n);
    expect(record.messages).toHaveLength(100);
    expect(record.hasOlderMessages).toBe(true);
    expect(record.messages[0].text).toBe('message 30');
    const older = await h.request('GET', `/api/v1/records/${n}/messages?before=${record.messages[0].id}`, { token: org.admin.token });
    expect(older.body.items.map((m: any) => m.text)).toEqual(Array.from({ length: 30 }, (_, i) => `message ${i}`));
    expect(older.body.hasMore).toBe(false);
  });

  it('a WhatsApp reply outside the 24-hour window is refused before anything is queued (rule 12)', async () => {
    const org = await h.newOrg({ channel: 'whatsapp' });
    const n = await newCase(org);
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    expect((await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'in time' })).status).toBe(
      202,
    );
    // Age the contact's last message past the window.
    await h
      .caseline()
      .db.kysely.updateTable('messages')
      .set({ created_at: Date.now() - 25 * 3600_000 })
      .where('number_id', '=', org.numberId)
      .where('direction', '=', 'in')
      .execute();
    const before = await h.count('outbox');
    const late = await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'too late' });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('window_closed');
    expect(await h.count('outbox')).toBe(before);
    expect((await h.record(org, n)).windowOpen).toBe(false);
  });
});
