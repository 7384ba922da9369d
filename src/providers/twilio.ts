import { createHmac } from 'node:crypto';
// The webhooks module alone: the package's index loads the whole REST client (over a second).
import { validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks.js';
import type { MessageStatus } from '../domain/message-status.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import { MB, type MediaCapabilities } from '../domain/media-limits.js';
import { locationText } from '../domain/readable-kinds.js';
import { downloadMedia } from './media-download.js';
import type { InboundMessage, MediaItem, ProviderAdapter, StatusUpdate } from './provider.js';
import { SendError } from './provider.js';
import {
  DEFAULT_TIMEOUT_MS,
  asCode,
  asObject,
  asString,
  callProvider,
  isSuccess,
  isTransientStatus,
  readForm,
  retryAfterMs,
  templateValues,
} from './provider-http.js';
import { headerValue, safeEqual } from './signatures.js';

/**
 * Twilio Programmable Messaging, SMS and WhatsApp (DESIGN.md §3): form-encoded webhooks
 * signed with `X-Twilio-Signature`, and sends through the REST API with HTTP Basic auth.
 * Inbound messages and status callbacks may share one URL; the body tells them apart.
 */
export interface TwilioConfig {
  apiUrl: string;
  timeoutMs?: number;
}

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

const ACKNOWLEDGEMENT = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const STATUSES: Record<string, MessageStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** What a case worker should read for the error codes a helpline meets most. */
const ERROR_TEXTS: Record<string, string> = {
  '20003': 'Twilio rejected the account SID or auth token',
  '20009': 'Twilio cannot delete the message until it has finished with it',
  '20429': 'Twilio is rate limiting this account',
  '21211': 'The number is not a valid phone number',
  '21408': 'The Twilio account may not send to this region',
  '21606': 'This sender cannot send SMS',
  '21610': 'The recipient has unsubscribed',
  '21612': 'The number cannot be reached from this sender',
  '21614': 'The number is not a mobile number',
  '30001': 'Twilio’s queue for this sender is full',
  '30003': 'The recipient’s phone is unreachable (switched off or out of coverage)',
  '30004': 'The message was blocked by the recipient or their carrier',
  '30005': 'The number is unknown or no longer in service',
  '30006': 'The number is a landline or its carrier cannot receive messages',
  '30007': 'The carrier filtered the message as spam',
  '30008': 'The message could not be delivered (unknown error)',
  '63003': 'The recipient cannot be reached on WhatsApp',
  '63016': 'Outside the WhatsApp 24-hour window: only a template can be sent',
  '63018': 'WhatsApp is rate limiting this sender',
};

/**
 * Twilio's "Accepted content types for media": MMS carries up to 10 items of 5 MB in all
 * (images, audio, video, vCard and calendar text, PDF and Office files); WhatsApp one item
 * per message ("additional attachments will be ignored"), images up to 5 MB and the rest up
 * to 16 MB, in the formats of "Guidance on WhatsApp Media Messages".
 */
export const TWILIO_MEDIA: MediaCapabilities = {
  sms: {
    maxItems: 10,
    maxTotalBytes: 5 * MB,
    types: [
      {
        kind: 'image',
        types: ['image/jpeg', 'image/gif', 'image/png', 'image/bmp', 'image/tiff', 'image/heic', 'image/heif'],
        maxBytes: 5 * MB,
      },
      { kind: 'audio', types: ['audio/*'], maxBytes: 5 * MB },
      { kind: 'video', types: ['video/*'], maxBytes: 5 * MB },
      {
        kind: 'document',
        types: [
          'text/vcard',
          'text/x-vcard',
          'text/csv',
          'text/rtf',
          'text/calendar',
          'application/pdf',
          'application/rtf',
          'application/msword',
          'application/vnd.ms-excel',
          'application/vnd.ms-powerpoint',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        ],
        maxBytes: 5 * MB,
      },
    ],
  },
  whatsapp: {
    maxItems: 1,
    types: [
      { kind: 'image', types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
      {
        kind: 'audio',
        types: ['audio/ogg', 'audio/opus', 'audio/amr', 'audio/3gpp', 'audio/aac', 'audio/mpeg', 'audio/mp4', 'audio/x-m4a'],
        maxBytes: 16 * MB,
      },
      { kind: 'video', types: ['video/mp4'], maxBytes: 16 * MB },
      {
        kind: 'document',
        types: [
          'application/pdf',
          'application/msword',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'application/vnd.openxmlformats-officedocument.presentationml.presentation',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'text/vcard',
          'text/x-vcard',
        ],
        maxBytes: 16 * MB,
      },
    ],
  },
};

/** Codes Twilio answers with when trying again later can succeed. */
const TRANSIENT_CODES = new Set(['20429', '20500', '20503', '30001', '63018']);

/** "Cannot delete this resource before it is complete": Twilio asks to wait a few minutes and try again. */
const NOT_YET_DELETABLE = '20009';

const OPTED_OUT_CODE = '21610';

export function twilioErrorText(code: string, message?: string): string {
  const text = ERROR_TEXTS[code] ?? (message?.trim() || 'Twilio reported an error');
  return `${text} (${code})`;
}

/**
 * Twilio's signature of a form webhook: HMAC-SHA1, keyed by the auth token, of the URL
 * followed by every field's name and value in name order, in base64. The SDK computes the
 * same for several readings of the URL, with URL parsing for each; ingest profiles showed it.
 */
export function formSignature(authToken: string, url: string, form: Readonly<Record<string, string>>): string {
  let signed = url;
  for (const name of Object.keys(form).sort()) signed += name + form[name]!;
  return createHmac('sha1', authToken).update(signed, 'utf8').digest('base64');
}

export function twilioProvider(config: TwilioConfig): ProviderAdapter<'twilio'> {
  const apiUrl = config.apiUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    name: 'twilio',
    channels: ['sms', 'whatsapp'],
    media: TWILIO_MEDIA,

    validateCredentials(raw) {
      const { accountSid, authToken } = asObject(raw) ?? {};
      if (typeof accountSid !== 'string' || !/^AC[0-9a-f]{32}$/i.test(accountSid.trim())) {
        throw validationFailed('Twilio credentials need an accountSid: AC followed by 32 hexadecimal digits');
      }
      if (typeof authToken !== 'string' || !/^[0-9a-f]{32}$/i.test(authToken.trim())) {
        throw validationFailed('Twilio credentials need an authToken of 32 hexadecimal digits');
      }
      return { accountSid: accountSid.trim(), authToken: authToken.trim() };
    },

    verify(request, number) {
      const signature = headerValue(request.headers, TWILIO_SIGNATURE_HEADER);
      if (!signature) throw new DomainError('invalid_signature', 'The X-Twilio-Signature header is missing');
      const { authToken } = number.credentials;
      let valid: boolean;
      try {
        if (request.publicUrl.includes('bodySHA256=')) {
          valid = validateRequestWithBody(authToken, signature, request.publicUrl, request.rawBody.toString('utf8'));
        } else {
          const form = readForm(request.rawBody);
          // The URL as Twilio called it first (one HMAC); then the SDK's other readings of
          // it (with and without the default port, escaped), as Twilio may sign either.
          valid =
            safeEqual(signature, formSignature(authToken, request.publicUrl, form)) ||
            validateRequest(authToken, signature, request.publicUrl, form);
        }
      } catch {
        valid = false;
      }
      if (!valid) {
        throw new DomainError('invalid_signature', 'The X-Twilio-Signature header does not match the URL and body');
      }
    },

    parse(request) {
      const form = readForm(request.rawBody);
      const sid = form.MessageSid || form.SmsMessageSid || form.SmsSid;
      if (!sid) throw new DomainError('bad_request', 'MessageSid is missing');
      const status = form.MessageStatus || form.SmsStatus;
      if (form.Body === undefined && status !== undefined && status !== 'received') {
        return { messages: [], statuses: parseStatus(sid, status, form) };
      }
      return { messages: [parseInbound(sid, form)], statuses: [] };
    },

    acknowledge() {
      return { status: 200, contentType: 'text/xml', body: ACKNOWLEDGEMENT };
    },

    async send(message, number) {
      const { accountSid, authToken } = number.credentials;
      const whatsapp = number.channel === 'whatsapp';
      const address = (value: string) => (whatsapp ? `whatsapp:${withoutPrefix(value)}` : withoutPrefix(value));

      const form = new URLSearchParams();
      form.set('To', address(message.to));
      // A Messaging Service picks the sender itself.
      if (/^MG[0-9a-f]{32}$/i.test(number.ourNumber)) form.set('MessagingServiceSid', number.ourNumber);
      else form.set('From', address(number.ourNumber));
      if (message.template) {
        // Twilio's Content API: the template's name is the ContentSid (HX…), variables are numbered.
        const values = templateValues(message.template, message.text);
        form.set('ContentSid', message.template.name);
        form.set('ContentVariables', JSON.stringify(Object.fromEntries(values.map((v, i) => [String(i + 1), v]))));
      } else {
        form.set('Body', message.text);
      }
      // Twilio fetches each file from its URL (GET and HEAD), checking its Content-Type.
      for (const item of message.media) form.append('MediaUrl', item.publicUrl);
      form.set('StatusCallback', message.statusCallbackUrl);

      const url = `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
      const response = await callProvider(
        'Twilio',
        url,
        {
          method: 'POST',
          headers: {
            authorization: basicAuthorization(accountSid, authToken),
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
        },
        timeoutMs,
      );

      const body = asObject(response.json);
      if (isSuccess(response.status)) {
        const sid = asString(body?.sid);
        // Twilio took the message; sending it again could deliver it twice.
        if (!sid) throw new SendError('permanent', 'Twilio accepted the message but returned no message SID');
        return { providerMessageId: sid, status: 'sent' };
      }

      const code = asCode(body?.code);
      const retryAfter = retryAfterMs(response.headers);
      if (code === OPTED_OUT_CODE) {
        throw new SendError('permanent', twilioErrorText(code), { code, optedOut: true });
      }
      if ((code && TRANSIENT_CODES.has(code)) || isTransientStatus(response.status)) {
        const reason = code ? twilioErrorText(code, asString(body?.message)) : `Twilio answered HTTP ${response.status}`;
        throw new SendError('transient', reason, { code: code ?? String(response.status), retryAfterMs: retryAfter });
      }
      const reason = code ? twilioErrorText(code, asString(body?.message)) : `Twilio refused the message (HTTP ${response.status})`;
      throw new SendError('permanent', reason, { code: code ?? String(response.status) });
    },

    /**
     * `DELETE …/Messages/{Sid}.json` (DESIGN.md §9): 204 when deleted, 404 when Twilio no
     * longer has it. Deleting the message deletes its media at Twilio too. The reason names
     * the status and code only: Twilio's own message may quote the resource.
     */
    async deleteMessage(sid, number) {
      const { accountSid, authToken } = number.credentials;
      const url = `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages/${encodeURIComponent(sid)}.json`;
      const response = await callProvider(
        'Twilio',
        url,
        { method: 'DELETE', headers: { authorization: basicAuthorization(accountSid, authToken), accept: 'application/json' } },
        timeoutMs,
      );
      if (isSuccess(response.status) || response.status === 404) return;
      const code = asCode(asObject(response.json)?.code);
      const reason = `Twilio did not delete the message: ${code ? twilioErrorText(code) : `HTTP ${response.status}`}`;
      if ((code && (TRANSIENT_CODES.has(code) || code === NOT_YET_DELETABLE)) || isTransientStatus(response.status)) {
        throw new SendError('transient', reason, { code: code ?? String(response.status), retryAfterMs: retryAfterMs(response.headers) });
      }
      throw new SendError('permanent', reason, { code: code ?? String(response.status) });
    },

    /**
     * `MediaUrl{N}` with the account's Basic auth. Twilio answers with a redirect to its
     * storage host, which must not receive the credentials (media-download.ts).
     */
    fetchMedia(ref, number, signal) {
      const { accountSid, authToken } = number.credentials;
      return downloadMedia('Twilio', ref, { authorization: basicAuthorization(accountSid, authToken) }, signal);
    },
  };
}

function basicAuthorization(accountSid: string, authToken: string): string {
  return `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
}

function parseInbound(sid: string, form: Record<string, string>): InboundMessage {
  if (!form.From) throw new DomainError('bad_request', 'From is missing');
  const count = Number(form.NumMedia ?? '0');
  if (!Number.isInteger(count) || count < 0 || count > 50) {
    throw new DomainError('bad_request', 'NumMedia must be a small whole number');
  }
  const media: MediaItem[] = [];
  for (let index = 0; index < count; index += 1) {
    const url = form[`MediaUrl${index}`];
    if (url) media.push({ ref: url, contentType: form[`MediaContentType${index}`] || null, name: null });
  }
  const message: InboundMessage = { providerMessageId: sid, from: form.From, text: form.Body ?? '', media };
  // A WhatsApp location comes as fields beside an empty Body.
  if (!message.text && form.Latitude !== undefined && form.Longitude !== undefined) {
    message.text = locationText({ name: form.Label, address: form.Address }, form.Latitude, form.Longitude);
  }
  if (form.ProfileName) message.profileName = form.ProfileName;
  return message;
}

function parseStatus(sid: string, status: string, form: Record<string, string>): StatusUpdate[] {
  const mapped = STATUSES[status];
  // Twilio adds statuses over time; one we do not know changes nothing rather than failing the callback.
  if (!mapped) return [];
  const update: StatusUpdate = { providerMessageId: sid, status: mapped };
  const code = form.ErrorCode?.trim();
  if (code && code !== '0') {
    update.errorCode = code;
    update.errorText = twilioErrorText(code, form.ErrorMessage);
    // The same unsubscribe as at send time, only reported later (DESIGN.md §2 rule 11).
    if (code === OPTED_OUT_CODE) {
      update.optedOut = true;
      if (form.To) update.recipient = form.To;
    }
  }
  return [update];
}

function withoutPrefix(address: string): string {
  return address.replace(/^whatsapp:/i, '').trim();
}
