import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { describeEachDialect } from '../support/dialects.js';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.js';
import { startFakeWhatsAppCloud, type FakeWhatsAppCloud } from '../support/fake-whatsapp-cloud.js';
import { useCaseline, type TestOrg } from '../support/harness.js';
import { addTwilioNumber } from '../support/twilio-number.js';

const PHONE_NUMBER_ID = '106540352242922';
const ACCESS_TOKEN = 'EAAJB3x7ZBqgYBO2fakeSystemUserToken4WriteFirst';
const CALLBACK = {
  name: 'callback_missed',
  language: 'en_GB',
  body: 'Hello {{1}}, we tried to call you about {{2}}. Reply to this message to talk to us.',
  parameters: ['name', 'topic'],
};

/** Writing first (DESIGN.md §7): a case opened by a worker, its first message queued and sent through the outbox. */
describeEachDialect('writing first', (dialect) => {
  let twilio: FakeTwilio;
  let meta: FakeWhatsAppCloud;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
    meta = await startFakeWhatsAppCloud({ phoneNumbers: { [PHONE_NUMBER_ID]: ACCESS_TOKEN } });
  });
  afterAll(async () => {
    await twilio.close();
    await meta.close();
  });
  const h = useCaseline(dialect, {
    providers: () => createProviderRegistry({ twilio: twilio.url, vonage: twilio.url, whatsapp: meta.url, africastalking: twilio.url }),
    startOutbox: true,
    outbox: { pollMs: 20 },
  });
  const writeFirst = (org: TestOrg, token: string, body: Record<string, unknown>, surveyId = org.surveyId) =>
    h.request('POST', `/api/v1/surveys/${surveyId}/records`, { token, body });

  async function whatsappNumber(org: TestOrg): Promise<string> {
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
        templates: [CALLBACK],
        credentials: { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: 'app-secret-1', verifyToken: 'verify-1' },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  it('opens a case locked by the writer, with the contact read in the number’s country, and the provider receives the message', async () => {
    const org = await h.newOrg();
    const analyst = await h.addUser(org.orgId, 'analyst');
    const numberId = await addTwilioNumber(h, org);
    const res = await writeFirst(org, analyst.token, { numberId, contact: '07700 900987', text: 'We are returning your call' });
    expect(res.status).toBe(201);
    const n = res.body.caseNumber;
    expect(res.body).toMatchObject({
      status: 'open',
      contact: '+447700900987',
      numberId,
      lockedBy: { id: analyst.id },
      answers: { phone: '+447700900987', status: 'new' },
      waitingSince: null,
    });
    expect(res.body.messages).toEqual([
      expect.objectContaining({
        direction: 'out',
        text: `We are returning your call #${n}`,
        author: expect.objectContaining({ id: analyst.id }),
      }),
    ]);
    await expect
      .poll(() => twilio.sent.find((s) => s.body.Body === `We are returning your call #${n}`)?.body.To, { timeout: 5000 })
      .toBe('+447700900987');
    await h.waitForStatus(org, n, 'sent');
    const history = (await h.request('GET', `/api/v1/records/${n}/history`, { token: analyst.token })).body.items;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['created', 'locked', 'message.out']);
    expect(history[0]).toMatchObject({ user: { id: analyst.id }, detail: { by: 'write-first', numberId } });
  });

  it("the person's answer carrying the reference joins the written-first case", async () => {
    const org = await h.newOrg();
    const res = await writeFirst(org, org.admin.token, { numberId: org.numberId, contact: '+447700900321', text: 'How are you?' });
    expect(res.status).toBe(201);
    const n = res.body.caseNumber;
    await h.text(org, '+447700900321', `Better, thanks #${n}`);
    expect(await h.conversation(org, n)).toEqual([`How are you? #${n}`, `Better, thanks #${n}`]);
    expect(await h.records(org)).toHaveLength(1);
  });

  it('outside the WhatsApp window free text is refused and nothing is created', async () => {
    const org = await h.newOrg();
    const numberId = await whatsappNumber(org);
    const before = await h.totals();
    const res = await writeFirst(org, org.admin.token, { numberId, contact: '+447700900555', text: 'Hello' });
    expect([res.status, res.body.error.code]).toEqual([400, 'window_closed']);
    expect(await h.totals()).toEqual(before);
  });

  it('outside the WhatsApp window a template is queued with its filled text, and Meta receives its name, language and values', async () => {
    const org = await h.newOrg();
    const numberId = await whatsappNumber(org);
    const res = await writeFirst(org, org.admin.token, {
      numberId,
      contact: '+447700900556',
      template: { name: CALLBACK.name, language: CALLBACK.language, parameters: ['Sam', 'your housing claim'] },
    });
    expect(res.status).toBe(201);
    const text = 'Hello Sam, we tried to call you about your housing claim. Reply to this message to talk to us.';
    expect(res.body.messages.map((m: { text: string }) => m.text)).toEqual([text]);
    expect(res.body.windowOpen).toBe(false);
    await expect
      .poll(() => meta.sent.find((s) => s.body.to === '447700900556')?.body, { timeout: 5000 })
      .toMatchObject({
        type: 'template',
        template: {
          name: CALLBACK.name,
          language: { code: 'en_GB' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Sam' },
                { type: 'text', text: 'your housing claim' },
              ],
            },
          ],
        },
      });
  });

  it('a template the number does not have, or with the wrong number of values, is refused', async () => {
    const org = await h.newOrg();
    const numberId = await whatsappNumber(org);
    const before = await h.totals();
    const attempt = (template: Record<string, unknown>) =>
      writeFirst(org, org.admin.token, { numberId, contact: '+447700900557', template });
    const unknown = await attempt({ name: 'nope', language: 'en_GB', parameters: [] });
    const wrongLanguage = await attempt({ name: CALLBACK.name, language: 'fr', parameters: ['a', 'b'] });
    const tooFew = await attempt({ name: CALLBACK.name, language: CALLBACK.language, parameters: ['Sam'] });
    const blank = await attempt({ name: CALLBACK.name, language: CALLBACK.language, parameters: ['Sam', '  '] });
    for (const res of [unknown, wrongLanguage, tooFew, blank])
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    expect(await h.totals()).toEqual(before);
  });

  it('a contact who opted out is not written to', async () => {
    const org = await h.newOrg();
    await h.text(org, '+447700900558', 'STOP');
    const before = await h.totals();
    const res = await writeFirst(org, org.admin.token, { numberId: org.numberId, contact: '+447700900558', text: 'Are you safe?' });
    expect([res.status, res.body.error.code]).toEqual([400, 'opted_out']);
    expect(await h.totals()).toEqual(before);
  });

  it('is refused for a viewer, a number of another survey or organisation, an archived number, a bad contact, or no text', async () => {
    const org = await h.newOrg();
    const viewer = await h.addUser(org.orgId, 'viewer');
    const stranger = await h.newOrg();
    const other = await h.request('POST', '/api/v1/surveys', {
      token: org.admin.token,
      body: { name: 'Other', questions: [{ name: 'phone', label: 'Phone', type: 'phone' }], caseManagement: null },
    });
    const body = { numberId: org.numberId, contact: '+447700900559', text: 'Hello' };
    const before = await h.totals();
    const answers = {
      viewer: await writeFirst(org, viewer.token, body),
      otherSurvey: await writeFirst(org, org.admin.token, body, other.body.id),
      otherOrg: await writeFirst(stranger, stranger.admin.token, body),
      badContact: await writeFirst(org, org.admin.token, { ...body, contact: 'not a number' }),
      noText: await writeFirst(org, org.admin.token, { ...body, text: '   ' }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, [r.status, r.body.error.code]]))).toEqual({
      viewer: [403, 'forbidden'],
      otherSurvey: [400, 'validation_failed'],
      otherOrg: [404, 'not_found'],
      badContact: [400, 'invalid_phone_number'],
      noText: [400, 'validation_failed'],
    });
    await h.request('DELETE', `/api/v1/numbers/${org.numberId}`, { token: org.admin.token });
    const archived = await writeFirst(org, org.admin.token, body);
    expect([archived.status, archived.body.error.code]).toEqual([409, 'number_archived']);
    expect(await h.totals()).toEqual(before);
  });
});
