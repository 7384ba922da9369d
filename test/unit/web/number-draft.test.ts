import { describe, expect, it } from 'vitest';
import type { PhoneNumber, Survey } from '../../../src/web/src/api/types.js';
import { defaultQuestions, draftFromNumber, newNumberDraft, numberRequestBody } from '../../../src/web/src/screens/admin/number-draft.js';
import { CREDENTIAL_FIELDS, PROVIDERS } from '../../../src/web/src/screens/admin/providers.js';
import { isUnreachableFromInternet } from '../../../src/web/src/screens/admin/webhook-address.js';

const survey: Survey = {
  id: 's1',
  name: 'Helpline',
  questions: [
    { name: 'topic', label: 'Topic', type: 'text' },
    { name: 'contact', label: 'Contact', type: 'phone' },
    { name: 'conversation', label: 'Conversation', type: 'conversation' },
  ],
  caseManagement: null,
  autoAssign: false,
  businessHours: null,
  alerts: null,
  autoClose: null,
  retention: null,
};

const saved: PhoneNumber = {
  id: 'n1',
  provider: 'twilio',
  channel: 'whatsapp',
  ourNumber: '+447700900123',
  surveyId: 's1',
  theirNumberQuestion: 'contact',
  conversationQuestion: 'conversation',
  multiCaseReply: null,
  acknowledgement: null,
  sendRatePerSecond: 1,
  template: { name: 'hello', language: 'en_GB', parameters: ['{text}', 'x'] },
  webhooks: { inbound: 'https://example.test/in', status: 'https://example.test/status' },
  webhookTokenIsId: false,
  allowedIps: null,
  archivedAt: null,
  templates: [
    { name: 'hello', language: 'en_GB', body: '', parameters: ['{text}', 'x'] },
    { name: 'appointment', language: 'sw', body: 'Miadi yako ni {{1}}', parameters: ['Jumatatu, 3 Juni'] },
  ],
};

describe('the number form', () => {
  it('offers every provider once', () => {
    expect(PROVIDERS).toEqual(['sandbox', 'twilio', 'vonage', 'whatsapp-cloud', 'africastalking']);
  });

  it("a new number starts on the sandbox, wired to the survey's phone and conversation questions", () => {
    expect(newNumberDraft(survey)).toMatchObject({
      provider: 'sandbox',
      channel: 'sms',
      surveyId: 's1',
      theirNumberQuestion: 'contact',
      conversationQuestion: 'conversation',
    });
    expect(defaultQuestions(undefined)).toEqual({ theirNumberQuestion: '', conversationQuestion: '' });
  });

  it('editing a saved number sends back what it showed, with the provider fixed and credentials kept', () => {
    const body = numberRequestBody(draftFromNumber(saved), {
      editing: true,
      surveyId: 's1',
      credentialFields: CREDENTIAL_FIELDS.twilio,
    });
    expect(body).toEqual({
      channel: 'whatsapp',
      ourNumber: '+447700900123',
      surveyId: 's1',
      theirNumberQuestion: 'contact',
      conversationQuestion: 'conversation',
      multiCaseReply: null,
      acknowledgement: null,
      templates: saved.templates,
      sendRatePerSecond: 1,
    });
  });

  it('the template library is edited as rows: parameters one a line, a row without a name left out, an empty language English', () => {
    const draft = draftFromNumber(saved);
    expect(draft.templates[1]).toEqual({
      name: 'appointment',
      language: 'sw',
      body: 'Miadi yako ni {{1}}',
      parameters: 'Jumatatu, 3 Juni',
    });
    const edited = {
      ...draft,
      templates: [
        ...draft.templates,
        { name: ' callback ', language: '', body: 'Hi {{1}}, {{2}}', parameters: ' Sam \n\nMonday, 10:00 ' },
        { name: '', language: 'en', body: 'x', parameters: '' },
      ],
    };
    const body = numberRequestBody(edited, { editing: true, surveyId: 's1', credentialFields: [] });
    expect(body.templates).toEqual([
      ...saved.templates,
      { name: 'callback', language: 'en', body: 'Hi {{1}}, {{2}}', parameters: ['Sam', 'Monday, 10:00'] },
    ]);
  });

  it('an empty send rate keeps the default, and a template goes only with WhatsApp', () => {
    const draft = { ...newNumberDraft(survey), templates: [{ name: 'hello', language: 'en', body: '', parameters: '' }] };
    const body = numberRequestBody(draft, { editing: false, surveyId: 's1', credentialFields: CREDENTIAL_FIELDS.sandbox });
    expect(body).not.toHaveProperty('sendRatePerSecond');
    expect(body).not.toHaveProperty('templates');
    expect(body).not.toHaveProperty('template');
    expect(body.provider).toBe('sandbox');
    expect(body).not.toHaveProperty('credentials');
  });

  it('a new provider number sends its trimmed credentials, leaving out empty ones', () => {
    const draft = { ...newNumberDraft(survey), provider: 'twilio' as const, credentials: { accountSid: ' AC1 ', authToken: '' } };
    const body = numberRequestBody(draft, { editing: false, surveyId: 's1', credentialFields: CREDENTIAL_FIELDS.twilio });
    expect(body.credentials).toEqual({ accountSid: 'AC1' });
    expect(body).not.toHaveProperty('allowedIps');
  });

  it("an Africa's Talking number sends its allow-list as a list, one entry a line or comma separated", () => {
    const stored: PhoneNumber = {
      ...saved,
      provider: 'africastalking',
      channel: 'sms',
      template: null,
      allowedIps: ['10.0.0.0/8', '196.201.214.200'],
    };
    const draft = draftFromNumber(stored);
    expect(draft.allowedIps).toBe('10.0.0.0/8\n196.201.214.200');
    const edited = { ...draft, allowedIps: ' 10.0.0.0/8\n196.201.214.200, 2001:db8::/32 \n\n' };
    const body = numberRequestBody(edited, { editing: true, surveyId: 's1', credentialFields: CREDENTIAL_FIELDS.africastalking });
    expect(body.allowedIps).toEqual(['10.0.0.0/8', '196.201.214.200', '2001:db8::/32']);
    expect(numberRequestBody({ ...draft, allowedIps: '' }, { editing: true, surveyId: 's1', credentialFields: [] }).allowedIps).toEqual([]);
  });
});

describe('webhook addresses', () => {
  it('a URL on localhost, a private or loopback address, or a name without a dot is flagged as unreachable', () => {
    for (const url of [
      'http://localhost:3000/webhooks/x/y',
      'http://127.0.0.1:3000/w',
      'http://[::1]:3000/w',
      'http://10.1.2.3/w',
      'http://192.168.0.5/w',
      'http://172.20.0.2/w',
      'http://caseline:3000/w',
      'http://box.local/w',
    ]) {
      expect(isUnreachableFromInternet(url), url).toBe(true);
    }
    for (const url of ['https://cases.example.org/webhooks/x/y', 'https://203.0.113.10/w', 'https://172.32.0.1/w']) {
      expect(isUnreachableFromInternet(url), url).toBe(false);
    }
  });
});
