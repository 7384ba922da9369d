import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Harness, TestOrg, TestUser } from './harness.js';
import type { VonageApplication } from './fake-vonage.js';

/**
 * What the outbound attachment tests share (DESIGN.md §6): uploads through `POST /media`,
 * numbers of every provider, and open cases to reply from.
 */

export const TWILIO_ACCOUNT = { accountSid: `AC${'7a'.repeat(16)}`, authToken: 'b1946ac92492d2347c6235b4d2611184' };
export const META_NUMBER = { phoneNumberId: '106540352242922', accessToken: 'EAAJB3x7ZBqgYBOfakeTokenForOutboundMedia' };

export type NumberKind =
  'twilio-sms' | 'twilio-whatsapp' | 'vonage-sms' | 'vonage-whatsapp' | 'whatsapp-cloud' | 'africastalking' | 'sandbox';

export interface UploadAnswer {
  id: string;
  contentType: string;
  size: number;
  name: string | null;
}

/** A file to upload: its bytes, its name, and the type the browser declares. */
export interface FileToSend {
  bytes: Buffer;
  name: string;
  type: string;
}

/** A GIF's signature and some pixels: an image Twilio's MMS takes and WhatsApp does not. */
export function gif(): FileToSend {
  const header = Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0]);
  return { bytes: Buffer.concat([header, randomBytes(64)]), name: 'map.gif', type: 'image/gif' };
}

/** Uploads a file as the console does: multipart, field `file`. */
export async function upload(h: Harness, user: TestUser, file: FileToSend): Promise<UploadAnswer> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  const res = await h.request('POST', '/api/v1/media', {
    token: user.token,
    rawBody: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')! },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as UploadAnswer;
}

/** Adds a number of `kind` to the organisation's survey, with credentials the fakes accept. */
export async function addNumber(h: Harness, org: TestOrg, kind: NumberKind, vonage: VonageApplication): Promise<string> {
  const settings: Record<NumberKind, { provider: string; channel: string; ourNumber: string; credentials: object }> = {
    'twilio-sms': { provider: 'twilio', channel: 'sms', ourNumber: '+447700900001', credentials: TWILIO_ACCOUNT },
    'twilio-whatsapp': { provider: 'twilio', channel: 'whatsapp', ourNumber: '+14155238886', credentials: TWILIO_ACCOUNT },
    'vonage-sms': { provider: 'vonage', channel: 'sms', ourNumber: '+447700900002', credentials: vonageCredentials(vonage) },
    'vonage-whatsapp': { provider: 'vonage', channel: 'whatsapp', ourNumber: '+447700900003', credentials: vonageCredentials(vonage) },
    'whatsapp-cloud': {
      provider: 'whatsapp-cloud',
      channel: 'whatsapp',
      ourNumber: '+15550783881',
      credentials: { ...META_NUMBER, appSecret: 'app-secret-1', verifyToken: 'verify-1' },
    },
    africastalking: {
      provider: 'africastalking',
      channel: 'sms',
      ourNumber: '+254711082000',
      credentials: { username: 'sandbox', apiKey: 'at-key-1' },
    },
    sandbox: { provider: 'sandbox', channel: 'sms', ourNumber: '+447700900004', credentials: { webhookSecret: `secret-${randomUUID()}` } },
  };
  const res = await h.request('POST', '/api/v1/numbers', {
    token: org.admin.token,
    body: {
      ...settings[kind],
      surveyId: org.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: 100,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

function vonageCredentials(application: VonageApplication) {
  return { applicationId: application.applicationId, privateKey: application.privateKey, signatureSecret: 'vonage-signature-secret-1234' };
}

/** A case opened by a message from `contact` (which also opens WhatsApp's window), locked by the admin. */
export async function openCase(h: Harness, org: TestOrg, numberId: string, contact = '+447700900123'): Promise<number> {
  const loaded = await h.caseline().services.inbound.routable(numberId);
  const { caseNumbers } = await h
    .caseline()
    .services.inbound.receive(
      loaded,
      { providerMessageId: `in-${randomUUID()}`, from: contact, text: 'Can you send me the form?', media: [] },
      contact,
    );
  const n = caseNumbers[0]!;
  expect((await h.request('POST', `/api/v1/records/${n}/lock`, { token: org.admin.token })).status).toBe(200);
  return n;
}

/** A reply with attachments, as the console sends it. */
export function replyWith(h: Harness, org: TestOrg, caseNumber: number, text: string, media: string[]) {
  return h.request('POST', `/api/v1/records/${caseNumber}/notifications`, {
    token: org.admin.token,
    body: { target: 'conversation', text, media },
  });
}

/** Rows that a refused send must not have added. */
export async function written(h: Harness) {
  const { kysely } = h.caseline().db;
  const count = async (table: 'messages' | 'outbox' | 'media' | 'records') =>
    Number(
      (
        await kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { messages: await count('messages'), outbox: await count('outbox'), media: await count('media'), records: await count('records') };
}
