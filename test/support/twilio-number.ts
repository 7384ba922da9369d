import { randomBytes, randomUUID } from 'node:crypto';
import type { Harness, TestOrg } from './harness.js';

/** Twilio-shaped credentials that the fake Twilio accepts. */
export function twilioCredentials() {
  return { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
}

/** Adds a Twilio SMS number to the organisation's survey and returns its id. */
export async function addTwilioNumber(h: Harness, org: TestOrg, options: { sendRatePerSecond?: number } = {}): Promise<string> {
  const res = await h.request('POST', '/api/v1/numbers', {
    token: org.admin.token,
    body: {
      provider: 'twilio',
      channel: 'sms',
      ourNumber: '+447700900001',
      surveyId: org.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: options.sendRatePerSecond ?? 100,
      credentials: twilioCredentials(),
    },
  });
  if (res.status !== 201) throw new Error(`twilio number: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Opens a case per contact on the number (through the receive service, as a verified
 * webhook would), locks it, and replies `reply <i>`; returns the replies' message ids.
 */
export async function queueReplies(h: Harness, org: TestOrg, numberId: string, count: number): Promise<string[]> {
  const loaded = await h.caseline().services.inbound.routable(numberId);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const contact = `+4477009003${String(i).padStart(2, '0')}`;
    const { caseNumbers } = await h
      .caseline()
      .services.inbound.receive(
        loaded,
        { providerMessageId: `SM${randomUUID().replaceAll('-', '')}`, from: contact, text: `help ${i}`, media: [] },
        contact,
      );
    const n = caseNumbers[0]!;
    await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token });
    const reply = await h.request('POST', `/api/v1/records/${n}/notifications`, {
      token: org.admin.token,
      body: { target: 'conversation', text: `reply ${i}` },
    });
    if (reply.status !== 202) throw new Error(`reply: ${JSON.stringify(reply.body)}`);
    ids.push(reply.body.id);
  }
  return ids;
}
