import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as whatsappSpellings from '../../src/db/migrations/016-whatsapp-spellings.js';
import { recordOptOut } from '../../src/db/queries/opt-outs.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { describeEachDialect } from '../support/dialects.js';
import {
  signWhatsAppWebhook,
  startFakeWhatsAppCloud,
  whatsappInboundPayload,
  type FakeWhatsAppCloud,
} from '../support/fake-whatsapp-cloud.js';
import { pathOf, useCaseline, type TestOrg } from '../support/harness.js';

/**
 * One person, several spellings (DESIGN.md §11, docs/decisions.md): on WhatsApp a Brazilian
 * mobile with and without its ninth digit, and an Argentine one with and without the `9`
 * after `+54`, are one contact, wherever they are compared; on SMS a number is what it is.
 */
const PHONE_NUMBER_ID = '106540352242923';
const ACCESS_TOKEN = 'EAAJB3x7ZBqgYBO2fakeSystemUserToken4Spellings';
const APP_SECRET = '5d6e7f8091a2b3c4d5e6f708192a3b4c';
const TEMPLATE = { name: 'case_update', language: 'pt_BR', body: 'Olá {{1}}', parameters: ['name'] };

/** The same Brazilian mobile as Meta may send it, and as it is dialled. */
const BRAZIL_WA_ID = '551187654321';
const BRAZIL_DIALLED = '5511987654321';
/** The same Argentine mobile as Meta sends it, and in its international mobile form. */
const ARGENTINA_WA_ID = '541155551234';
const ARGENTINA_DIALLED = '5491155551234';

