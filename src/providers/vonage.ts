import { createHash, createPrivateKey } from 'node:crypto';
import { tokenGenerate, verifySignature } from '@vonage/jwt';
import type {
  SMSMessageRequest,
  WhatsAppAudioRequest,
  WhatsAppFileRequest,
  WhatsAppImageRequest,
  WhatsAppTemplateRequest,
  WhatsAppTextRequest,
  WhatsAppVideoRequest,
} from '@vonage/messages';
import type { MessageStatus } from '../domain/message-status.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import { WHATSAPP_BUSINESS_MEDIA, mediaRuleFor, whatsappCaption, type MediaCapabilities, type MediaKind } from '../domain/media-limits.js';
import { locationText } from '../domain/readable-kinds.js';
import { downloadMedia } from './media-download.js';
import type { InboundMessage, MediaItem, OutboundMedia, ProviderAdapter, ProviderNumber, SendResult, StatusUpdate } from './provider.js';
import { SendError } from './provider.js';
import {
  DEFAULT_TIMEOUT_MS,
  asCode,
  asObject,
  asString,
  callProvider,
  digitsOnly,
  httpFailure,
  internationalSender,
  isSuccess,
  readJsonObject,
  templateValues,
} from './provider-http.js';
import { headerValue, safeEqual } from './signatures.js';

/**
 * Vonage Messages API v1, SMS and WhatsApp (DESIGN.md §3). Webhooks are signed JWTs (HS256
 * with the signature secret) whose `payload_hash` binds them to the body; sends carry an
 * RS256 JWT made from the application's private key.
 */
export interface VonageConfig {
  apiUrl: string;
  timeoutMs?: number;
  /** How old a webhook's token may be; Vonage signs each delivery afresh. */
  webhookMaxAgeSeconds?: number;
}

/** Vonage documents `file.name` for WhatsApp documents; the SDK's type predates it. */
type WhatsAppDocumentRequest = WhatsAppFileRequest & { file: { name?: string } };
type WhatsAppMediaRequest = WhatsAppImageRequest | WhatsAppAudioRequest | WhatsAppVideoRequest | WhatsAppDocumentRequest;
type WhatsAppMediaContent =
  | Pick<WhatsAppImageRequest, 'message_type' | 'image'>
  | Pick<WhatsAppAudioRequest, 'message_type' | 'audio'>
  | Pick<WhatsAppVideoRequest, 'message_type' | 'video'>
  | Pick<WhatsAppDocumentRequest, 'message_type' | 'file'>;
type VonageSendBody = (SMSMessageRequest | WhatsAppTextRequest | WhatsAppTemplateRequest | WhatsAppMediaRequest) & {
  webhook_url?: string;
};

/**
 * Vonage's SMS channel carries text only; its WhatsApp channel relays to WhatsApp Business
 * and takes image, audio, video and file messages by URL, one per message, with WhatsApp's
 * own types and sizes.
 */
export const VONAGE_MEDIA: MediaCapabilities = { whatsapp: WHATSAPP_BUSINESS_MEDIA };

const STATUSES: Record<string, MessageStatus> = {
  submitted: 'sent',
  delivered: 'delivered',
  read: 'read',
  rejected: 'failed',
  undeliverable: 'undelivered',
};

const ERROR_TEXTS: Record<string, string> = {
  '1000': 'Vonage is throttling this account',
  '1340': 'Outside the WhatsApp 24-hour window: only a template can be sent',
};

const TRANSIENT_CODES = new Set(['1000']);

