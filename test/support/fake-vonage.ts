import { createHash, createHmac, generateKeyPairSync, randomUUID, verify as verifySignature } from 'node:crypto';
import {
  deliverWebhook,
  startFakeServer,
  type FakeReply,
  type FakeServer,
  type RecordedRequest,
  type SentRequest,
  type WebhookDelivery,
  type WebhookResponse,
} from './fake-server.js';
import { startFakeMediaHost, type FakeMediaHost, type HostedFile } from './fake-media-host.js';
import { fetchAsProvider, type ProviderFetch } from './provider-media-fetch.js';

/** The media messages of Messages API v1: each names its file by `url`. */
const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'file']);

/**
 * A fake Vonage Messages API v1 (`POST /v1/messages`, RS256 application JWT) that also
 * plays Vonage's signed webhooks: HS256 JWTs over the signature secret, with the claims
 * Vonage sets (iat, jti, iss "Vonage", payload_hash, api_key, application_id).
 */

export type VonageSendBody = Record<string, unknown>;

export interface VonageApplication {
  applicationId: string;
  privateKey: string;
  publicKey: string;
}

export interface FakeVonageOptions {
  /** applicationId → public key (PEM). When given, tokens of other applications get a 401. */
  applications?: Record<string, string>;
}

export interface VonageWebhookSigning {
  signatureSecret: string;
  applicationId: string;
  apiKey?: string;
  /** Seconds since the epoch; now unless a test wants an old token. */
  issuedAt?: number;
}

export interface VonageInboundInput {
  /** Digits, without `+`, as Vonage writes them. */
  from: string;
  to: string;
  channel?: 'sms' | 'whatsapp';
  text?: string;
  image?: { url: string; caption?: string };
  /** Any media kind, as Vonage posts it: `{url, caption}`, and `name` on a file. */
  media?: { type: 'image' | 'audio' | 'video' | 'file' | 'sticker'; url: string; caption?: string; name?: string };
  profileName?: string;
  messageUuid?: string;
}

export type VonageStatus = 'submitted' | 'delivered' | 'read' | 'rejected' | 'undeliverable';

export interface VonageStatusInput {
  messageUuid: string;
  status: VonageStatus;
  to: string;
  from: string;
  channel?: 'sms' | 'whatsapp';
  clientRef?: string;
  error?: { code: number; detail: string };
}

export interface FakeVonage extends FakeServer {
  /** Sends Vonage accepted, with the JSON body as received; `id` is the message_uuid it answered. */
  sent: SentRequest<VonageSendBody>[];
  postInbound(webhookUrl: string, input: VonageInboundInput, signing: VonageWebhookSigning): Promise<WebhookResponse>;
  /** A status for a message this fake accepted, to its `webhook_url` (or `options.url`). */
  postStatus(
    messageUuid: string,
    status: VonageStatus,
    signing: VonageWebhookSigning,
    options?: { error?: { code: number; detail: string }; url?: string },
  ): Promise<WebhookResponse>;
  /** Each file fetched from the URL of a media send (image, audio, video, file), in order. */
  mediaFetched: ProviderFetch[];
  /** Where Vonage keeps inbound media (`/v3/media/{uuid}`), served to the application's RS256 JWT only. */
  mediaHost: FakeMediaHost;
  /** Keeps a file a person sent to the application's number; answers its URL and its path on `mediaHost`. */
  addMedia(applicationId: string, file: HostedFile): { url: string; target: string };
}