describeEachDialect('one person, several spellings on WhatsApp', (dialect) => {
  let meta: FakeWhatsAppCloud;
  beforeAll(async () => {
    meta = await startFakeWhatsAppCloud({ phoneNumbers: { [PHONE_NUMBER_ID]: ACCESS_TOKEN } });
  });
  afterAll(() => meta.close());

  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: meta.url, vonage: meta.url, whatsapp: meta.url, africastalking: meta.url }),
    startOutbox: true,
    outbox: { pollMs: 20 },
  });

  /** An organisation with its sandbox SMS number and a WhatsApp Cloud number on the same survey. */
  async function setup() {
    const org = await h.newOrg();
    const res = await h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'whatsapp-cloud',
        channel: 'whatsapp',
        ourNumber: '+15550783881',
        surveyId: org.surveyId,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        sendRatePerSecond: 100,
        templates: [TEMPLATE],
        credentials: { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: 'verify-1' },
      },
    });
    expect(res.status).toBe(201);
    return { org, whatsappNumberId: res.body.id as string, inbound: pathOf(res.body.webhooks.inbound as string) };
  }

  async function fromWhatsApp(inbound: string, from: string, text: string) {
    const delivery = signWhatsAppWebhook(whatsappInboundPayload({ phoneNumberId: PHONE_NUMBER_ID, from, text }), APP_SECRET);
    const res = await h.request('POST', inbound, { rawBody: delivery.body, headers: delivery.headers });
    expect(res.status).toBe(200);
  }

  const writeFirst = (org: TestOrg, numberId: string, contact: string) =>
    h.request('POST', `/api/v1/surveys/${org.surveyId}/records`, {
      token: org.admin.token,
      body: { numberId, contact, template: { name: TEMPLATE.name, language: TEMPLATE.language, parameters: ['Ana'] } },
    });

  /** Replies from the case as its lock holder; answers the `to` Meta received. */
  async function replyReaches(org: TestOrg, caseNumber: number, text: string): Promise<unknown> {
    await h.request('POST', `/api/v1/records/${caseNumber}/lock`, { token: org.admin.token });
    expect((await h.reply(org, caseNumber, text)).status).toBe(202);
    // The text goes out with the case reference after it.
    const sent = () => meta.sent.find((s) => JSON.stringify(s.body).includes(text));
    await expect.poll(() => sent() !== undefined, { timeout: 5000 }).toBe(true);
    return sent()!.body.to;
  }

  it('a Brazilian writing with and without the ninth digit lands in one case, stored with it; replies go to the id WhatsApp used last', async () => {
    const { org, inbound } = await setup();
    await fromWhatsApp(inbound, BRAZIL_DIALLED, 'Preciso de ajuda');
    await fromWhatsApp(inbound, BRAZIL_WA_ID, 'Ainda estou aqui');
    const records = await h.records(org);
    expect(records).toEqual([expect.objectContaining({ contact: `+${BRAZIL_DIALLED}` })]);
    const n = records[0]!.caseNumber;
    expect(await h.conversation(org, n)).toEqual(['Preciso de ajuda', 'Ainda estou aqui']);
    expect(await replyReaches(org, n, `Estamos aqui ${randomUUID()}`)).toBe(BRAZIL_WA_ID);
    await fromWhatsApp(inbound, BRAZIL_DIALLED, 'Troquei de aparelho');
    expect(await replyReaches(org, n, `Certo ${randomUUID()}`)).toBe(BRAZIL_DIALLED);
  });

  it('writing first to +55 11 9xxxx-xxxx, then a message from the wa_id without the 9, is one case', async () => {
    const { org, whatsappNumberId, inbound } = await setup();
    const res = await writeFirst(org, whatsappNumberId, '+55 11 98765-4321');
    expect(res.status).toBe(201);
    await expect.poll(() => meta.sent.some((s) => s.body.to === BRAZIL_DIALLED), { timeout: 5000 }).toBe(true);
    await fromWhatsApp(inbound, BRAZIL_WA_ID, 'Recebi, obrigado');
    const records = await h.records(org);
    expect(records).toEqual([expect.objectContaining({ caseNumber: res.body.caseNumber, contact: `+${BRAZIL_DIALLED}` })]);
    expect(await h.conversation(org, res.body.caseNumber)).toEqual(['Olá Ana', 'Recebi, obrigado']);
    expect(await replyReaches(org, res.body.caseNumber, `Obrigado ${randomUUID()}`)).toBe(BRAZIL_WA_ID);
  });

  it('an Argentine writing with and without the 9 lands in one case, stored as Meta spells it', async () => {
    const { org, inbound } = await setup();
    await fromWhatsApp(inbound, ARGENTINA_WA_ID, 'Necesito ayuda');
    await fromWhatsApp(inbound, ARGENTINA_DIALLED, 'Sigo aquí');
    const records = await h.records(org);
    expect(records).toEqual([expect.objectContaining({ contact: `+${ARGENTINA_WA_ID}` })]);
    expect(await h.conversation(org, records[0]!.caseNumber)).toHaveLength(2);
    // Whichever spelling WhatsApp uses for the account, replies use it.
    expect(await replyReaches(org, records[0]!.caseNumber, `Hola ${randomUUID()}`)).toBe(ARGENTINA_DIALLED);
  });

  it('writing first to +54 9 11 …, then a message from the wa_id without the 9, is one case; Meta receives the wa_id', async () => {
    const { org, whatsappNumberId, inbound } = await setup();
    const res = await writeFirst(org, whatsappNumberId, '+54 9 11 5555-1234');
    expect(res.status).toBe(201);
    await expect.poll(() => meta.sent.some((s) => s.body.to === ARGENTINA_WA_ID), { timeout: 5000 }).toBe(true);
    await fromWhatsApp(inbound, ARGENTINA_WA_ID, 'Gracias');
    expect(await h.records(org)).toEqual([expect.objectContaining({ caseNumber: res.body.caseNumber, contact: `+${ARGENTINA_WA_ID}` })]);
  });

  it('on SMS a number is what it is: with and without the ninth digit are two contacts', async () => {
    const { org } = await setup();
    await h.text(org, `+${BRAZIL_WA_ID}`, 'one');
    await h.text(org, `+${BRAZIL_DIALLED}`, 'two');
    const contacts = (await h.records(org)).map((r) => r.contact).sort();
    expect(contacts).toEqual([`+${BRAZIL_WA_ID}`, `+${BRAZIL_DIALLED}`]);
  });

  it('a STOP from one spelling opts out the other: a reply to the case is refused', async () => {
    const { org, inbound } = await setup();
    await fromWhatsApp(inbound, BRAZIL_DIALLED, 'Olá');
    const [only] = await h.records(org);
    await fromWhatsApp(inbound, BRAZIL_WA_ID, 'STOP');
    expect((await h.record(org, only!.caseNumber)).optedOut).toBe(true);
    await h.request('POST', `/api/v1/records/${only!.caseNumber}/lock`, { token: org.admin.token });
    const refused = await h.reply(org, only!.caseNumber, 'Ainda precisa de ajuda?');
    expect([refused.status, refused.body.error.code]).toEqual([400, 'opted_out']);
  });

  it('a search and an erasure by either spelling find the WhatsApp case and the SMS case', async () => {
    const { org, whatsappNumberId, inbound } = await setup();
    await fromWhatsApp(inbound, BRAZIL_WA_ID, 'WhatsApp');
    await h.text(org, `+${BRAZIL_WA_ID}`, 'SMS');
    const found = await h.records(org, `status=all&contact=${encodeURIComponent('+55 11 98765-4321')}`);
    expect(found.map((r) => r.contact).sort()).toEqual([`+${BRAZIL_WA_ID}`, `+${BRAZIL_DIALLED}`]);
    const addresses = () =>
      h.caseline().db.kysely.selectFrom('whatsapp_addresses').select('address').where('number_id', '=', whatsappNumberId).execute();
    expect(await addresses()).toEqual([{ address: `+${BRAZIL_WA_ID}` }]);
    const erased = await h.request('POST', '/api/v1/contacts/erase', { token: org.admin.token, body: { contact: `+${BRAZIL_DIALLED}` } });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ records: 2, messages: 2 });
    expect(await addresses()).toEqual([]);
  });

  it('migration 016 rewrites contacts stored in the old spelling on WhatsApp numbers, and leaves SMS alone', async () => {
    const org = await h.newOrg({ channel: 'whatsapp' });
    const sms = await setup();
    const { db, services } = h.caseline();
    const whatsapp = await services.inbound.routable(org.numberId);
    const smsNumber = await services.inbound.routable(sms.org.numberId);
    const old = `+${BRAZIL_WA_ID}`;
    // Stored as they were before the rule: the contact handed in as the provider spelled it.
    const receive = (number: typeof whatsapp, from: string) =>
      services.inbound.receive(number, { providerMessageId: `wamid.${randomUUID()}`, from, text: 'before', media: [] }, from);
    await receive(whatsapp, old);
    await receive(whatsapp, `+${ARGENTINA_DIALLED}`);
    await receive(smsNumber, old);
    await recordOptOut(db.kysely, org.numberId, old, Date.now());
    await recordOptOut(db.kysely, org.numberId, `+${BRAZIL_DIALLED}`, Date.now());

    await db.kysely.transaction().execute(async (trx) => {
      await whatsappSpellings.down(trx);
      await whatsappSpellings.up(trx);
    });

    const contacts = (await h.records(org)).map((r) => r.contact).sort();
    expect(contacts).toEqual([`+${ARGENTINA_WA_ID}`, `+${BRAZIL_DIALLED}`]);
    const brazilCase = (await h.records(org)).find((r) => r.contact === `+${BRAZIL_DIALLED}`)!;
    expect((await h.record(org, brazilCase.caseNumber)).answers.phone).toBe(`+${BRAZIL_DIALLED}`);
    const messages = await db.kysely.selectFrom('messages').select('contact').where('number_id', '=', org.numberId).execute();
    expect(messages.map((m) => m.contact).sort()).toEqual([`+${ARGENTINA_WA_ID}`, `+${BRAZIL_DIALLED}`]);
    const optOuts = await db.kysely.selectFrom('opt_outs').select('contact').where('number_id', '=', org.numberId).execute();
    expect(optOuts).toEqual([{ contact: `+${BRAZIL_DIALLED}` }]);
    const kept = await db.kysely
      .selectFrom('whatsapp_addresses')
      .select(['contact', 'address'])
      .where('number_id', '=', org.numberId)
      .execute();
    expect(kept.sort((a, b) => a.contact.localeCompare(b.contact))).toEqual([
      { contact: `+${ARGENTINA_WA_ID}`, address: `+${ARGENTINA_DIALLED}` },
      { contact: `+${BRAZIL_DIALLED}`, address: old },
    ]);
    expect((await h.records(sms.org)).map((r) => r.contact)).toEqual([old]);

    // A message from the wa_id after the migration joins the rewritten case.
    await h.text(org, old, 'after');
    expect(await h.records(org)).toHaveLength(2);
  });
});