const CLOCK_SKEW_SECONDS = 60;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function vonageProvider(config: VonageConfig): ProviderAdapter<'vonage'> {
  const apiUrl = config.apiUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAgeSeconds = config.webhookMaxAgeSeconds ?? 300;

  return {
    name: 'vonage',
    channels: ['sms', 'whatsapp'],
    media: VONAGE_MEDIA,

    validateCredentials(raw) {
      const { applicationId, privateKey, signatureSecret } = asObject(raw) ?? {};
      if (typeof applicationId !== 'string' || !UUID.test(applicationId.trim())) {
        throw validationFailed('Vonage credentials need the applicationId of a Vonage application (a UUID)');
      }
      if (typeof privateKey !== 'string' || !isPrivateKey(privateKey)) {
        throw validationFailed('Vonage credentials need the application’s privateKey in PEM format');
      }
      if (typeof signatureSecret !== 'string' || signatureSecret.trim().length < 16) {
        throw validationFailed('Vonage credentials need the account’s signatureSecret (16 characters or more)');
      }
      return { applicationId: applicationId.trim(), privateKey, signatureSecret: signatureSecret.trim() };
    },

    verify(request, number) {
      const token = /^Bearer\s+(\S+)$/i.exec(headerValue(request.headers, 'authorization') ?? '')?.[1];
      if (!token) throw invalidSignature('The Authorization: Bearer header is missing');
      const [head, payload] = token.split('.');
      if (decodeSegment(head)?.alg !== 'HS256') throw invalidSignature('The webhook token is not signed with HS256');
      let signed = false;
      try {
        // Checks the HMAC, and `exp`/`nbf` when the token carries them.
        signed = verifySignature(token, number.credentials.signatureSecret);
      } catch {
        signed = false;
      }
      if (!signed) throw invalidSignature('The webhook token does not match the signature secret, or has expired');

      const claims = decodeSegment(payload) ?? {};
      const issuedAt = claims.iat;
      const now = Math.floor(Date.now() / 1000);
      if (typeof issuedAt !== 'number' || issuedAt > now + CLOCK_SKEW_SECONDS || now - issuedAt > maxAgeSeconds) {
        throw invalidSignature('The webhook token is too old or not yet valid');
      }
      const bodyHash = createHash('sha256').update(request.rawBody).digest('hex');
      if (typeof claims.payload_hash !== 'string' || !safeEqual(claims.payload_hash.toLowerCase(), bodyHash)) {
        throw invalidSignature('The webhook token’s payload_hash does not match the body');
      }
    },

    parse(request) {
      const body = readJsonObject(request.rawBody);
      const id = asString(body.message_uuid);
      if (!id) throw new DomainError('bad_request', 'message_uuid is missing');
      if (typeof body.status === 'string') return { messages: [], statuses: parseStatus(id, body) };
      if (typeof body.message_type === 'string') return { messages: [parseInbound(id, body, body.message_type)], statuses: [] };
      // Vonage's own SDK samples post inbound SMS without `message_type`; a string `text` is a text.
      if (typeof body.text === 'string') return { messages: [parseInbound(id, body, 'text')], statuses: [] };
      throw new DomainError('bad_request', 'The body is neither an inbound message nor a message status');
    },

    acknowledge() {
      return { status: 200, contentType: 'application/json', body: '{"ok":true}' };
    },

    async send(message, number) {
      const to = digitsOnly(message.to);
      // An SMS may come from an alphanumeric sender; only a phone number loses its `+`.
      const from = /^\+?\d+$/.test(number.ourNumber) ? digitsOnly(number.ourNumber) : number.ourNumber;
      const common = { to, from, client_ref: message.messageId, webhook_url: message.statusCallbackUrl };
      let body: VonageSendBody;
      if (number.channel === 'sms') {
        body = { ...common, channel: 'sms', message_type: 'text', text: message.text };
      } else if (message.template) {
        body = {
          ...common,
          channel: 'whatsapp',
          message_type: 'template',
          template: {
            name: message.template.name,
            parameters: templateValues(message.template, message.text),
          },
          whatsapp: {
            policy: 'deterministic',
            // The SDK types the locale as an enum of the codes it knew when released; a number's
            // template language is checked for shape when saved, and codes Meta adds must pass.
            // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
            locale: message.template.language as WhatsAppTemplateRequest['whatsapp']['locale'],
          },
        };
      } else if (message.media[0]) {
        // Vonage fetches the file from its URL; WhatsApp carries one per message (checked before queueing).
        const item = message.media[0];
        const kind = mediaRuleFor(WHATSAPP_BUSINESS_MEDIA, item.contentType)?.kind ?? 'document';
        const { caption, textFirst } = whatsappCaption(kind, message.text);
        const token = applicationToken(number);
        if (textFirst) {
          const text = { ...common, client_ref: `${message.messageId}:text`, message_type: 'text' as const, text: textFirst };
          await post({ ...text, channel: 'whatsapp' }, token);
        }
        return post({ ...common, channel: 'whatsapp', ...whatsappMediaContent(kind, item, caption) }, token);
      } else {
        body = { ...common, channel: 'whatsapp', message_type: 'text', text: message.text };
      }
      return post(body, applicationToken(number));
    },

    /** The item's URL, with the application's JWT as for a send. */
    fetchMedia(ref, number, signal) {
      return downloadMedia('Vonage', ref, { authorization: `Bearer ${applicationToken(number)}` }, signal);
    },
  };

  /** One `POST /v1/messages`. */
  async function post(body: VonageSendBody, token: string): Promise<SendResult> {
    const response = await callProvider(
      'Vonage',
      `${apiUrl}/v1/messages`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      },
      timeoutMs,
    );

    const answer = asObject(response.json);
    if (isSuccess(response.status)) {
      const uuid = asString(answer?.message_uuid);
      // Vonage took the message; sending it again could deliver it twice.
      if (!uuid) throw new SendError('permanent', 'Vonage accepted the message but returned no message_uuid');
      return { providerMessageId: uuid, status: 'sent' };
    }
    const code = problemCode(answer);
    const error = httpFailure(response, problemText(answer, `Vonage answered HTTP ${response.status}`, code), code);
    if (code && TRANSIENT_CODES.has(code) && error.kind === 'permanent') {
      throw new SendError('transient', error.reason, { code });
    }
    throw error;
  }
}

