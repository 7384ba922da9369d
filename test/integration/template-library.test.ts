import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { describeEachDialect } from '../support/dialects.js';
import {
  metaTemplate,
  startFakeWhatsAppCloud,
  signWhatsAppWebhook,
  whatsappInboundPayload,
  type FakeWhatsAppCloud,
} from '../support/fake-whatsapp-cloud.js';
import { pathOf, useCaseline, type TestOrg } from '../support/harness.js';

const PHONE_NUMBER_ID = '106540352242923';
const WABA_ID = '102290129340398';
const ACCESS_TOKEN = 'EAAJB3x7ZBqgYBO2fakeSystemUserToken4Templates';
const APP_SECRET = 'templates-app-secret';
const UNUSED_API = 'http://127.0.0.1:9';
const APPOINTMENT = {
  name: 'appointment',
  language: 'en_GB',
  body: 'Your appointment is on {{1}} at {{2}}.',
  parameters: ['Monday 3 June', '10:00'],
};
const LEGACY = { name: 'case_update', language: 'en_GB', parameters: ['{text}'] };

/** Template libraries per number (DESIGN.md §7 "Templates"): kept, chosen and filled, and synced from Meta. */
describeEachDialect('template libraries', (dialect) => {
  let meta: FakeWhatsAppCloud;
  beforeAll(async () => {
    meta = await startFakeWhatsAppCloud({
      phoneNumbers: { [PHONE_NUMBER_ID]: ACCESS_TOKEN },
      businessAccounts: { [WABA_ID]: ACCESS_TOKEN },
    });
  });
  afterAll(() => meta.close());
  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: UNUSED_API, vonage: UNUSED_API, whatsapp: meta.url, africastalking: UNUSED_API }),
    startOutbox: true,
    outbox: { pollMs: 20 },
  });

  async function whatsappNumber(org: TestOrg, extra: Record<string, unknown> = {}, credentials: Record<string, string> = {}) {
    return h.request('POST', '/api/v1/numbers', {
      token: org.admin.token,
      body: {
        provider: 'whatsapp-cloud',
        channel: 'whatsapp',
        ourNumber: '+15550783882',
        surveyId: org.surveyId,
        theirNumberQuestion: 'phone',
        conversationQuestion: 'conversation',
        sendRatePerSecond: 100,
        credentials: { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: 'v', ...credentials },
        ...extra,
      },
    });
  }
  const patch = (org: TestOrg, id: string, body: unknown) => h.request('PATCH', `/api/v1/numbers/${id}`, { token: org.admin.token, body });
  const sync = (token: string, id: string) => h.request('POST', `/api/v1/numbers/${id}/templates/sync`, { token });

  it('a number keeps a library; `template` reads back as its first entry, and part one’s `template` still writes it', async () => {
    const org = await h.newOrg();
    const created = await whatsappNumber(org, { templates: [APPOINTMENT] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      templates: [APPOINTMENT],
      template: { name: 'appointment', language: 'en_GB', parameters: APPOINTMENT.parameters },
    });
    const id = created.body.id;
    const legacy = await patch(org, id, { template: LEGACY });
    expect(legacy.body.templates).toEqual([{ ...LEGACY, body: '' }, APPOINTMENT]);
    expect(legacy.body.template).toEqual(LEGACY);
    // A patch without either keeps the library.
    expect((await patch(org, id, { multiCaseReply: 'Which case?' })).body.templates).toHaveLength(2);
    expect((await patch(org, id, { template: null })).body).toMatchObject({ template: null, templates: [] });
  });

  it('a library with a placeholder gap, a wrong parameter count, a duplicate, or both fields at once is refused and changes nothing', async () => {
    const org = await h.newOrg();
    const id = (await whatsappNumber(org, { templates: [APPOINTMENT] })).body.id;
    const bad = [
      { templates: [{ ...APPOINTMENT, body: 'On {{1}} at {{3}}' }] },
      { templates: [{ ...APPOINTMENT, parameters: ['only one'] }] },
      { templates: [APPOINTMENT, APPOINTMENT] },
      { templates: [APPOINTMENT], template: LEGACY },
    ];
    for (const body of bad) {
      const res = await patch(org, id, body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'validation_failed']);
    }
    expect((await h.request('GET', `/api/v1/numbers/${id}`, { token: org.admin.token })).body.templates).toEqual([APPOINTMENT]);
  });

  it('a reply with a chosen template stores the filled body and sends its values; an unknown one or a wrong count is refused', async () => {
    const org = await h.newOrg();
    const number = await whatsappNumber(org, { templates: [{ ...LEGACY, body: '' }, APPOINTMENT] });
    const contact = '447700900601';
    const delivery = signWhatsAppWebhook(whatsappInboundPayload({ phoneNumberId: PHONE_NUMBER_ID, from: contact, text: 'Hi' }), APP_SECRET);
    expect(
      (await h.request('POST', pathOf(number.body.webhooks.inbound), { rawBody: delivery.body, headers: delivery.headers })).status,
    ).toBe(200);
    const n = (await h.records(org)).find((r) => r.contact === `+${contact}`)!.caseNumber;
    await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
    const send = (template: unknown, text = '') =>
      h.request('POST', `/api/v1/records/${n}/notifications`, { token: org.admin.token, body: { target: 'conversation', text, template } });

    const chosen = await send({ name: 'appointment', language: 'en_GB', parameters: ['Friday', '14:30'] });
    expect(chosen.status).toBe(202);
    expect(chosen.body).toMatchObject({ text: 'Your appointment is on Friday at 14:30.', reference: null });
    await expect
      .poll(() => meta.sent.find((s) => JSON.stringify(s.body).includes('Friday'))?.body.template, { timeout: 5000 })
      .toEqual({
        name: 'appointment',
        language: { code: 'en_GB' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Friday' },
              { type: 'text', text: '14:30' },
            ],
          },
        ],
      });
    // `true` still sends the first template, filled from the typed text, as in part one.
    const first = await send(true, 'Please call us');
    expect(first.status).toBe(202);
    expect(first.body.text).toBe(`Please call us #${n}`);
    await expect
      .poll(
        () =>
          (meta.sent.find((s) => JSON.stringify(s.body).includes('Please call us'))?.body.template as { name: string } | undefined)?.name,
        { timeout: 5000 },
      )
      .toBe('case_update');

    const before = await h.count('outbox');
    expect((await send({ name: 'missing', language: 'en_GB', parameters: [] })).status).toBe(400);
    expect((await send({ name: 'appointment', language: 'en_GB', parameters: ['Friday'] })).status).toBe(400);
    expect(await h.count('outbox')).toBe(before);
  });

  it('a sync stores only the templates Meta has approved, across pages, keeping the first one first', async () => {
    const org = await h.newOrg();
    const number = await whatsappNumber(org, { templates: [APPOINTMENT] }, { businessAccountId: WABA_ID });
    expect(number.status).toBe(201);
    const filler = Array.from({ length: 110 }, (_, i) =>
      metaTemplate({ name: `notice_${String(i).padStart(3, '0')}`, body: 'Notice {{1}}', examples: [`${i}`] }),
    );
    meta.setTemplates(WABA_ID, [
      metaTemplate({ name: 'welcome', body: 'Welcome to the helpline.' }),
      metaTemplate({ name: 'pending_one', body: 'Not yet', status: 'PENDING' }),
      metaTemplate({ name: 'rejected_one', body: 'No {{1}}', examples: ['x'], status: 'REJECTED' }),
      metaTemplate({ name: 'named_params', body: 'Hi {{first_name}}', namedParameters: true }),
      ...filler,
      metaTemplate({ name: 'appointment', body: 'Your appointment is on {{1}} at {{2}}.', examples: ['Tuesday', '09:00'] }),
      metaTemplate({ name: 'no_examples', language: 'sw', body: 'Habari {{1}}' }),
    ]);
    const before = meta.requests.length;
    const res = await sync(org.admin.token, number.body.id);
    expect(res.status).toBe(200);
    const names = res.body.templates.map((t: { name: string }) => t.name);
    expect(names[0]).toBe('appointment');
    expect(names).toHaveLength(1 + 110 + 2);
    expect(names).toEqual(expect.arrayContaining(['welcome', 'no_examples', 'notice_000', 'notice_109']));
    expect(names).not.toEqual(expect.arrayContaining(['pending_one']));
    expect(names.filter((n: string) => ['pending_one', 'rejected_one', 'named_params'].includes(n))).toEqual([]);
    expect(res.body.templates[0]).toEqual({ ...APPOINTMENT, parameters: ['Tuesday', '09:00'] });
    expect(res.body.templates.find((t: { name: string }) => t.name === 'no_examples')).toEqual({
      name: 'no_examples',
      language: 'sw',
      body: 'Habari {{1}}',
      parameters: ['{{1}}'],
    });
    // 114 templates at 100 a page: two requests, the second with the first page's cursor.
    const asked = meta.requests.slice(before);
    expect(asked.map((r) => [r.method, r.path])).toEqual([
      ['GET', `/v21.0/${WABA_ID}/message_templates`],
      ['GET', `/v21.0/${WABA_ID}/message_templates`],
    ]);
    expect(asked[1]!.query.after).toBeTruthy();
    expect(asked[0]!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('a sync is refused without the business account id, for other providers, to analysts and other organisations; a Meta refusal changes nothing', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const stranger = await h.newOrg();
    const noAccount = (await whatsappNumber(org, { templates: [APPOINTMENT] })).body.id;
    const wrongAccount = (await whatsappNumber(org, { templates: [APPOINTMENT] }, { businessAccountId: '999999999' })).body.id;
    const answers = {
      noAccount: await sync(org.admin.token, noAccount),
      sandbox: await sync(org.admin.token, org.numberId),
      analyst: await sync(analyst.token, wrongAccount),
      stranger: await sync(stranger.admin.token, wrongAccount),
      metaRefuses: await sync(org.admin.token, wrongAccount),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, [r.status, r.body.error.code]]))).toEqual({
      noAccount: [400, 'validation_failed'],
      sandbox: [400, 'validation_failed'],
      analyst: [403, 'forbidden'],
      stranger: [404, 'not_found'],
      metaRefuses: [502, 'provider_failed'],
    });
    expect(answers.metaRefuses.body.error.message).toMatch(/does not exist/);
    for (const id of [noAccount, wrongAccount]) {
      expect((await h.request('GET', `/api/v1/numbers/${id}`, { token: org.admin.token })).body.templates).toEqual([APPOINTMENT]);
    }
  });
});
