import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/**
 * Writes that could undo what changed meanwhile (DESIGN.md §13 "stale writes"): record
 * versions, replies from closed cases, and finding a case by the number as a worker types it.
 */
describeEachDialect('stale writes and closed cases', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';

  async function lockedCase(org: TestOrg, from = ALICE, text = 'I need help'): Promise<number> {
    await h.text(org, from, text);
    const n = Math.max(...(await h.records(org, 'status=open')).map((r) => r.caseNumber));
    const lock = await post(org, `/api/v1/records/${n}/lock`);
    if (lock.status !== 200) throw new Error(`lock: ${JSON.stringify(lock.body)}`);
    return n;
  }
  const post = (org: TestOrg, url: string, body?: unknown) => h.request('POST', url, { token: org.admin.token, body });
  const patch = (org: TestOrg, n: number, body: unknown) => h.request('PATCH', `/api/v1/records/${n}`, { token: org.admin.token, body });
  const historyLength = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items.length as number;

  it('the version rises with every change to answers or status, and not with messages, locks or notes', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'I need help');
    const [summary] = await h.records(org);
    const n = summary!.caseNumber;
    expect((summary as unknown as { version: number }).version).toBe(0);
    expect((await h.record(org, n)).version).toBe(0);
    await post(org, `/api/v1/records/${n}/lock`);
    await post(org, `/api/v1/records/${n}/notes`, { text: 'Called back' });
    await h.text(org, ALICE, 'Are you there?');
    await post(org, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'Yes' });
    expect((await h.record(org, n)).version).toBe(0);
    expect((await patch(org, n, { answers: { notes_text: 'rent' } })).body.version).toBe(1);
    const closed = await post(org, `/api/v1/records/${n}/close`);
    expect(closed.body.version).toBe(2);
    expect((await post(org, `/api/v1/records/${n}/reopen`)).body.version).toBe(3);
    // Saving what is already there changes nothing.
    expect((await patch(org, n, { answers: { notes_text: 'rent' } })).body.version).toBe(3);
    expect((await h.records(org)).map((r) => (r as unknown as { version: number }).version)).toEqual([3]);
  });

  it('saving answers based on an older version is refused with stale_record and changes nothing', async () => {
    const org = await h.newOrg();
    const n = await lockedCase(org);
    // Another tab closed the case after this form was loaded at version 0.
    expect((await post(org, `/api/v1/records/${n}/close`, { version: 0 })).body).toMatchObject({ status: 'closed', version: 1 });
    const entries = await historyLength(org, n);
    const stale = await patch(org, n, { answers: { status: 'new', notes_text: 'topic' }, version: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_record');
    expect(stale.body.error.message).toContain(`#${n}`);
    const record = await h.record(org, n);
    expect(record).toMatchObject({ status: 'closed', version: 1, answers: { status: 'closed' } });
    expect(record.answers.notes_text).toBeUndefined();
    expect(await historyLength(org, n)).toBe(entries);
    const current = await patch(org, n, { answers: { notes_text: 'topic' }, version: 1 });
    expect(current.body).toMatchObject({ status: 'closed', version: 2, answers: { notes_text: 'topic', status: 'closed' } });
  });

  it('closing or reopening from an older version is refused with stale_record', async () => {
    const org = await h.newOrg();
    const n = await lockedCase(org);
    await patch(org, n, { answers: { status: 'working' } });
    const close = await post(org, `/api/v1/records/${n}/close`, { version: 0 });
    expect(close.status).toBe(409);
    expect(close.body.error.code).toBe('stale_record');
    expect((await h.record(org, n)).status).toBe('open');
    await post(org, `/api/v1/records/${n}/close`, { version: 1 });
    const reopen = await post(org, `/api/v1/records/${n}/reopen`, { version: 1 });
    expect(reopen.status).toBe(409);
    expect(reopen.body.error.code).toBe('stale_record');
    expect((await h.record(org, n)).status).toBe('closed');
    expect((await post(org, `/api/v1/records/${n}/reopen`, {})).body).toMatchObject({ status: 'open', version: 3 });
  });

  it('two saves based on the same version at once: exactly one applies', async () => {
    const org = await h.newOrg();
    const n = await lockedCase(org);
    const saves = await Promise.all(
      ['first', 'second', 'third'].map((text) => patch(org, n, { answers: { notes_text: text }, version: 0 })),
    );
    expect(saves.map((s) => s.status).sort()).toEqual([200, 409, 409]);
    const record = await h.record(org, n);
    expect(record.version).toBe(1);
    expect(record.answers.notes_text).toBe(saves.find((s) => s.status === 200)!.body.answers.notes_text);
  });

  it('a reply from a closed case is refused with case_closed before anything is queued', async () => {
    const org = await h.newOrg();
    const n = await lockedCase(org);
    await post(org, `/api/v1/records/${n}/close`);
    const outbox = await h.count('outbox');
    const refused = await post(org, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'One more thing' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('case_closed');
    expect(refused.body.error.message).toMatch(/closed.*Reopen/);
    expect(await h.count('outbox')).toBe(outbox);
    expect(await h.conversation(org, n)).toEqual(['I need help']);
    await post(org, `/api/v1/records/${n}/reopen`);
    expect((await post(org, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'One more thing' })).status).toBe(202);
  });

  it('a failed reply of a closed case is not sent again: the retry is refused with case_closed', async () => {
    const org = await h.newOrg();
    const n = await lockedCase(org);
    const sent = await post(org, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'Call us back' });
    // The outbox is not running in this file; the provider's refusal is written as the outbox would.
    await h
      .caseline()
      .db.kysely.updateTable('messages')
      .set({ status: 'failed', error_text: 'Unreachable' })
      .where('id', '=', sent.body.id)
      .execute();
    await post(org, `/api/v1/records/${n}/close`);
    const retry = await post(org, `/api/v1/records/${n}/messages/${sent.body.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('case_closed');
    expect((await h.lastMessage(org, n)).status).toBe('failed');
  });

  it("a national number finds the case in the country of the survey's numbers", async () => {
    const org = await h.newOrg(); // its number is +44 7700 900000
    await h.text(org, ALICE, 'from Alice');
    await h.text(org, '+442079460958', 'from a London landline');
    await h.text(org, '+447700900999', 'from someone else');
    const list = async (contact: string) =>
      (
        await h.request('GET', `/api/v1/surveys/${org.surveyId}/records?status=all&contact=${encodeURIComponent(contact)}`, {
          token: org.admin.token,
        })
      ).body.items.map((r: { contact: string }) => r.contact);
    expect(await list('07700 900123')).toEqual([ALICE]);
    expect(await list('07700900123')).toEqual([ALICE]);
    expect(await list('020 7946 0958')).toEqual(['+442079460958']);
    expect(await list('+44 7700 900123')).toEqual([ALICE]);
    expect(await list('900 123')).toEqual([ALICE]);
  });
});