/** The message type and content of a WhatsApp attachment; a document is Vonage's `file`. */
function whatsappMediaContent(kind: MediaKind, item: OutboundMedia, caption: string | undefined): WhatsAppMediaContent {
  const url = item.publicUrl;
  const captioned = caption ? { caption } : {};
  switch (kind) {
    case 'image':
      return { message_type: 'image', image: { url, ...captioned } };
    case 'audio':
      return { message_type: 'audio', audio: { url } };
    case 'video':
      return { message_type: 'video', video: { url, ...captioned } };
    case 'document':
      return { message_type: 'file', file: { url, ...captioned, ...(item.name ? { name: item.name } : {}) } };
  }
}

/** The RS256 JWT of the number's Vonage application, which sends and media downloads carry. */
function applicationToken(number: ProviderNumber<'vonage'>): string {
  try {
    return tokenGenerate(number.credentials.applicationId, number.credentials.privateKey, { ttl: 300 });
  } catch {
    throw new SendError('permanent', 'The Vonage private key cannot sign requests', { code: 'credentials' });
  }
}

function parseInbound(id: string, body: Record<string, unknown>, type: string): InboundMessage {
  const from = address(body.from);
  if (!from) throw new DomainError('bad_request', 'from is missing');
  const content = asObject(body[type]);
  const media: MediaItem[] = [];
  let text: string;
  switch (type) {
    case 'text':
      text = asString(body.text) ?? '';
      break;
    case 'image':
    case 'audio':
    case 'video':
    case 'file':
    case 'vcard':
    case 'sticker': {
      const url = asString(content?.url);
      // Vonage names no type; a file (a document) carries its name.
      if (url) media.push({ ref: url, contentType: null, name: asString(content?.name) ?? null });
      text = asString(content?.caption) ?? '';
      break;
    }
    case 'location':
      text = locationText(content ?? null, content?.lat, content?.long);
      break;
    case 'reply':
      text = asString(content?.title) ?? asString(content?.id) ?? '';
      break;
    case 'button':
      text = asString(content?.text) ?? asString(content?.payload) ?? '';
      break;
    default:
      // Kept rather than dropped, so the person is not silently ignored.
      text = `[${type} message]`;
  }
  const message: InboundMessage = { providerMessageId: id, from: internationalSender(from), text, media };
  const profileName = asString(asObject(body.profile)?.name);
  if (profileName) message.profileName = profileName;
  return message;
}

function parseStatus(id: string, body: Record<string, unknown>): StatusUpdate[] {
  const status = STATUSES[body.status as string];
  // Statuses Vonage may add later change nothing rather than fail the callback.
  if (!status) return [];
  const update: StatusUpdate = { providerMessageId: id, status };
  const error = asObject(body.error);
  if (error) {
    const code = problemCode(error) ?? 'unknown';
    update.errorCode = code;
    update.errorText = problemText(error, 'Vonage reported an error', code);
  }
  return [update];
}

/** Vonage's RFC 7807 problems name their code in the fragment of `type`, or as `title`. */
function problemCode(problem: Record<string, unknown> | null): string | undefined {
  const fragment = /#(\d+)$/.exec(asString(problem?.type) ?? '')?.[1];
  if (fragment) return fragment;
  const title = asCode(problem?.title);
  return title && /^\d+$/.test(title) ? title : undefined;
}

function problemText(problem: Record<string, unknown> | null, fallback: string, code: string | undefined): string {
  const known = code ? ERROR_TEXTS[code] : undefined;
  // Status webhooks put the numeric code in `title`; it says nothing to a reader.
  const title = asString(problem?.title)?.replace(/^\d+$/, '');
  const detail = asString(problem?.detail);
  const text = known ?? ([title, detail].filter(Boolean).join(': ') || fallback);
  return code ? `${text} (${code})` : text;
}

/** v1 sends `"447700900001"`; v0.1 sent `{type, number}`. */
function address(value: unknown): string | undefined {
  return asString(value) ?? asString(asObject(value)?.number) ?? asString(asObject(value)?.id);
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  if (!segment) return null;
  try {
    return asObject(JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
}

function isPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function invalidSignature(message: string): DomainError {
  return new DomainError('invalid_signature', message);
}
