import type { MessageStatus } from '../domain/message-status.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import { WHATSAPP_BUSINESS_MEDIA, mediaRuleFor, whatsappCaption } from '../domain/media-limits.js';
import { flowReplyText, locationText, sharedContactsText } from '../domain/readable-kinds.js';
import type { InboundMessage, MediaItem, ProviderAdapter, ProviderNumber, SendResult, StatusUpdate } from './provider.js';
import { SendError } from './provider.js';
import {
  DEFAULT_TIMEOUT_MS,
  asCode,
  asObject,
  asString,
  callProvider,
  digitsOnly,
  internationalSender,
  isSuccess,
  isTransientStatus,
  readJsonObject,
  retryAfterMs,
  templateValues,
  type ProviderResponse,
} from './provider-http.js';
import { headerValue, hmacHex, safeEqual } from './signatures.js';
import { deleteWhatsAppMedia, downloadWhatsAppMedia } from './whatsapp-cloud-media.js';
import { uploadWhatsAppMedia, whatsappMediaMessage } from './whatsapp-cloud-send-media.js';
import { listWhatsAppTemplates } from './whatsapp-cloud-templates.js';

/**
 * Meta's WhatsApp Cloud API (DESIGN.md §3), through a thin fetch client. One webhook URL
 * carries both messages and statuses for every number of the app, so entries for another
 * phone number id are skipped; the body is signed with the app secret.
 */
export interface WhatsAppCloudConfig {
  apiUrl: string;
  /** Graph API version, e.g. `v21.0`. */
  graphVersion?: string;
  timeoutMs?: number;
}

export const WHATSAPP_SIGNATURE_HEADER = 'x-hub-signature-256';

const STATUSES: Record<string, MessageStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

const ERROR_TEXTS: Record<string, string> = {
  '4': 'The app has made too many calls to WhatsApp',
  '100': 'WhatsApp rejected a parameter of the message',
  '190': 'The WhatsApp access token is invalid or has expired',
  '80007': 'The WhatsApp Business Account has reached its rate limit',
  '130429': 'WhatsApp is limiting how fast this number may send',
  '131000': 'WhatsApp could not send the message (unknown error)',
  '131021': 'The recipient is this number itself',
  '131026': 'The message could not be delivered: the recipient may not use WhatsApp or may need to update it',
  '131030': 'The recipient is not on the test number’s list of allowed recipients',
  '131047': 'Outside the WhatsApp 24-hour window: only a template can be sent',
  '131048': 'WhatsApp is limiting this number because of spam reports',
  '131050': 'The recipient has chosen not to receive marketing messages',
  '131051': 'WhatsApp does not support this message type',
  '131056': 'Too many messages to this recipient in a short time',
  '132000': 'The template’s parameters do not match its definition',
  '132001': 'The template does not exist in this language',
  '133010': 'The sending number is not registered on WhatsApp',
};

/** Rate limits and Meta's own outages: trying later can succeed. */
const TRANSIENT_CODES = new Set(['1', '2', '4', '80007', '130429', '131000', '131016', '131048', '131056', '133004']);

