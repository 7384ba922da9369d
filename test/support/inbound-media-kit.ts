import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ProviderRegistry } from '../../src/providers/provider.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import type { FakeMediaHost } from './fake-media-host.js';
import { signTwilioWebhook, startFakeTwilio, twilioInboundFields, type FakeTwilio } from './fake-twilio.js';
import { signVonageWebhook, startFakeVonage, vonageApplication, vonageInboundBody, type FakeVonage } from './fake-vonage.js';
import { signWhatsAppWebhook, startFakeWhatsAppCloud, whatsappInboundPayload, type FakeWhatsAppCloud } from './fake-whatsapp-cloud.js';
import { pathOf, type Harness, type TestOrg } from './harness.js';
import type { MediaFile } from './media-files.js';

/**
 * What the inbound media tests share (DESIGN.md §6): the three fake providers that send
 * media to fetch, a WhatsApp number on each, and a signed inbound message carrying a file
 * kept at the fake, in each provider's real form.
 */
export const TWILIO = { accountSid: `AC${'7d'.repeat(16)}`, authToken: 'b1946ac92492d2347c6235b4d2611184' };
export const VONAGE = { ...vonageApplication(), signatureSecret: 'vonage-signature-secret-Qm3Rt8Zx2P' };
export const META = {
  phoneNumberId: '106540352242977',
  accessToken: 'EAAJB3x7ZBqgYBO2fakeMediaToken4Caseline',
  appSecret: '9a8b7c6d5e4f30211f2e3d4c5b6a7980',
  verifyToken: 'caseline-verify-media',
};
const UNUSED_API = 'http://127.0.0.1:9';

export type MediaProvider = 'twilio' | 'vonage' | 'whatsapp-cloud';

export interface MediaFakes {
  twilio: FakeTwilio;
  vonage: FakeVonage;
  meta: FakeWhatsAppCloud;
}

/** Starts the three fakes before the test file's Caseline and stops them after it. */
export function useMediaFakes(): { fakes: () => MediaFakes; registry: () => ProviderRegistry } {
  const state: Partial<MediaFakes> = {};
  beforeAll(async () => {
    state.twilio = await startFakeTwilio({ accounts: { [TWILIO.accountSid]: TWILIO.authToken } });
    state.vonage = await startFakeVonage({ applications: { [VONAGE.applicationId]: VONAGE.publicKey } });
    state.meta = await startFakeWhatsAppCloud({ phoneNumbers: { [META.phoneNumberId]: META.accessToken } });
  });
  afterAll(async () => {
    await Promise.all([state.twilio?.close(), state.vonage?.close(), state.meta?.close()]);
  });
  const fakes = () => state as MediaFakes;
  return {
    fakes,
    registry: () =>
      createProviderRegistry({
        twilio: fakes().twilio.url,
        vonage: fakes().vonage.url,
        whatsapp: fakes().meta.url,
        africastalking: UNUSED_API,
      }),
  };
}

/** A webhook that carried a file, and where the fake keeps that file's bytes. */
export interface SentMedia {
  status: number;
  /** The provider's media host: what it served, and where faults are set. */
  host: FakeMediaHost;
  /** The file's path and query on `host`. */
  target: string;
}

export interface MediaChannel {
  provider: MediaProvider;
  /** Adds a WhatsApp number of the provider to the organisation; answers its inbound webhook path. */
  addNumber(h: Harness, org: TestOrg): Promise<string>;
  /** Keeps `file` at the fake and posts a signed inbound message carrying it, as the provider would. */
  receive(h: Harness, webhookPath: string, file: MediaFile, caption?: string): Promise<SentMedia>;
}

const ALICE = '447700900123';