/** A Vonage application's key pair, as the dashboard generates it. */
export function vonageApplication(applicationId: string = randomUUID()): VonageApplication {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    applicationId,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The token Vonage puts in `Authorization: Bearer` of a signed webhook. */
export function vonageWebhookToken(rawBody: string, signing: VonageWebhookSigning): string {
  const header = base64url({ alg: 'HS256', typ: 'JWT' });
  const claims = base64url({
    iat: signing.issuedAt ?? Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(rawBody).digest('hex'),
    api_key: signing.apiKey ?? 'abcd1234',
    application_id: signing.applicationId,
  });
  const signature = createHmac('sha256', signing.signatureSecret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

export function signVonageWebhook(body: unknown, signing: VonageWebhookSigning): WebhookDelivery {
  const raw = JSON.stringify(body);
  return {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${vonageWebhookToken(raw, signing)}` },
    body: raw,
  };
}

/** An inbound message in Messages API v1 format. */
export function vonageInboundBody(input: VonageInboundInput): Record<string, unknown> {
  const channel = input.channel ?? 'sms';
  const body: Record<string, unknown> = {
    channel,
    message_uuid: input.messageUuid ?? randomUUID(),
    to: input.to,
    from: input.from,
    timestamp: new Date().toISOString(),
  };
  if (input.media) {
    const { type, ...content } = input.media;
    body.message_type = type;
    body[type] = content;
  } else if (input.image) {
    body.message_type = 'image';
    body.image = input.image;
  } else {
    body.message_type = 'text';
    body.text = input.text ?? '';
  }
  if (channel === 'sms') {
    body.sms = { num_messages: '1' };
    body.usage = { price: '0.0057', currency: 'EUR' };
  } else {
    body.context_status = 'none';
    if (input.profileName) body.profile = { name: input.profileName };
  }
  return body;
}

/** A message status in Messages API v1 format. */
export function vonageStatusBody(input: VonageStatusInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    message_uuid: input.messageUuid,
    to: input.to,
    from: input.from,
    timestamp: new Date().toISOString(),
    status: input.status,
    channel: input.channel ?? 'sms',
    usage: { currency: 'EUR', price: '0.0333' },
  };
  if (input.clientRef) body.client_ref = input.clientRef;
  if (input.error) {
    body.error = {
      type: `https://developer.vonage.com/api-errors/messages#${input.error.code}`,
      title: input.error.code,
      detail: input.error.detail,
      instance: randomUUID(),
    };
  }
  return body;
}

export function vonageProblem(status: number, slug: string, title: string, detail: string, extra = {}): FakeReply {
  return {
    status,
    body: { type: `https://developer.vonage.com/api-errors${slug}`, title, detail, instance: randomUUID(), ...extra },
  };
}

export async function startFakeVonage(options: FakeVonageOptions = {}): Promise<FakeVonage> {
  const sent: SentRequest<VonageSendBody>[] = [];
  const mediaFetched: ProviderFetch[] = [];
  const mediaHost = await startFakeMediaHost();

  const server = await startFakeServer({
    failure: (kind) =>
      kind === '429'
        ? {
            ...vonageProblem(429, '#throttled', 'Rate Limit Hit', 'Please wait, then retry your request'),
            headers: { 'retry-after': '2' },
          }
        : vonageProblem(500, '#internal-error', 'Internal Error', 'Something went wrong on our side'),

    async handle(request: RecordedRequest): Promise<FakeReply> {
      if (request.method !== 'POST' || request.path !== '/v1/messages') {
        return vonageProblem(404, '#not-found', 'Not Found', `No route for ${request.path}`);
      }
      if (!authorised(request.headers.authorization, options.applications)) {
        return vonageProblem(401, '#unauthorized', 'Unauthorized', 'You did not provide correct credentials.');
      }
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as VonageSendBody;
      const invalid = invalidParameters(body);
      if (invalid.length > 0) {
        return vonageProblem(422, '/messages#1150', 'Invalid params', 'The value of one or more parameters is invalid.', {
          invalid_parameters: invalid,
        });
      }
      const uuid = randomUUID();
      // Vonage fetches a media message's file from its URL.
      const mediaUrl = (body[String(body.message_type)] as { url?: unknown } | undefined)?.url;
      if (MEDIA_TYPES.has(String(body.message_type)) && typeof mediaUrl === 'string') {
        mediaFetched.push(await fetchAsProvider(uuid, mediaUrl));
      }
      sent.push({ ...request, body, id: uuid });
      return { status: 202, body: { message_uuid: uuid } };
    },
  });

  return {
    ...server,
    sent,
    mediaFetched,
    mediaHost,
    addMedia(applicationId, file) {
      const target = `/v3/media/${randomUUID()}`;
      // The application's own JWT, signed by its private key when the fake knows the public one.
      const url = mediaHost.serve(
        target,
        file,
        (request) =>
          tokenApplication(request.headers.authorization) === applicationId &&
          authorised(request.headers.authorization, options.applications),
      );
      return { url, target };
    },
    async close() {
      await mediaHost.close();
      await server.close();
    },
    postInbound(webhookUrl, input, signing) {
      return deliverWebhook(webhookUrl, signVonageWebhook(vonageInboundBody(input), signing));
    },
    postStatus(messageUuid, status, signing, statusOptions = {}) {
      const message = sent.find((item) => item.id === messageUuid);
      if (!message) throw new Error(`fake Vonage never accepted ${messageUuid}`);
      const url = statusOptions.url ?? (message.body.webhook_url as string | undefined);
      if (!url) throw new Error(`the send of ${messageUuid} had no webhook_url; pass options.url`);
      const body = vonageStatusBody({
        messageUuid,
        status,
        to: String(message.body.to),
        from: String(message.body.from),
        channel: message.body.channel as 'sms' | 'whatsapp',
        clientRef: message.body.client_ref as string | undefined,
        error: statusOptions.error,
      });
      return deliverWebhook(url, signVonageWebhook(body, signing));
    },
  };
}

/** An RS256 JWT carrying an application_id, signed by that application's key when known. */
function authorised(header: string | undefined, applications: Record<string, string> | undefined): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  const [head, payload, signature] = token?.split('.') ?? [];
  if (!head || !payload || !signature) return false;
  const alg = decode(head)?.alg;
  const claims = decode(payload);
  const applicationId = claims?.application_id;
  if (alg !== 'RS256' || typeof applicationId !== 'string') return false;
  if (typeof claims?.exp === 'number' && claims.exp < Date.now() / 1000) return false;
  if (!applications) return true;
  const publicKey = applications[applicationId];
  if (!publicKey) return false;
  return verifySignature('RSA-SHA256', Buffer.from(`${head}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
}

/** The application a bearer JWT names, unchecked. */
function tokenApplication(header: string | undefined): string | undefined {
  const payload = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1]?.split('.')[1];
  const applicationId = payload ? decode(payload)?.application_id : undefined;
  return typeof applicationId === 'string' ? applicationId : undefined;
}

function invalidParameters(body: VonageSendBody): Array<{ name: string; reason: string }> {
  const invalid: Array<{ name: string; reason: string }> = [];
  for (const name of ['message_type', 'to', 'from', 'channel']) {
    if (typeof body[name] !== 'string' || !body[name]) invalid.push({ name, reason: 'is required' });
  }
  if (typeof body.to === 'string' && !/^\d{7,15}$/.test(body.to)) {
    invalid.push({ name: 'to', reason: 'must be a number in E.164 format without a leading +' });
  }
  if (body.message_type === 'text' && typeof body.text !== 'string') invalid.push({ name: 'text', reason: 'is required' });
  if (body.message_type === 'template' && typeof body.template !== 'object') {
    invalid.push({ name: 'template', reason: 'is required' });
  }
  const type = String(body.message_type);
  if (MEDIA_TYPES.has(type)) {
    const content = body[type] as Record<string, unknown> | undefined;
    if (typeof content?.url !== 'string') invalid.push({ name: `${type}.url`, reason: 'is required' });
    if (type === 'audio' && content?.caption !== undefined) invalid.push({ name: 'audio.caption', reason: 'is not allowed' });
    if (body.channel === 'sms') invalid.push({ name: 'message_type', reason: `${type} is not supported on the sms channel` });
  }
  return invalid;
}

function decode(segment: string): Record<string, unknown> | null {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