export function whatsappErrorText(code: string, message?: string): string {
  // Meta starts many messages with "(#131030) "; the code is added once, at the end.
  const said = message?.replace(/^\s*\(#\d+\)\s*/, '').trim();
  return `${ERROR_TEXTS[code] ?? (said || 'WhatsApp reported an error')} (${code})`;
}

export function whatsappCloudProvider(config: WhatsAppCloudConfig): ProviderAdapter<'whatsapp-cloud'> {
  const apiUrl = config.apiUrl.replace(/\/+$/, '');
  const graphVersion = config.graphVersion ?? 'v21.0';
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    name: 'whatsapp-cloud',
    channels: ['whatsapp'],
    media: { whatsapp: WHATSAPP_BUSINESS_MEDIA },

    validateCredentials(raw) {
      const fields = asObject(raw) ?? {};
      const text = (name: string) => (typeof fields[name] === 'string' ? fields[name].trim() : '');
      const phoneNumberId = text('phoneNumberId');
      if (!/^\d{5,20}$/.test(phoneNumberId)) {
        throw validationFailed('WhatsApp credentials need the phoneNumberId Meta shows for the number (digits)');
      }
      for (const name of ['accessToken', 'appSecret', 'verifyToken']) {
        if (!text(name)) throw validationFailed(`WhatsApp credentials need ${name}`);
      }
      // Optional: Meta keeps templates under the business account, so only a sync needs it.
      const businessAccountId = text('businessAccountId');
      if (businessAccountId && !/^\d{5,20}$/.test(businessAccountId)) {
        throw validationFailed('businessAccountId is the WhatsApp Business Account id Meta shows (digits)');
      }
      return {
        phoneNumberId,
        accessToken: text('accessToken'),
        appSecret: text('appSecret'),
        verifyToken: text('verifyToken'),
        ...(businessAccountId ? { businessAccountId } : {}),
      };
    },

    verify(request, number) {
      const given = headerValue(request.headers, WHATSAPP_SIGNATURE_HEADER);
      if (!given) throw new DomainError('invalid_signature', 'The X-Hub-Signature-256 header is missing');
      const expected = `sha256=${hmacHex('sha256', number.credentials.appSecret, request.rawBody)}`;
      if (!safeEqual(given.toLowerCase(), expected)) {
        throw new DomainError('invalid_signature', 'The X-Hub-Signature-256 header does not match the body');
      }
    },

    handshake(request, number) {
      const challenge = request.query['hub.challenge'];
      const token = request.query['hub.verify_token'] ?? '';
      if (request.query['hub.mode'] !== 'subscribe' || !challenge || !safeEqual(token, number.credentials.verifyToken)) {
        throw new DomainError('invalid_signature', 'The verification request does not carry this number’s verify token');
      }
      return { status: 200, contentType: 'text/plain', body: challenge };
    },

    parse(request, number) {
      const body = readJsonObject(request.rawBody);
      if (body.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) {
        throw new DomainError('bad_request', 'The body is not a WhatsApp Business Account notification');
      }
      const messages: InboundMessage[] = [];
      const statuses: StatusUpdate[] = [];
      for (const entry of body.entry) {
        const changes = asObject(entry)?.changes;
        if (!Array.isArray(changes)) throw new DomainError('bad_request', 'An entry has no changes list');
        for (const change of changes) {
          const value = asObject(asObject(change)?.value);
          if (asObject(change)?.field !== 'messages' || !value || !isForNumber(value, number)) continue;
          const names = profileNames(value.contacts);
          for (const item of list(value.messages)) {
            const message = parseMessage(item, names);
            if (message) messages.push(message);
          }
          for (const item of list(value.statuses)) {
            const status = parseStatus(item);
            if (status) statuses.push(status);
          }
        }
      }
      return { messages, statuses };
    },

    acknowledge() {
      return { status: 200, contentType: 'application/json', body: '{"ok":true}' };
    },

    async listTemplates(number) {
      const { businessAccountId, accessToken } = number.credentials;
      if (!businessAccountId) {
        throw validationFailed(
          'Meta lists templates under the WhatsApp Business Account: add its id (businessAccountId) to the number’s credentials',
        );
      }
      return listWhatsAppTemplates({ apiUrl, graphVersion, timeoutMs, businessAccountId, accessToken });
    },

    fetchMedia(mediaId, number, signal) {
      const { phoneNumberId, accessToken } = number.credentials;
      return downloadWhatsAppMedia({ apiUrl, graphVersion, phoneNumberId, accessToken, mediaId }, signal);
    },

    deleteMedia(mediaId, number) {
      const { phoneNumberId, accessToken } = number.credentials;
      return deleteWhatsAppMedia({ apiUrl, graphVersion, phoneNumberId, accessToken, mediaId, timeoutMs });
    },

    async send(message, number) {
      const { phoneNumberId, accessToken } = number.credentials;
      const recipient = { messaging_product: 'whatsapp', recipient_type: 'individual', to: digitsOnly(message.to) };
      let body: Record<string, unknown>;
      if (message.template) {
        const values = templateValues(message.template, message.text);
        body = {
          ...recipient,
          type: 'template',
          template: {
            name: message.template.name,
            language: { code: message.template.language },
            ...(values.length > 0 ? { components: [{ type: 'body', parameters: values.map((text) => ({ type: 'text', text })) }] } : {}),
          },
        };
      } else if (message.media[0]) {
        // Uploaded first, then sent by id; WhatsApp carries one per message (checked before queueing).
        const item = message.media[0];
        const kind = mediaRuleFor(WHATSAPP_BUSINESS_MEDIA, item.contentType)?.kind ?? 'document';
        const target = { apiUrl, graphVersion, timeoutMs, phoneNumberId, accessToken };
        const mediaId = await uploadWhatsAppMedia(target, item, whatsappFailure);
        const { caption, textFirst } = whatsappCaption(kind, message.text);
        if (textFirst) await post(number, { ...recipient, type: 'text', text: { preview_url: false, body: textFirst } });
        body = { ...recipient, ...whatsappMediaMessage(kind, mediaId, caption, item.name) };
      } else {
        body = { ...recipient, type: 'text', text: { preview_url: false, body: message.text } };
      }
      return post(number, body);
    },
  };

  /** One `POST /{version}/{phone-number-id}/messages`. */
  async function post(number: ProviderNumber<'whatsapp-cloud'>, body: Record<string, unknown>): Promise<SendResult> {
    const { phoneNumberId, accessToken } = number.credentials;
    const url = `${apiUrl}/${graphVersion}/${encodeURIComponent(phoneNumberId)}/messages`;
    const response = await callProvider(
      'WhatsApp',
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
      },
      timeoutMs,
    );

    const answer = asObject(response.json);
    if (isSuccess(response.status)) {
      const first = list(answer?.messages)[0];
      const id = asString(asObject(first)?.id);
      // Meta took the message; sending it again could deliver it twice.
      if (!id) throw new SendError('permanent', 'WhatsApp accepted the message but returned no message id');
      return { providerMessageId: id, status: 'sent' };
    }
    throw whatsappFailure(response);
  }
}

