import { describe, expect, it } from 'vitest';
import type { PhoneNumber, Survey } from '../../../src/web/src/api/types.js';
import {
  defaultQuestions,
  draftFromNumber,
  newNumberDraft,
  numberRequestBody,
} from '../../../src/web/src/screens/admin/number-draft.js';
import { CREDENTIAL_FIELDS, PROVIDERS } from '../../../src/web/src/screens/admin/providers.js';

const survey: Survey = {
  id: 's1',
  name: 'Helpline',
  questions: [
    { name: 'topic', label: 'Topic', type: 'text' },
    { name: 'contact', label: 'Contact', type: 'phone' },
    { name: 'conversation', label: 'Conversation', type: 'conversation' },
  ],
  caseManagement: null,
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
  sendRatePerSecond: 1,
  template: { name: 'hello', language: 'en_GB', parameters: ['{text}', 'x'] },
  webhooks: { inbound: 'https://example.test/in', status: 'https://example.test/status' },
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
      template: { name: 'hello', language: 'en_GB', parameters: ['{text}', 'x'] },
      sendRatePerSecond: 1,
    });
  });

  it('an empty send rate keeps the default, and a template goes only with WhatsApp', () => {
    const draft = { ...newNumberDraft(survey), templateName: 'hello' };
    const body = numberRequestBody(draft, { editing: false, surveyId: 's1', credentialFields: CREDENTIAL_FIELDS.sandbox });
    expect(body).not.toHaveProperty('sendRatePerSecond');
    expect(body.template).toBeNull();
    expect(body.provider).toBe('sandbox');
    expect(body).not.toHaveProperty('credentials');
  });

  it('a new provider number sends its trimmed credentials, leaving out empty ones', () => {
    const draft = { ...newNumberDraft(survey), provider: 'twilio' as const, credentials: { accountSid: ' AC1 ', authToken: '' } };
    const body = numberRequestBody(draft, { editing: false, surveyId: 's1', credentialFields: CREDENTIAL_FIELDS.twilio });
    expect(body.credentials).toEqual({ accountSid: 'AC1' });
  });
});
