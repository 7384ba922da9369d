import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import {
  deliverWebhook,
  formBody,
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

/**
 * A fake Twilio REST API (`POST /2010-04-01/Accounts/{sid}/Messages.json`, Basic auth)
 * that also plays Twilio's webhooks: inbound messages and status callbacks, signed with
 * the official SDK's `getExpectedTwilioSignature`.
 */

export type TwilioSendForm = Record<string, string>;

export interface FakeTwilioOptions {
  /** accountSid → authToken. When given, other credentials get Twilio's 401 (code 20003). */
  accounts?: Record<string, string>;
}

export interface TwilioInboundInput {
  /** `+447700900123`, or `whatsapp:+447700900123` for WhatsApp. */
  from: string;
  to: string;
  text: string;
  media?: Array<{ url: string; contentType: string }>;
  /** WhatsApp only: the name on the person's WhatsApp profile. */
  profileName?: string;
  messageSid?: string;
  accountSid?: string;
}

export interface TwilioStatusInput {
  messageSid: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'undelivered' | 'failed' | (string & {});
  from: string;
  to: string;
  accountSid?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface FakeTwilio extends FakeServer {
  /** Sends Twilio accepted, with the form as received; `id` is the MessageSid it answered. */
  sent: SentRequest<TwilioSendForm>[];
  postInbound(webhookUrl: string, input: TwilioInboundInput, authToken: string): Promise<WebhookResponse>;
  /**
   * Posts a status callback for a message this fake accepted, to the StatusCallback URL of
   * its send (or `options.url`), signed with the auth token the send authenticated with.
   */
  postStatus(
    messageSid: string,
    status: TwilioStatusInput['status'],
    options?: { errorCode?: string; errorMessage?: string; url?: string },
  ): Promise<WebhookResponse>;
  /** Each file fetched from a send's `MediaUrl`s (the form keeps only the last of them), in order. */
  mediaFetched: ProviderFetch[];
  /** Twilio's media storage host, where the API's media URLs redirect; it refuses an Authorization header, as S3 does. */
  storage: FakeMediaHost;
  /**
   * Keeps a file of an inbound message, as Twilio does: `url` is its `MediaUrl` (Basic auth,
   * answered with a 307 to `storage`), `stored` the path and query it redirects to.
   */
  addMedia(accountSid: string, file: HostedFile): { url: string; contentType: string; stored: string };
  /** Message resources deleted (`DELETE …/Messages/{Sid}.json`, answered 204), in order. */
  deletedMessages: DeletedMessage[];
  /**
   * The next `n` message deletions answer this way instead: `500` and `429` as Twilio's
   * outages, `404` as a message it no longer has, `20009` as one it is not yet done with.
   */
  failDeletes(n: number, kind: DeleteFailure): void;
}

/** A message resource the fake deleted, with the credentials that deleted it. */
export interface DeletedMessage {
  accountSid: string;
  sid: string;
  authorization: string;
}

export type DeleteFailure = '500' | '429' | '404' | '20009';

/** Twilio's test numbers, which fail the same way with test credentials. */
const MAGIC_RECIPIENTS: Record<string, [number, string]> = {
  '+15005550001': [21211, "The 'To' number +15005550001 is not a valid phone number."],
  '+15005550002': [21612, "The 'To' phone number +15005550002 is not currently reachable using the 'From' number."],
  '+15005550003': [21408, 'Permission to send an SMS has not been enabled for the region of +15005550003.'],
  '+15005550004': [21610, 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, "'To' number is not a valid mobile number"],
};

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MEDIA_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/[^/]+\/Media\/([^/]+)$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;

export function twilioSid(prefix: 'SM' | 'MM' | 'AC' = 'SM'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export function twilioError(status: number, code: number, message: string): FakeReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** The form fields Twilio posts for an incoming SMS or WhatsApp message. */
export function twilioInboundFields(input: TwilioInboundInput): Record<string, string> {
  const sid = input.messageSid ?? twilioSid(input.media?.length ? 'MM' : 'SM');
  const fields: Record<string, string> = {
    ToCountry: 'GB',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: String(input.media?.length ?? 0),
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: input.text,
    FromCountry: 'GB',
    To: input.to,
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: input.accountSid ?? twilioSid('AC'),
    From: input.from,
    ApiVersion: '2010-04-01',
  };
  input.media?.forEach((item, index) => {
    fields[`MediaContentType${index}`] = item.contentType;
    fields[`MediaUrl${index}`] = item.url;
  });
  if (input.from.startsWith('whatsapp:')) {
    fields.WaId = input.from.replace(/\D/g, '');
    fields.MessageType = input.media?.length ? 'image' : 'text';
    if (input.profileName) fields.ProfileName = input.profileName;
  }
  return fields;
}

/** The form fields of a status callback. */
export function twilioStatusFields(input: TwilioStatusInput): Record<string, string> {
  const fields: Record<string, string> = {
    SmsSid: input.messageSid,
    SmsStatus: input.status,
    MessageStatus: input.status,
    To: input.to,
    MessageSid: input.messageSid,
    AccountSid: input.accountSid ?? twilioSid('AC'),
    From: input.from,
    ApiVersion: '2010-04-01',
  };
  if (input.errorCode) fields.ErrorCode = input.errorCode;
  if (input.errorMessage) fields.ErrorMessage = input.errorMessage;
  return fields;
}

/** Signs form fields for `url` exactly as Twilio does, with the official SDK. */
export function signTwilioWebhook(url: string, fields: Record<string, string>, authToken: string): WebhookDelivery {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'x-twilio-signature': getExpectedTwilioSignature(authToken, url, fields),
    },
    body: formBody(fields),
  };
}

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const sent: SentRequest<TwilioSendForm>[] = [];
  const mediaFetched: ProviderFetch[] = [];
  /** What a status callback needs to know about each accepted message. */
  const accepted = new Map<string, { form: TwilioSendForm; accountSid: string; authToken: string }>();
  const storage = await startFakeMediaHost();
  /** MediaSid → the account that holds it and where its bytes are on `storage`. */
  const media = new Map<string, { accountSid: string; stored: string }>();
  const deletedMessages: DeletedMessage[] = [];
  const deleteFailures: DeleteFailure[] = [];

  /** Basic auth with the account's SID and, when the fake knows the account, its auth token. */
  function authenticated(request: RecordedRequest, accountSid: string): { user: string; password: string } | null {
    const credentials = basicAuth(request.headers.authorization);
    const knownToken = options.accounts?.[accountSid];
    if (
      !credentials ||
      credentials.user !== accountSid ||
      (options.accounts && (knownToken === undefined || credentials.password !== knownToken))
    ) {
      return null;
    }
    return credentials;
  }

  /** `GET …/Messages/{MM}/Media/{ME}`: a 307 to a signed, expiring URL on the storage host. */
  function mediaRedirect(request: RecordedRequest, accountSid: string, mediaSid: string): FakeReply {
    if (!authenticated(request, accountSid)) return twilioError(401, 20003, 'Authenticate');
    const item = media.get(mediaSid);
    if (!item || item.accountSid !== accountSid) {
      return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    }
    return { status: 307, body: '', headers: { location: `${storage.url}${item.stored}` } };
  }

  /** `DELETE …/Messages/{Sid}.json`: 204 once; a message already deleted is Twilio's 404. */
  function deleteMessage(request: RecordedRequest, accountSid: string, sid: string): FakeReply {
    if (!authenticated(request, accountSid)) return twilioError(401, 20003, 'Authenticate');
    const failure = deleteFailures.shift();
    if (failure === '500') return twilioError(500, 20500, 'Internal Server Error');
    if (failure === '429') return { ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '2' } };
    const gone = twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    if (failure === '404' || deletedMessages.some((d) => d.sid === sid)) return gone;
    if (failure === '20009') return twilioError(409, 20009, 'Cannot delete this resource before it is complete');
    deletedMessages.push({ accountSid, sid, authorization: request.headers.authorization ?? '' });
    return { status: 204, body: '' };
  }

  const server = await startFakeServer({
    failure: (kind) =>
      kind === '429'
        ? { ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '2' } }
        : twilioError(500, 20500, 'Internal Server Error'),

    async handle(request: RecordedRequest): Promise<FakeReply> {
      const mediaPath = MEDIA_PATH.exec(request.path);
      if (request.method === 'GET' && mediaPath) return mediaRedirect(request, mediaPath[1] ?? '', mediaPath[2] ?? '');
      const messagePath = MESSAGE_PATH.exec(request.path);
      if (request.method === 'DELETE' && messagePath) {
        return deleteMessage(request, decodeURIComponent(messagePath[1] ?? ''), decodeURIComponent(messagePath[2] ?? ''));
      }
      const match = MESSAGES_PATH.exec(request.path);
      if (request.method !== 'POST' || !match) {
        return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
      }
      const accountSid = decodeURIComponent(match[1] ?? '');
      const credentials = authenticated(request, accountSid);
      if (!credentials) return twilioError(401, 20003, 'Authenticate');
      const form = (typeof request.body === 'object' ? request.body : {}) as TwilioSendForm;
      if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
      if (!form.From && !form.MessagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
      if (!form.Body && !form.ContentSid && !form.MediaUrl) return twilioError(400, 21602, 'Message body is required.');
      const magic = MAGIC_RECIPIENTS[form.To.replace(/^whatsapp:/, '')];
      if (magic) return twilioError(400, magic[0], magic[1]);

      const mediaUrls = new URLSearchParams(request.rawBody).getAll('MediaUrl');
      if (mediaUrls.length > 10) return twilioError(400, 21623, 'Number of media files exceeds allowed limit');

      const sid = twilioSid();
      // Twilio fetches each MediaUrl (a HEAD for its type, then the file) before it sends.
      for (const url of mediaUrls) mediaFetched.push(await fetchAsProvider(sid, url, { head: true }));
      sent.push({ ...request, body: form, id: sid });
      accepted.set(sid, { form, accountSid, authToken: credentials.password });
      const now = new Date().toUTCString();
      return {
        status: 201,
        body: {
          account_sid: accountSid,
          api_version: '2010-04-01',
          body: form.Body ?? '',
          date_created: now,
          date_sent: null,
          date_updated: now,
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: form.From ?? null,
          messaging_service_sid: form.MessagingServiceSid ?? null,
          num_media: String(mediaUrls.length),
          num_segments: '1',
          price: null,
          price_unit: 'USD',
          sid,
          status: 'queued',
          subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
          to: form.To,
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        },
      };
    },
  });

  return {
    ...server,
    sent,
    mediaFetched,
    storage,
    deletedMessages,
    failDeletes(n, kind) {
      for (let i = 0; i < n; i += 1) deleteFailures.push(kind);
    },
    addMedia(accountSid, file) {
      const messageSid = twilioSid('MM');
      const mediaSid = `ME${randomBytes(16).toString('hex')}`;
      const signature = randomBytes(12).toString('base64url');
      const stored = `/${accountSid}/${randomBytes(16).toString('hex')}?Expires=${Math.floor(Date.now() / 1000) + 300}&Signature=${signature}`;
      // A signed URL carries its own authorisation; S3 refuses a request that also brings a header.
      storage.serve(stored, file, (request, url) =>
        request.headers.authorization
          ? { status: 400, body: 'InvalidArgument: Only one auth mechanism allowed' }
          : url.searchParams.get('Signature') === signature,
      );
      media.set(mediaSid, { accountSid, stored });
      return {
        url: `${server.url}/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${mediaSid}`,
        contentType: file.contentType,
        stored,
      };
    },
    async close() {
      await storage.close();
      await server.close();
    },
    postInbound(webhookUrl, input, authToken) {
      return deliverWebhook(webhookUrl, signTwilioWebhook(webhookUrl, twilioInboundFields(input), authToken));
    },
    postStatus(messageSid, status, statusOptions = {}) {
      const message = accepted.get(messageSid);
      if (!message) throw new Error(`fake Twilio never accepted ${messageSid}`);
      const url = statusOptions.url ?? message.form.StatusCallback;
      if (!url) throw new Error(`the send of ${messageSid} had no StatusCallback`);
      const fields = twilioStatusFields({
        messageSid,
        status,
        from: message.form.From ?? message.form.MessagingServiceSid ?? '',
        to: message.form.To ?? '',
        accountSid: message.accountSid,
        errorCode: statusOptions.errorCode,
        errorMessage: statusOptions.errorMessage,
      });
      return deliverWebhook(url, signTwilioWebhook(url, fields, message.authToken));
    },
  };
}

function basicAuth(header: string | undefined): { user: string; password: string } | null {
  const encoded = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