async function addNumber(h: Harness, org: TestOrg, provider: MediaProvider, ourNumber: string, credentials: unknown): Promise<string> {
  const res = await h.request('POST', '/api/v1/numbers', {
    token: org.admin.token,
    body: {
      provider,
      channel: 'whatsapp',
      ourNumber,
      surveyId: org.surveyId,
      theirNumberQuestion: 'phone',
      conversationQuestion: 'conversation',
      sendRatePerSecond: 100,
      credentials,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return pathOf(res.body.webhooks.inbound);
}

const hosted = (file: MediaFile) => ({ bytes: file.bytes, contentType: file.contentType, contentLength: !file.chunked });

async function post(h: Harness, path: string, delivery: { headers: Record<string, string>; body: string }) {
  return (await h.request('POST', path, { rawBody: delivery.body, headers: delivery.headers })).status;
}

export function mediaChannels(fakes: () => MediaFakes): MediaChannel[] {
  const twilio: MediaChannel = {
    provider: 'twilio',
    addNumber: (h, org) => addNumber(h, org, 'twilio', 'whatsapp:+14155238886', TWILIO),
    async receive(h, path, file, caption = '') {
      const kept = fakes().twilio.addMedia(TWILIO.accountSid, hosted(file));
      const fields = twilioInboundFields({
        from: `whatsapp:+${ALICE}`,
        to: 'whatsapp:+14155238886',
        text: caption,
        accountSid: TWILIO.accountSid,
        media: [{ url: kept.url, contentType: kept.contentType }],
      });
      const status = await post(h, path, signTwilioWebhook(`https://caseline.test${path}`, fields, TWILIO.authToken));
      return { status, host: fakes().twilio.storage, target: kept.stored };
    },
  };
  const vonage: MediaChannel = {
    provider: 'vonage',
    addNumber: (h, org) =>
      addNumber(h, org, 'vonage', '+14157386102', {
        applicationId: VONAGE.applicationId,
        privateKey: VONAGE.privateKey,
        signatureSecret: VONAGE.signatureSecret,
      }),
    async receive(h, path, file, caption) {
      const kept = fakes().vonage.addMedia(VONAGE.applicationId, hosted(file));
      const type = file.kind === 'document' ? 'file' : file.kind;
      const body = vonageInboundBody({
        from: ALICE,
        to: '14157386102',
        channel: 'whatsapp',
        media: { type, url: kept.url, ...(caption ? { caption } : {}), ...(file.name ? { name: file.name } : {}) },
      });
      const signing = { signatureSecret: VONAGE.signatureSecret, applicationId: VONAGE.applicationId };
      return { status: await post(h, path, signVonageWebhook(body, signing)), host: fakes().vonage.mediaHost, target: kept.target };
    },
  };
  const meta: MediaChannel = {
    provider: 'whatsapp-cloud',
    addNumber: (h, org) => addNumber(h, org, 'whatsapp-cloud', '+15550783881', META),
    async receive(h, path, file, caption) {
      const kept = fakes().meta.addMedia(META.phoneNumberId, hosted(file));
      const payload = whatsappInboundPayload({
        phoneNumberId: META.phoneNumberId,
        from: ALICE,
        messageId: `wamid.${randomUUID()}`,
        media: {
          type: file.kind,
          id: kept.id,
          mimeType: file.contentType,
          caption,
          filename: file.name,
          voice: file.kind === 'audio',
        },
      });
      return {
        status: await post(h, path, signWhatsAppWebhook(payload, META.appSecret)),
        host: fakes().meta.lookaside,
        target: kept.target,
      };
    },
  };
  return [twilio, vonage, meta];
}

/** Runs the job worker until nothing is due. */
export async function drainJobs(h: Harness): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    if ((await h.caseline().jobs.runOnce()) === 0) return;
  }
  throw new Error('jobs kept coming');
}

/** Makes every job that waits for a retry due now, as if its backoff had passed. */
export async function skipBackoff(h: Harness): Promise<void> {
  await h.caseline().db.kysely.updateTable('jobs').set({ due_at: 0 }).where('state', '=', 'pending').execute();
}

/** The media of the newest message of the organisation's only case. */
export async function latestMedia(h: Harness, org: TestOrg) {
  const [first] = await h.records(org);
  const record = await h.record(org, first!.caseNumber);
  return record.messages.at(-1).media as Array<{
    id: string;
    status: string;
    contentType: string | null;
    size: number | null;
    name: string | null;
    url: string;
    error: { code: string | null; message: string } | null;
  }>;
}

/** `GET /api/v1/media/{id}` with its bytes as they came. */
export async function download(h: Harness, url: string, token: string) {
  const res = await h.caseline().app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload };
}
