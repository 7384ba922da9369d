import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Acknowledgement } from '../../src/domain/time-rules.js';
import type { ProviderAdapter, ProviderRegistry } from '../../src/providers/provider.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { sandboxProvider } from '../../src/providers/sandbox.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/** Acknowledgements and out-of-hours texts (DESIGN.md §8, §13), sent by the outbox on a driven clock. */
describeEachDialect('acknowledgements', (dialect) => {
  /** What the sandbox was asked to send, in order. */
  const sent: Array<{ numberId: string; to: string; text: string }> = [];
  const recordingSandbox: ProviderAdapter<'sandbox'> = {
    ...sandboxProvider,
    send(message, number) {
      sent.push({ numberId: number.id, to: message.to, text: message.text });
      return sandboxProvider.send(message, number);
    },
  };
  const unused = 'http://127.0.0.1:9';
  const providers = (): ProviderRegistry => ({
    ...createProviderRegistry({ twilio: unused, vonage: unused, whatsapp: unused, africastalking: unused }),
    sandbox: recordingSandbox,
  });

  // The server's clock: set to a moment, then running on from it (the outbox paces sends in time).
  let offset = 0;
  const setClock = (iso: string) => {
    offset = Date.parse(iso) - Date.now();
  };
  const h = useCaseline(dialect, { providers, startOutbox: true, outbox: { pollMs: 20 }, now: () => Date.now() + offset });

  // Wednesday 4 March 2026, 10:00 in London (GMT): open on a weekday schedule.
  const OPEN = '2026-03-04T10:00:00Z';
  // The same Wednesday at 20:00: closed.
  const EVENING = '2026-03-04T20:00:00Z';
  // Christmas Day 2026, a Friday, 10:00: a holiday.
  const CHRISTMAS = '2026-12-25T10:00:00Z';
  const WEEKDAYS_9_TO_5 = {
    timeZone: 'Europe/London',
    weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
    holidays: ['2026-12-25'],
  };
  const ACK: Acknowledgement = {
    text: 'Thank you, we have your message. Your case is #{case}.',
    outOfHoursText: 'We are closed now; we answer case #{case} from 9:00 on weekdays.',
  };

  let contactSeq = 0;
  const newContact = () => {
    contactSeq += 1;
    return `+4477009${String(20000 + contactSeq).slice(-5)}`;
  };

  const setAcknowledgement = (org: TestOrg, acknowledgement: unknown, token = org.admin.token) =>
    h.request('PATCH', `/api/v1/numbers/${org.numberId}`, { token, body: { acknowledgement } });

  async function orgWith(acknowledgement: Acknowledgement | null, options: { businessHours?: unknown; multiCaseReply?: string } = {}) {
    const org = await h.newOrg({ multiCaseReply: options.multiCaseReply ?? null });
    if (acknowledgement) expect((await setAcknowledgement(org, acknowledgement)).status).toBe(200);
    if (options.businessHours) {
      const res = await h.request('PATCH', `/api/v1/surveys/${org.surveyId}`, {
        token: org.admin.token,
        body: { businessHours: options.businessHours },
      });
      expect(res.status).toBe(200);
    }
    return org;
  }

  /** The case numbers of a contact's cases, oldest first. */
  const casesOf = async (org: TestOrg, contact: string) =>
    (await h.records(org))
      .filter((r) => r.contact === contact)
      .map((r) => r.caseNumber)
      .sort((a, b) => a - b);
  const sentTo = (org: TestOrg, contact: string) => sent.filter((s) => s.numberId === org.numberId && s.to === contact).map((s) => s.text);
  /** Outbound messages stored for the number: none stored means none will ever be sent. */
  const outboundStored = async (org: TestOrg) =>
    (
      await h
        .caseline()
        .db.kysely.selectFrom('messages')
        .select('body')
        .where('number_id', '=', org.numberId)
        .where('direction', '=', 'out')
        .execute()
    ).map((m) => m.body);
  const historyOf = async (org: TestOrg, n: number) =>
    (await h.request('GET', `/api/v1/records/${n}/history`, { token: org.admin.token })).body.items as Array<{
      action: string;
      user: unknown;
      detail: Record<string, unknown>;
    }>;

  it('a new case is acknowledged once, {case} filled, automatic, and still waiting for a person', async () => {
    setClock(OPEN);
    const org = await orgWith(ACK);
    const alice = newContact();
    const bob = newContact();
    expect((await h.text(org, alice, 'I need help with my rent')).status).toBe(200);
    await h.text(org, alice, 'are you there?');
    await h.text(org, bob, 'hello');
    const [aliceCase] = await casesOf(org, alice);
    const [bobCase] = await casesOf(org, bob);

    await expect
      .poll(() => sentTo(org, alice), { timeout: 5000 })
      .toEqual([`Thank you, we have your message. Your case is #${aliceCase}.`]);
    await expect.poll(() => sentTo(org, bob), { timeout: 5000 }).toEqual([`Thank you, we have your message. Your case is #${bobCase}.`]);

    const record = await h.record(org, aliceCase!);
    expect(record.messages.map((m: any) => [m.direction, m.text, m.automatic])).toEqual([
      ['in', 'I need help with my rent', false],
      ['out', `Thank you, we have your message. Your case is #${aliceCase}.`, true],
      ['in', 'are you there?', false],
    ]);
    // Not a person's first response: the case waits from the first message, as before.
    expect(record.waitingSince).toBe(record.messages[0].at);
    expect(Date.parse(record.waitingSince) - Date.parse(OPEN)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(record.waitingSince) - Date.parse(OPEN)).toBeLessThan(60_000);

    const ackOut = (await historyOf(org, aliceCase!)).filter((e) => e.action === 'message.out');
    expect(ackOut).toEqual([
      expect.objectContaining({ user: null, detail: { messageId: record.messages[1].id, acknowledgement: true, outOfHours: false } }),
    ]);
  });

  it('outside business hours and on a holiday the out-of-hours text goes instead; inside hours the text', async () => {
    const org = await orgWith(ACK, { businessHours: WEEKDAYS_9_TO_5 });
    const [day, evening, holiday] = [newContact(), newContact(), newContact()];
    setClock(OPEN);
    await h.text(org, day, 'morning');
    setClock(EVENING);
    await h.text(org, evening, 'late');
    setClock(CHRISTMAS);
    await h.text(org, holiday, 'christmas');

    const [dayCase] = await casesOf(org, day);
    const [eveningCase] = await casesOf(org, evening);
    const [holidayCase] = await casesOf(org, holiday);
    await expect.poll(() => sentTo(org, day), { timeout: 5000 }).toEqual([`Thank you, we have your message. Your case is #${dayCase}.`]);
    await expect
      .poll(() => sentTo(org, evening), { timeout: 5000 })
      .toEqual([`We are closed now; we answer case #${eveningCase} from 9:00 on weekdays.`]);
    await expect
      .poll(() => sentTo(org, holiday), { timeout: 5000 })
      .toEqual([`We are closed now; we answer case #${holidayCase} from 9:00 on weekdays.`]);
    const outOfHours = async (n: number) => (await historyOf(org, n)).find((e) => e.action === 'message.out')?.detail.outOfHours;
    expect([await outOfHours(dayCase!), await outOfHours(eveningCase!), await outOfHours(holidayCase!)]).toEqual([false, true, true]);
  });

  it('without an out-of-hours text the text goes at all hours', async () => {
    const org = await orgWith({ text: 'Case #{case} received.', outOfHoursText: null }, { businessHours: WEEKDAYS_9_TO_5 });
    const contact = newContact();
    setClock(EVENING);
    await h.text(org, contact, 'late');
    const [n] = await casesOf(org, contact);
    await expect.poll(() => sentTo(org, contact), { timeout: 5000 }).toEqual([`Case #${n} received.`]);
    expect((await historyOf(org, n!)).find((e) => e.action === 'message.out')?.detail).toMatchObject({ outOfHours: true });
  });

  it('a number without an acknowledgement sends none', async () => {
    setClock(OPEN);
    const org = await orgWith(null);
    const contact = newContact();
    await h.text(org, contact, 'hello');
    expect(await casesOf(org, contact)).toHaveLength(1);
    expect(await outboundStored(org)).toEqual([]);
    expect(sentTo(org, contact)).toEqual([]);
  });

  it('STOP as a first message opens a case unacknowledged; an opted-out contact gets none on a new case; START lets the next one go', async () => {
    setClock(OPEN);
    const org = await orgWith(ACK);
    const contact = newContact();
    await h.text(org, contact, 'STOP');
    const [stopCase] = await casesOf(org, contact);
    expect(stopCase).toBeDefined();
    expect(await h.conversation(org, stopCase!)).toEqual(['STOP']);

    // Opted out: `#0` starts a new case, still unacknowledged.
    await h.text(org, contact, 'something else #0');
    expect(await casesOf(org, contact)).toHaveLength(2);
    expect(await outboundStored(org)).toEqual([]);

    // Back in: START joins the open cases (no new case), the next `#0` case is acknowledged.
    await h.text(org, contact, 'START');
    expect(await casesOf(org, contact)).toHaveLength(2);
    await h.text(org, contact, 'a new problem #0');
    const cases = await casesOf(org, contact);
    expect(cases).toHaveLength(3);
    await expect
      .poll(() => sentTo(org, contact), { timeout: 5000 })
      .toEqual([`Thank you, we have your message. Your case is #${cases[2]}.`]);
    expect(await outboundStored(org)).toHaveLength(1);
  });

  it('a webhook delivered again with the same provider id is acknowledged once', async () => {
    setClock(OPEN);
    const org = await orgWith(ACK);
    const contact = newContact();
    const id = randomUUID();
    const answers = await Promise.all([h.text(org, contact, 'hello', id), h.text(org, contact, 'hello', id)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await h.text(org, contact, 'hello', id);
    const [n] = await casesOf(org, contact);
    await expect.poll(() => sentTo(org, contact), { timeout: 5000 }).toHaveLength(1);
    expect(await outboundStored(org)).toEqual([`Thank you, we have your message. Your case is #${n}.`]);
    expect(await h.conversation(org, n!)).toEqual(['hello', `Thank you, we have your message. Your case is #${n}.`]);
  });

  it('bad settings answer 400 validation_failed and change nothing', async () => {
    const org = await orgWith(ACK);
    const bad: unknown[] = [
      { text: '', outOfHoursText: null },
      { text: '   ', outOfHoursText: null },
      { text: 'Case #{case}', outOfHoursText: '  ' },
      { text: 'Case #{case}' },
      { text: 'Case #{case}', outOfHoursText: null, extra: true },
      'Case #{case}',
      { text: { en: 'Case #{case}' }, outOfHoursText: null },
    ];
    for (const acknowledgement of bad) {
      const res = await setAcknowledgement(org, acknowledgement);
      expect(res.status, JSON.stringify(acknowledgement)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const number = await h.request('GET', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token });
    expect(number.body.acknowledgement).toEqual(ACK);
  });

  it('only an admin of the organisation sets it: viewer and analyst 403, another organisation 404', async () => {
    const org = await orgWith(null);
    const other = await orgWith(null);
    for (const role of ['viewer', 'analyst'] as const) {
      const user = await h.addUser(org.orgId, role);
      const res = await setAcknowledgement(org, ACK, user.token);
      expect(res.status, role).toBe(403);
    }
    expect((await setAcknowledgement(org, ACK, other.admin.token)).status).toBe(404);
    const number = await h.request('GET', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token });
    expect(number.body.acknowledgement).toBeNull();

    // Off again with null: no acknowledgement after that.
    expect((await setAcknowledgement(org, ACK)).status).toBe(200);
    expect((await setAcknowledgement(org, null)).body.acknowledgement).toBeNull();
    setClock(OPEN);
    const contact = newContact();
    await h.text(org, contact, 'hello');
    expect(await casesOf(org, contact)).toHaveLength(1);
    expect(await outboundStored(org)).toEqual([]);
  });

  it('the multi-case reply is automatic too; a message joining open cases is not acknowledged again', async () => {
    setClock(OPEN);
    const org = await orgWith(ACK, { multiCaseReply: 'You have {count} open cases:\n{cases}' });
    const contact = newContact();
    await h.text(org, contact, 'first problem');
    await h.text(org, contact, 'second problem #0');
    await h.text(org, contact, 'hello?');
    const [first, second] = await casesOf(org, contact);
    await expect.poll(() => sentTo(org, contact).length, { timeout: 5000 }).toBe(3);
    const messages = (await h.record(org, first!)).messages as Array<{ direction: string; text: string; automatic: boolean }>;
    const outbound = messages.filter((m) => m.direction === 'out');
    expect(outbound.map((m) => m.automatic)).toEqual([true, true]);
    expect(outbound[0]!.text).toBe(`Thank you, we have your message. Your case is #${first}.`);
    expect(outbound[1]!.text).toMatch(/^You have 2 open cases:/);
    expect(sentTo(org, contact).filter((t) => t.startsWith('Thank you'))).toEqual([
      `Thank you, we have your message. Your case is #${first}.`,
      `Thank you, we have your message. Your case is #${second}.`,
    ]);
  });
});
