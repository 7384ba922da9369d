import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/** Moving a message into an existing case of the same person (DESIGN.md §7), beside rule 9's new case. */
describeEachDialect('moving a message into an existing case', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';
  const BOB = '+447700900456';
  const post = (token: string, url: string, body?: unknown) => h.request('POST', url, { token, body });
  const history = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items as Array<{
      action: string;
      detail: Record<string, unknown>;
    }>;

  /** A case of `contact` holding `texts`, locked by the admin; answers its number. */
  async function caseWith(org: TestOrg, contact: string, texts: string[]): Promise<number> {
    for (const text of texts) await h.text(org, contact, text);
    const n = (await h.records(org, 'status=open')).find((r) => r.contact === contact)!.caseNumber;
    await post(org.admin.token, `/api/v1/records/${n}/lock`);
    return n;
  }

  /** Alice's two open cases: `n` with two messages (held by the admin), and `m` made from a third. */
  async function twoCases(org: TestOrg): Promise<{ n: number; m: number; stray: { id: string; text: string } }> {
    const n = await caseWith(org, ALICE, ['about my rent', 'also my deposit', 'and a noisy neighbour']);
    const messages = (await h.record(org, n)).messages as Array<{ id: string; text: string }>;
    const noise = messages.find((x) => x.text === 'and a noisy neighbour')!;
    const m = (await post(org.admin.token, `/api/v1/records/${n}/messages/${noise.id}/move`, { comment: '' })).body.caseNumber as number;
    return { n, m, stray: messages.find((x) => x.text === 'also my deposit')! };
  }

  it('the message leaves this case and joins the other, in its place in time, with the comment as a note there', async () => {
    const org = await h.newOrg();
    const { n, m, stray } = await twoCases(org);
    const res = await post(org.admin.token, `/api/v1/records/${n}/messages/${stray.id}/move`, {
      comment: 'Belongs with the other matter',
      toCase: m,
    });
    expect(res.status).toBe(200);
    expect(res.body.caseNumber).toBe(m);
    // Written before the message that started m, it comes first there too.
    expect(res.body.messages.map((x: { text: string }) => x.text)).toEqual(['also my deposit', 'and a noisy neighbour']);
    expect(res.body.notes.map((x: { text: string }) => x.text)).toEqual(['Belongs with the other matter']);
    expect(await h.conversation(org, n)).toEqual(['about my rent']);
    expect(await h.records(org)).toHaveLength(2);
    expect((await history(org, n)).at(-1)).toMatchObject({
      action: 'message.moved.out',
      detail: { messageId: stray.id, toCase: m, comment: 'Belongs with the other matter' },
    });
    const target = (await history(org, m)).map((e) => e.action);
    expect(target.slice(-2)).toEqual(['message.moved.in', 'note.added']);
  });

  it('both cases wait from what is left unanswered in each', async () => {
    const org = await h.newOrg();
    const { n, m, stray } = await twoCases(org);
    await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'About the rent: we will call' });
    await post(org.admin.token, `/api/v1/records/${m}/lock`);
    await post(org.admin.token, `/api/v1/records/${m}/notifications`, { target: 'conversation', text: 'About the noise: noted' });
    expect((await h.record(org, m)).waitingSince).toBeNull();
    // The deposit question, older than m's answer, moves into m: m answered it already.
    await post(org.admin.token, `/api/v1/records/${n}/messages/${stray.id}/move`, { toCase: m });
    expect((await h.record(org, m)).waitingSince).toBeNull();
    expect((await h.record(org, n)).waitingSince).toBeNull();
    // A new question in n, then moved to m: m waits from it, n no longer does.
    await h.text(org, ALICE, `#${n} one more thing`);
    const fresh = (await h.record(org, n)).messages.at(-1);
    expect((await h.record(org, n)).waitingSince).not.toBeNull();
    await post(org.admin.token, `/api/v1/records/${n}/messages/${fresh.id}/move`, { toCase: m });
    expect((await h.record(org, n)).waitingSince).toBeNull();
    expect((await h.record(org, m)).waitingSince).toBe(fresh.at);
  });

  it("moving into another person's case, a closed case, a case someone else holds or one that does not exist is refused", async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const { n, m, stray } = await twoCases(org);
    const bobs = await caseWith(org, BOB, ['hello from Bob']);
    const move = (toCase: number) => post(org.admin.token, `/api/v1/records/${n}/messages/${stray.id}/move`, { comment: 'x', toCase });

    const otherPerson = await move(bobs);
    expect([otherPerson.status, otherPerson.body.error.code]).toEqual([400, 'validation_failed']);
    const missing = await move(99_999);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    const itself = await move(n);
    expect([itself.status, itself.body.error.code]).toEqual([400, 'validation_failed']);

    await post(analyst.token, `/api/v1/records/${m}/lock`);
    const held = await move(m);
    expect([held.status, held.body.error.code]).toEqual([409, 'lock_held']);
    await post(analyst.token, `/api/v1/records/${m}/close`);
    const closed = await move(m);
    expect([closed.status, closed.body.error.code]).toEqual([409, 'case_closed']);

    expect(await h.conversation(org, n)).toEqual(['about my rent', 'also my deposit']);
    expect(await h.conversation(org, m)).toEqual(['and a noisy neighbour']);
    expect(await h.conversation(org, bobs)).toEqual(['hello from Bob']);
    expect((await h.record(org, m)).notes).toEqual([]);
  });

  it('moving into an existing case needs the lock on this one and moves only inbound messages', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const { n, m, stray } = await twoCases(org);
    const notHolder = await post(analyst.token, `/api/v1/records/${n}/messages/${stray.id}/move`, { toCase: m });
    expect([notHolder.status, notHolder.body.error.code]).toEqual([409, 'lock_held']);
    const reply = await post(org.admin.token, `/api/v1/records/${n}/notifications`, { target: 'conversation', text: 'ok' });
    const outbound = await post(org.admin.token, `/api/v1/records/${n}/messages/${reply.body.id}/move`, { toCase: m });
    expect([outbound.status, outbound.body.error.code]).toEqual([400, 'bad_request']);
    expect(await h.conversation(org, m)).toEqual(['and a noisy neighbour']);
  });
});