/** Meta's error answer to a send or an upload, as a SendError. */
function whatsappFailure(response: ProviderResponse): SendError {
  const error = asObject(asObject(response.json)?.error);
  const code = asCode(error?.code);
  const reason = code ? whatsappErrorText(code, asString(error?.message)) : `WhatsApp answered HTTP ${response.status}`;
  const transient = (code !== undefined && TRANSIENT_CODES.has(code)) || isTransientStatus(response.status);
  return new SendError(transient ? 'transient' : 'permanent', reason, {
    code: code ?? String(response.status),
    retryAfterMs: transient ? retryAfterMs(response.headers) : undefined,
  });
}

function isForNumber(value: Record<string, unknown>, number: ProviderNumber<'whatsapp-cloud'>): boolean {
  return asString(asObject(value.metadata)?.phone_number_id) === number.credentials.phoneNumberId;
}

function parseMessage(item: unknown, names: Map<string, string>): InboundMessage | null {
  const message = asObject(item);
  const id = asString(message?.id);
  const from = asString(message?.from);
  const type = asString(message?.type);
  if (!message || !id || !from || !type) throw new DomainError('bad_request', 'A message lacks id, from or type');
  const content = asObject(message[type]);
  const media: MediaItem[] = [];
  let text: string;
  switch (type) {
    case 'text':
      text = asString(content?.body) ?? '';
      break;
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      // Meta sends a media id, fetched later with the access token (./whatsapp-cloud-media.ts).
      const mediaId = asString(content?.id);
      if (mediaId) {
        media.push({ ref: mediaId, contentType: asString(content?.mime_type) ?? null, name: asString(content?.filename) ?? null });
      }
      text = asString(content?.caption) ?? '';
      break;
    }
    case 'location':
      text = locationText(content ?? null, content?.latitude, content?.longitude);
      break;
    case 'button':
      text = asString(content?.text) ?? asString(content?.payload) ?? '';
      break;
    case 'interactive': {
      // A finished WhatsApp Flow answers with `nfm_reply`; buttons and lists with their choice.
      const flow = asObject(content?.nfm_reply);
      if (asString(content?.type) === 'nfm_reply' || flow) {
        text = flowReplyText(flow?.body, flow?.response_json);
        break;
      }
      const reply = asObject(content?.button_reply) ?? asObject(content?.list_reply);
      text = asString(reply?.title) ?? asString(reply?.id) ?? '';
      break;
    }
    case 'contacts':
      // The one kind whose content is a list: `contacts: [{name, phones, ...}]`.
      text = sharedContactsText(list(message.contacts).map((item) => asObject(item) ?? {}));
      break;
    case 'reaction': {
      const emoji = asString(content?.emoji);
      // An empty emoji means a reaction was taken back: nothing to record.
      if (!emoji) return null;
      text = emoji;
      break;
    }
    case 'system':
      // Notices about the contact's account (e.g. a changed number), not words from the person.
      return null;
    default:
      text = `[${type} message]`;
  }
  const inbound: InboundMessage = { providerMessageId: id, from: internationalSender(from), text, media };
  const profileName = names.get(from);
  if (profileName) inbound.profileName = profileName;
  return inbound;
}

function parseStatus(item: unknown): StatusUpdate | null {
  const entry = asObject(item);
  const id = asString(entry?.id);
  const raw = asString(entry?.status);
  if (!entry || !id || !raw) throw new DomainError('bad_request', 'A status lacks id or status');
  const status = STATUSES[raw];
  if (!status) return null;
  const update: StatusUpdate = { providerMessageId: id, status };
  const error = asObject(list(entry.errors)[0]);
  if (error) {
    const code = asCode(error.code) ?? 'unknown';
    const details = asString(asObject(error.error_data)?.details);
    update.errorCode = code;
    update.errorText = whatsappErrorText(code, details ?? asString(error.message) ?? asString(error.title));
  }
  return update;
}

function profileNames(contacts: unknown): Map<string, string> {
  const names = new Map<string, string>();
  for (const contact of list(contacts)) {
    const waId = asString(asObject(contact)?.wa_id);
    const name = asString(asObject(asObject(contact)?.profile)?.name);
    if (waId && name) names.set(waId, name);
  }
  return names;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
