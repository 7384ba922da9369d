import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { pathOf, useCaseline } from '../support/harness.js';

/** DESIGN.md §2 rules 1–7, through signed webhooks and the HTTP API. */
describeEachDialect('the rules of a conversation', (dialect) => {
  const h = useCaseline(dialect);
  const ALICE = '+447700900123';
  const BOB = '+447700900456';

  it('a first message creates a new open case holding the contact and the message', async () => {
    const org = await h.newOrg();
    const res = await h.text(org, ALICE, 'I need help with my rent');
    expect(res.status).toBe(200);
    const [only, ...rest] = await h.records(org);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ status: 'open', contact: ALICE });
    const record = await h.record(org, only!.caseNumber);
    expect(record.answers.phone).toBe(ALICE);
    expect(record.messages.map((m: any) => [m.direction, m.text])).toEqual([['in', 'I need help with my rent']]);
  });

  it('a second message from the same contact joins the open case', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'first');
    await h.text(org, ALICE, 'second');
    const all = await h.records(org);
    expect(all).toHaveLength(1);
    expect(await h.conversation(org, all[0]!.caseNumber)).toEqual(['first', 'second']);
  });

  it('different contacts get separate cases', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'from alice');
    await h.text(org, BOB, 'from bob');
    const all = await h.records(org);
    expect(all.map((r) => r.contact).sort()).toEqual([ALICE, BOB].sort());
  });

  it('one contact written in different forms is one contact (rule 2)', async () => {
    const org = await h.newOrg();
    await h.text(org, '+44 7700 900123', 'spaced');
    await h.text(org, '447700900123', 'no plus');
    await h.text(org, 'whatsapp:+447700900123', 'whatsapp prefix');
    await h.text(org, '07700 900123', 'national');
    const all = await h.records(org);
    expect(all).toHaveLength(1);
    expect(all[0]!.contact).toBe(ALICE);
    expect(await h.conversation(org, all[0]!.caseNumber)).toEqual(['spaced', 'no plus', 'whatsapp prefix', 'national']);
  });

  it('a contact with two open cases has each message added to both', async () => {
    const org = await h.newOrg();
    const [first, second] = await twoOpenCases(org);
    await h.text(org, ALICE, 'to everyone');
    expect(await h.conversation(org, first)).toContain('to everyone');
    expect(await h.conversation(org, second)).toContain('to everyone');
  });

  it('with two open cases and a multi-case reply, the reply lists the cases once', async () => {
    const org = await h.newOrg({ multiCaseReply: 'You have {count} cases:\n{cases}' });
    const [first, second] = await twoOpenCases(org);
    await h.text(org, ALICE, 'which case is this?');
    const conversation = (await h.record(org, first)).messages;
    const replies = conversation.filter((m: any) => m.direction === 'out');
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toBe(`You have 2 cases:\n#${first}: first case\n#${second}: second case`);
    expect((await h.record(org, second)).messages.filter((m: any) => m.direction === 'out').map((m: any) => m.id)).toEqual([replies[0].id]);
    expect(await h.count('outbox')).toBeGreaterThan(0);
  });

  it('a valid reference sends the message to that case only (rule 4)', async () => {
    const org = await h.newOrg();
    const [first, second] = await twoOpenCases(org);
    await h.text(org, ALICE, `About (#${second}), thanks.`);
    expect(await h.conversation(org, second)).toContain(`About (#${second}), thanks.`);
    expect(await h.conversation(org, first)).not.toContain(`About (#${second}), thanks.`);
  });

  it('#0 starts a new case even though the person has an open one, and only there (rule 4)', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'my water is off');
    const [open] = await h.records(org);
    await h.text(org, ALICE, 'A different problem: my landlord #0');
    const cases = await h.records(org, 'status=open');
    expect(cases).toHaveLength(2);
    const fresh = cases.find((c) => c.caseNumber !== open!.caseNumber)!;
    expect(await h.conversation(org, fresh.caseNumber)).toEqual(['A different problem: my landlord #0']);
    expect(await h.conversation(org, open!.caseNumber)).toEqual(['my water is off']);
  });

  it('#0 beside a valid reference gives way to it: the message goes to the referenced case', async () => {
    const org = await h.newOrg();
    const [first, second] = await twoOpenCases(org);
    await h.text(org, ALICE, `About #${second}, not #0`);
    expect(await h.conversation(org, second)).toContain(`About #${second}, not #0`);
    expect(await h.conversation(org, first)).not.toContain(`About #${second}, not #0`);
    expect(await h.records(org, 'status=open')).toHaveLength(2);
  });

  it('several valid references reach exactly those cases', async () => {
    const org = await h.newOrg();
    const [first, second] = await twoOpenCases(org);
    const third = await openAnotherCase(org, 'third case');
    await h.text(org, ALICE, `#${first} and #${third}`);
    expect(await h.conversation(org, first)).toContain(`#${first} and #${third}`);
    expect(await h.conversation(org, third)).toContain(`#${first} and #${third}`);
    expect(await h.conversation(org, second)).not.toContain(`#${first} and #${third}`);
  });

  it('a reference to a closed case is ignored: the message goes to the open cases', async () => {
    const org = await h.newOrg();
    const [first, second] = await twoOpenCases(org);
    await close(org, first);
    await h.text(org, ALICE, `more about #${first}`);
    expect(await h.conversation(org, first)).not.toContain(`more about #${first}`);
    expect(await h.conversation(org, second)).toContain(`more about #${first}`);
  });

  it("a reference to another person's case is ignored: nobody writes into a case that is not theirs", async () => {
    const org = await h.newOrg();
    await h.text(org, BOB, 'bob case');
    const bobCase = (await h.records(org))[0]!.caseNumber;
    await h.text(org, ALICE, `I guess #${bobCase}`);
    expect(await h.conversation(org, bobCase)).toEqual(['bob case']);
    const alice = (await h.records(org)).find((r) => r.contact === ALICE)!;
    expect(await h.conversation(org, alice.caseNumber)).toEqual([`I guess #${bobCase}`]);
  });

  it('a reference to a case that does not exist is ignored', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'hello');
    await h.text(org, ALICE, 'see #999999');
    const all = await h.records(org);
    expect(all).toHaveLength(1);
    expect(await h.conversation(org, all[0]!.caseNumber)).toEqual(['hello', 'see #999999']);
  });

  it('text that only looks like a reference is not one (#12abc, a#12)', async () => {
    const org = await h.newOrg();
    const [first, second] = await twoOpenCases(org);
    await h.text(org, ALICE, `x#${first} #${first}abc`);
    expect(await h.conversation(org, first)).toContain(`x#${first} #${first}abc`);
    expect(await h.conversation(org, second)).toContain(`x#${first} #${first}abc`);
  });

  it('a contact whose cases are all closed starts a new case (rule 6)', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'old problem');
    const old = (await h.records(org))[0]!.caseNumber;
    await close(org, old);
    await h.text(org, ALICE, `new problem #${old}`);
    const all = await h.records(org);
    expect(all).toHaveLength(2);
    const fresh = all.find((r) => r.caseNumber !== old)!;
    expect(fresh.status).toBe('open');
    expect(fresh.caseNumber).toBeGreaterThan(old);
    expect(await h.conversation(org, fresh.caseNumber)).toEqual([`new problem #${old}`]);
    expect(await h.conversation(org, old)).toEqual(['old problem']);
  });

  it('a reopened case receives messages again', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'first');
    const n = (await h.records(org))[0]!.caseNumber;
    await close(org, n);
    expect((await h.request('POST', `/api/v1/records/${n}/reopen`, { token: org.admin.token })).status).toBe(200);
    await h.text(org, ALICE, 'after reopening');
    expect(await h.records(org)).toHaveLength(1);
    expect(await h.conversation(org, n)).toEqual(['first', 'after reopening']);
  });

  it('without case management every message creates a new record (rule 3)', async () => {
    const org = await h.newOrg({ caseManagement: false });
    await h.text(org, ALICE, 'one');
    await h.text(org, ALICE, 'two');
    const all = await h.records(org);
    expect(all).toHaveLength(2);
    for (const r of all) {
      const record = await h.record(org, r.caseNumber);
      expect(record.answers.phone).toBe(ALICE);
      expect(record.messages).toHaveLength(1);
    }
  });

  it('a duplicate webhook is stored once and acknowledged (rule 1)', async () => {
    const org = await h.newOrg();
    const id = `dup-${randomUUID()}`;
    const before = await h.count('messages');
    expect((await h.text(org, ALICE, 'only once', id)).status).toBe(200);
    expect((await h.text(org, ALICE, 'only once', id)).status).toBe(200);
    expect(await h.count('messages')).toBe(before + 1);
    expect(await h.conversation(org, (await h.records(org))[0]!.caseNumber)).toEqual(['only once']);
  });

  it('concurrent duplicate webhooks are stored once', async () => {
    const org = await h.newOrg();
    const id = `dup-${randomUUID()}`;
    const before = await h.count('messages');
    const results = await Promise.all(Array.from({ length: 10 }, () => h.text(org, ALICE, 'at the same time', id)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await h.count('messages')).toBe(before + 1);
    expect(await h.records(org)).toHaveLength(1);
  });

  it('50 concurrent first messages from one contact make exactly one case (rule 7)', async () => {
    const org = await h.newOrg();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => h.text(org, ALICE, `burst ${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const all = await h.records(org);
    expect(all).toHaveLength(1);
    expect(await h.conversation(org, all[0]!.caseNumber)).toHaveLength(50);
  });

  it('case numbers are unique and increasing within the organisation', async () => {
    const org = await h.newOrg();
    await Promise.all(Array.from({ length: 10 }, (_, i) => h.text(org, `+4477009001${String(i).padStart(2, '0')}`, 'hi')));
    const numbers = (await h.records(org)).map((r) => r.caseNumber).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('one contact on two numbers is routed on each number separately', async () => {
    const org = await h.newOrg();
    const second = await h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'sandbox',
        channel: 'whatsapp',
        ourNumber: '+447700900999',
        surveyId: org.surveyId,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        credentials: { webhookSecret: 'another-secret-of-length' },
      },
    });
    expect(second.status).toBe(201);
    await h.text(org, ALICE, 'by sms');
    await h.text({ webhookPath: pathOf(second.body.webhooks.inbound), webhookSecret: 'another-secret-of-length' }, ALICE, 'by whatsapp');
    const all = await h.records(org);
    // Same survey and contact: the open case receives both, each message keeping its number.
    expect(all).toHaveLength(1);
    const record = await h.record(org, all[0]!.caseNumber);
    expect(record.messages.map((m: any) => [m.text, m.channel])).toEqual([
      ['by sms', 'sms'],
      ['by whatsapp', 'whatsapp'],
    ]);
  });

  it('STOP opts the contact out: the message is recorded and replies are refused (rule 11)', async () => {
    const org = await h.newOrg();
    await h.text(org, ALICE, 'help');
    const n = (await h.records(org))[0]!.caseNumber;
    await h.text(org, ALICE, 'stop');
    expect(await h.conversation(org, n)).toEqual(['help', 'stop']);
    await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
    const refused = await h.request('POST', `/api/v1/records/${n}/notifications`, {
      token: org.admin.token,
      body: { target: 'conversation', text: 'are you there?' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('opted_out');
    expect((await h.record(org, n)).optedOut).toBe(true);
    await h.text(org, ALICE, 'START');
    const allowed = await h.request('POST', `/api/v1/records/${n}/notifications`, {
      token: org.admin.token,
      body: { target: 'conversation', text: 'welcome back' },
    });
    expect(allowed.status).toBe(202);
  });

  async function openAnotherCase(org: Awaited<ReturnType<typeof h.newOrg>>, text: string): Promise<number> {
    // A move is how a contact gets a second open case: the message becomes its own case.
    await h.text(org, ALICE, text);
    const all = await h.records(org, 'status=open');
    const base = Math.min(...all.map((r) => r.caseNumber));
    const record = await h.record(org, base);
    const message = record.messages.find((m: any) => m.text === text);
    await h.request('POST', `/api/v1/records/${base}/lock`, { token: org.admin.token });
    const moved = await h.request('POST', `/api/v1/records/${base}/messages/${message.id}/move`, {
      token: org.admin.token,
      body: { comment: '' },
    });
    expect(moved.status).toBe(201);
    return moved.body.caseNumber;
  }

  async function twoOpenCases(org: Awaited<ReturnType<typeof h.newOrg>>): Promise<[number, number]> {
    await h.text(org, ALICE, 'first case');
    const first = (await h.records(org))[0]!.caseNumber;
    const second = await openAnotherCase(org, 'second case');
    return [first, second];
  }

  async function close(org: Awaited<ReturnType<typeof h.newOrg>>, caseNumber: number) {
    await h.request('POST', `/api/v1/records/${caseNumber}/lock`, { token: org.admin.token });
    const res = await h.request('POST', `/api/v1/records/${caseNumber}/close`, { token: org.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('closed');
  }
});
