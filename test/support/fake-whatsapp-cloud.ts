import { createHash, createHmac, randomBytes } from 'node:crypto';
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

/**
 * A fake Meta Graph API for WhatsApp Cloud (`POST /{version}/{phone-number-id}/messages`,
 * Bearer access token) that also plays Meta's webhooks: one payload shape for messages and
 * statuses, signed with `X-Hub-Signature-256`, and the GET verification handshake.
 */

export type WhatsAppSendBody = Record<string, unknown>;

export interface FakeWhatsAppCloudOptions {
  /** phoneNumberId → access token. When given, other ids and tokens are refused as Meta does. */
  phoneNumbers?: Record<string, string>;
  /** WhatsApp Business Account id → access token: the accounts whose templates `GET …/message_templates` lists. */
  businessAccounts?: Record<string, string>;
}

/** A message template as Meta's Graph API lists it (`GET /{version}/{waba-id}/message_templates`). */
export interface MetaTemplate {
  id: string;
  name: string;
  language: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
  category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: Array<Record<string, unknown>>;
}

export interface WhatsAppInboundInput {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  /** The sender's WhatsApp id: digits without `+`. */
  from: string;
  text?: string;
  image?: { id?: string; mimeType?: string; caption?: string };
  /** Any media kind, as Meta posts it: `filename` on documents, `voice` on voice notes. */
  media?: {
    type: 'image' | 'audio' | 'video' | 'document' | 'sticker';
    id: string;
    mimeType: string;
    caption?: string;
    filename?: string;
    voice?: boolean;
  };
  profileName?: string;
  messageId?: string;
}

export type WhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface WhatsAppStatusError {
  code: number;
  title: string;
  message?: string;
  details?: string;
}

export interface WhatsAppStatusInput {
  phoneNumberId: string;
  messageId: string;
  status: WhatsAppStatus;
  recipientId: string;
  errors?: WhatsAppStatusError[];
}

export interface FakeWhatsAppCloud extends FakeServer {
  /** Sends Meta accepted, with the JSON body as received; `id` is the wamid it answered. */
  sent: SentRequest<WhatsAppSendBody>[];
  /** The templates a business account holds, in the order Meta lists them. */
  setTemplates(businessAccountId: string, templates: MetaTemplate[]): void;
  postInbound(webhookUrl: string, input: WhatsAppInboundInput, appSecret: string): Promise<WebhookResponse>;
  /** A status for a message this fake accepted; Meta posts statuses to the app's one webhook URL. */
  postStatus(
    webhookUrl: string,
    messageId: string,
    status: WhatsAppStatus,
    appSecret: string,
    options?: { errors?: WhatsAppStatusError[] },
  ): Promise<WebhookResponse>;
  /** Meta's GET verification request; answers the status and body our server gave. */
  handshake(webhookUrl: string, verifyToken: string, challenge?: string): Promise<WebhookResponse>;
  /** Files uploaded to `/{phone-number-id}/media` for sends, in order. */
  uploads: UploadedMedia[];
  /** Meta's download host (`lookaside.fbsbx.com`): the `url` a media id's metadata names, fetched with the access token. */
  lookaside: FakeMediaHost;
  /**
   * Keeps a file a person sent to `phoneNumberId`: `id` is its media id (`GET /{version}/{id}`
   * with the number's token answers its metadata), `target` its path and query on `lookaside`.
   */
  addMedia(phoneNumberId: string, file: HostedFile): { id: string; target: string };
  /** Media deleted (`DELETE /{version}/{media-id}`, answered `{"success": true}`), in order. */
  deletedMedia: DeletedMedia[];
  /**
   * The next `n` media deletions answer this way instead: `500` and `429` as Meta's outages,
   * `404` as a media id it no longer knows.
   */
  failDeletes(n: number, kind: '500' | '429' | '404'): void;
}

/** A media item the fake deleted, with the request's token and `phone_number_id`. */
export interface DeletedMedia {
  id: string;
  phoneNumberId: string;
  authorization: string;
  query: Record<string, string>;
}

export function whatsappMessageId(): string {
  return `wamid.${randomBytes(24).toString('base64')}`;
}

export function metaError(status: number, code: number, message: string, extra: Record<string, unknown> = {}): FakeReply {
  return {
    status,
    body: { error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: randomBytes(8).toString('hex') } },
  };
}

function notification(phoneNumberId: string, displayPhoneNumber: string, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** The notification Meta posts for an incoming message. */
export function whatsappInboundPayload(input: WhatsAppInboundInput): Record<string, unknown> {
  const message: Record<string, unknown> = {
    from: input.from,
    id: input.messageId ?? whatsappMessageId(),
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  if (input.media) {
    const { type, id, mimeType, caption, filename, voice } = input.media;
    message.type = type;
    message[type] = {
      ...(caption ? { caption } : {}),
      ...(filename ? { filename } : {}),
      mime_type: mimeType,
      sha256: randomBytes(32).toString('base64'),
      id,
      ...(voice ? { voice: true } : {}),
    };
  } else if (input.image) {
    message.type = 'image';
    message.image = {
      id: input.image.id ?? String(Date.now()),
      mime_type: input.image.mimeType ?? 'image/jpeg',
      sha256: randomBytes(32).toString('base64'),
      ...(input.image.caption ? { caption: input.image.caption } : {}),
    };
  } else {
    message.type = 'text';
    message.text = { body: input.text ?? '' };
  }
  return notification(input.phoneNumberId, input.displayPhoneNumber ?? '15550783881', {
    contacts: [{ profile: { name: input.profileName ?? 'Kerry Fisher' }, wa_id: input.from }],
    messages: [message],
  });
}

/** The notification Meta posts when a message we sent changes status. */
export function whatsappStatusPayload(input: WhatsAppStatusInput, displayPhoneNumber = '15550783881') {
  const status: Record<string, unknown> = {
    id: input.messageId,
    status: input.status,
    timestamp: String(Math.floor(Date.now() / 1000)),
    recipient_id: input.recipientId,
  };
  if (input.status === 'sent' || input.status === 'delivered') {
    status.conversation = { id: randomBytes(16).toString('hex'), origin: { type: 'service' } };
    status.pricing = { billable: true, pricing_model: 'CBP', category: 'service' };
  }
  if (input.errors) {
    status.errors = input.errors.map((error) => ({
      code: error.code,
      title: error.title,
      message: error.message ?? error.title,
      error_data: { details: error.details ?? error.title },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    }));
  }
  return notification(input.phoneNumberId, displayPhoneNumber, { statuses: [status] });
}

/** Signs a payload with the app secret as Meta does. */
export function signWhatsAppWebhook(payload: unknown, appSecret: string): WebhookDelivery {
  const body = JSON.stringify(payload);
  return {
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    },
    body,
  };
}

const MESSAGES_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/;
const TEMPLATES_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/message_templates$/;
const MEDIA_PATH = /^\/(v\d+\.\d+)\/(\d+)$/;
const UPLOAD_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/media$/;
/** The media messages Meta sends by id, and what each may carry besides. */
const MEDIA_MESSAGES: Record<string, readonly string[]> = {
  image: ['id', 'caption'],
  audio: ['id'],
  video: ['id', 'caption'],
  document: ['id', 'caption', 'filename'],
};

/** A file uploaded to `POST /{version}/{phone-number-id}/media`, as the multipart form carried it. */
export interface UploadedMedia {
  id: string;
  phoneNumberId: string;
  /** The form's `type` field. */
  type: string;
  /** The file part's own name and type. */
  filename: string;
  partType: string;
  bytes: Buffer;
}

/** A template in Meta's shape: a header, a body with `{{n}}` and its examples, a footer. */
export function metaTemplate(input: {
  name: string;
  language?: string;
  status?: MetaTemplate['status'];
  body: string;
  examples?: string[];
  namedParameters?: boolean;
}): MetaTemplate {
  const body: Record<string, unknown> = { type: 'BODY', text: input.body };
  if (input.examples) body.example = { body_text: [input.examples] };
  return {
    id: String(1_000_000_000_000 + Math.floor(Math.random() * 1e12)),
    name: input.name,
    language: input.language ?? 'en_GB',
    status: input.status ?? 'APPROVED',
    category: 'UTILITY',
    parameter_format: input.namedParameters ? 'NAMED' : 'POSITIONAL',
    components: [{ type: 'HEADER', format: 'TEXT', text: 'Helpline' }, body, { type: 'FOOTER', text: 'Reply STOP to opt out' }],
  };
}

export async function startFakeWhatsAppCloud(options: FakeWhatsAppCloudOptions = {}): Promise<FakeWhatsAppCloud> {
  const sent: SentRequest<WhatsAppSendBody>[] = [];
  /** Which number sent each accepted message, so its statuses carry the right metadata. */
  const senders = new Map<string, { phoneNumberId: string; to: string }>();

  const templates = new Map<string, MetaTemplate[]>();
  const uploads: UploadedMedia[] = [];

  /**
   * `POST /{version}/{phone-number-id}/media`: a multipart form (`messaging_product`,
   * `type`, `file`), parsed as a server would; answers the new media id.
   */
  async function upload(request: RecordedRequest, phoneNumberId: string): Promise<FakeReply> {
    const token = tokenFor(request.headers.authorization, phoneNumberId);
    if (token === 'missing') return metaError(401, 190, 'An active access token must be used to query information.');
    if (token === 'wrong' || (options.phoneNumbers && options.phoneNumbers[phoneNumberId] === undefined)) {
      return metaError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    let form: FormData;
    try {
      const contentType = String(request.headers['content-type'] ?? '');
      if (!contentType.startsWith('multipart/form-data')) throw new Error('not multipart');
      form = await new Response(new Uint8Array(request.rawBytes), { headers: { 'content-type': contentType } }).formData();
    } catch {
      return metaError(400, 100, '(#100) The request must be multipart/form-data');
    }
    const file = form.get('file');
    const type = form.get('type');
    if (form.get('messaging_product') !== 'whatsapp') return metaError(400, 100, '(#100) The parameter messaging_product is required.');
    if (typeof file === 'string' || file === null) return metaError(400, 100, '(#100) The parameter file is required.');
    if (typeof type !== 'string' || !type) return metaError(400, 100, '(#100) The parameter type is required.');
    const id = String(2_000_000_000_000_000 + uploads.length);
    uploads.push({ id, phoneNumberId, type, filename: file.name, partType: file.type, bytes: Buffer.from(await file.arrayBuffer()) });
    return { status: 200, body: { id } };
  }

  const lookaside = await startFakeMediaHost();
  /** Media id → the number that received it, the file and where its bytes are on `lookaside`. */
  const media = new Map<string, { phoneNumberId: string; file: HostedFile; target: string }>();
  const deletedMedia: DeletedMedia[] = [];
  const deleteFailures: Array<'500' | '429' | '404'> = [];

  /** The bearer token of a request, checked against the number's when the fake knows it. */
  function tokenFor(authorization: string | undefined, phoneNumberId: string): 'missing' | 'wrong' | 'ok' {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'missing';
    const expected = options.phoneNumbers?.[phoneNumberId];
    return expected !== undefined && token !== expected ? 'wrong' : 'ok';
  }

  /** `GET /{version}/{media-id}`: the file's metadata, with a short-lived `url` on `lookaside`. */
  function mediaMetadata(request: RecordedRequest, mediaId: string): FakeReply {
    const item = media.get(mediaId);
    const token = tokenFor(request.headers.authorization, item?.phoneNumberId ?? '');
    if (token === 'missing') return metaError(401, 190, 'An active access token must be used to query information.');
    if (!item) {
      return metaError(400, 100, `Unsupported get request. Object with ID '${mediaId}' does not exist.`, { error_subcode: 33 });
    }
    if (token === 'wrong') return metaError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    const asked = request.query.phone_number_id;
    if (asked !== undefined && asked !== item.phoneNumberId) {
      return metaError(400, 100, 'Param phone_number_id does not match the business phone number the media was received on');
    }
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        url: `${lookaside.url}${item.target}`,
        mime_type: item.file.contentType,
        sha256: createHash('sha256').update(item.file.bytes).digest('hex'),
        file_size: item.file.bytes.length,
        id: mediaId,
      },
    };
  }

  /**
   * `DELETE /{version}/{media-id}` with the number's token: the file goes, and its id is
   * unknown afterwards (code 100, as for any id Meta does not know).
   */
  function deleteMedia(request: RecordedRequest, mediaId: string): FakeReply {
    const item = media.get(mediaId);
    const token = tokenFor(request.headers.authorization, item?.phoneNumberId ?? '');
    if (token === 'missing') return metaError(401, 190, 'An active access token must be used to query information.');
    const failure = deleteFailures.shift();
    if (failure === '500') return metaError(500, 1, 'An unknown error has occurred.');
    if (failure === '429') return { ...metaError(429, 130429, 'Rate limit hit'), headers: { 'retry-after': '2' } };
    if (failure === '404' || !item) {
      return metaError(400, 100, `Unsupported delete request. Object with ID '${mediaId}' does not exist.`, { error_subcode: 33 });
    }
    if (token === 'wrong') return metaError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    const asked = request.query.phone_number_id;
    if (asked !== undefined && asked !== item.phoneNumberId) {
      return metaError(400, 100, 'Param phone_number_id does not match the business phone number the media was received on');
    }
    media.delete(mediaId);
    deletedMedia.push({
      id: mediaId,
      phoneNumberId: item.phoneNumberId,
      authorization: request.headers.authorization ?? '',
      query: request.query,
    });
    return { status: 200, body: { success: true } };
  }

  /** Meta's cursor paging: `limit` per page (25 by default), `after` an opaque cursor, `next` while more follow. */
  function listTemplates(request: RecordedRequest, businessAccountId: string): FakeReply {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return metaError(401, 190, 'An active access token must be used to query information.');
    const expected = options.businessAccounts?.[businessAccountId];
    if (expected === undefined) {
      return metaError(400, 100, `Unsupported get request. Object with ID '${businessAccountId}' does not exist.`, { error_subcode: 33 });
    }
    if (token !== expected) return metaError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    const all = templates.get(businessAccountId) ?? [];
    const limit = Math.min(Number(request.query.limit ?? 25) || 25, 100);
    const start = request.query.after ? Number(Buffer.from(request.query.after, 'base64url').toString()) : 0;
    const page = all.slice(start, start + limit);
    const fields = request.query.fields ? new Set(['id', ...request.query.fields.split(',')]) : null;
    const data = page.map((t) => (fields ? Object.fromEntries(Object.entries(t).filter(([key]) => fields.has(key))) : t));
    const cursor = (index: number) => Buffer.from(String(index)).toString('base64url');
    const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + page.length) } };
    if (start + page.length < all.length) {
      const next = new URL(`${server.url}${request.path}`);
      for (const [key, value] of Object.entries(request.query)) next.searchParams.set(key, value);
      next.searchParams.set('after', cursor(start + page.length));
      paging.next = next.toString();
    }
    return { status: 200, body: { data, paging } };
  }

  const server = await startFakeServer({
    failure: (kind) =>
      kind === '429'
        ? { ...metaError(429, 130429, 'Rate limit hit'), headers: { 'retry-after': '2' } }
        : metaError(500, 1, 'An unknown error has occurred.'),

    async handle(request: RecordedRequest): Promise<FakeReply> {
      const uploadPath = UPLOAD_PATH.exec(request.path);
      if (request.method === 'POST' && uploadPath) return upload(request, uploadPath[2] ?? '');
      const mediaPath = MEDIA_PATH.exec(request.path);
      if (request.method === 'GET' && mediaPath) return mediaMetadata(request, mediaPath[2] ?? '');
      if (request.method === 'DELETE' && mediaPath) return deleteMedia(request, mediaPath[2] ?? '');
      const templatePath = TEMPLATES_PATH.exec(request.path);
      if (request.method === 'GET' && templatePath) return listTemplates(request, templatePath[2] ?? '');
      const match = MESSAGES_PATH.exec(request.path);
      if (request.method !== 'POST' || !match) return metaError(400, 100, 'Unknown path components', { error_subcode: 33 });
      const phoneNumberId = match[2] ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!token) return metaError(401, 190, 'An active access token must be used to query information.');
      if (options.phoneNumbers) {
        const expected = options.phoneNumbers[phoneNumberId];
        if (expected === undefined) {
          return metaError(400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist.`, {
            error_subcode: 33,
          });
        }
        if (token !== expected) return metaError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
      }
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as WhatsAppSendBody;
      const problem = invalidBody(body);
      if (problem) return metaError(400, 100, `(#100) ${problem}`);
      // invalidBody has checked that a media message names its id as a string.
      const mediaId = MEDIA_MESSAGES[String(body.type)] ? (body[String(body.type)] as { id: string }).id : undefined;
      if (mediaId !== undefined && uploads.find((item) => item.id === mediaId)?.phoneNumberId !== phoneNumberId) {
        return metaError(400, 131053, `(#131053) Media upload error: the media id ${mediaId} was not uploaded for this number`);
      }

      const id = whatsappMessageId();
      const to = String(body.to);
      sent.push({ ...request, body, id });
      senders.set(id, { phoneNumberId, to });
      return {
        status: 200,
        body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] },
      };
    },
  });

  return {
    ...server,
    sent,
    uploads,
    lookaside,
    deletedMedia,
    failDeletes(n, kind) {
      for (let i = 0; i < n; i += 1) deleteFailures.push(kind);
    },
    addMedia(phoneNumberId, file) {
      const id = String(1_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
      const target = `/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(Date.now() / 1000)}&hash=${randomBytes(16).toString('base64url')}`;
      // Meta's download URL asks for the same access token as the API.
      lookaside.serve(target, file, (request) => tokenFor(request.headers.authorization, phoneNumberId) === 'ok');
      media.set(id, { phoneNumberId, file, target });
      return { id, target };
    },
    async close() {
      await lookaside.close();
      await server.close();
    },
    setTemplates(businessAccountId, list) {
      templates.set(businessAccountId, list);
    },
    postInbound(webhookUrl, input, appSecret) {
      return deliverWebhook(webhookUrl, signWhatsAppWebhook(whatsappInboundPayload(input), appSecret));
    },
    postStatus(webhookUrl, messageId, status, appSecret, statusOptions = {}) {
      const sender = senders.get(messageId);
      if (!sender) throw new Error(`fake WhatsApp never accepted ${messageId}`);
      const payload = whatsappStatusPayload({
        phoneNumberId: sender.phoneNumberId,
        messageId,
        status,
        recipientId: sender.to,
        errors: statusOptions.errors,
      });
      return deliverWebhook(webhookUrl, signWhatsAppWebhook(payload, appSecret));
    },
    async handshake(webhookUrl, verifyToken, challenge = String(Math.floor(Math.random() * 1e9))) {
      const url = new URL(webhookUrl);
      url.searchParams.set('hub.mode', 'subscribe');
      url.searchParams.set('hub.verify_token', verifyToken);
      url.searchParams.set('hub.challenge', challenge);
      const response = await fetch(url);
      return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
    },
  };
}

function invalidBody(body: WhatsAppSendBody): string | null {
  if (body.messaging_product !== 'whatsapp') return 'The parameter messaging_product is required.';
  if (typeof body.to !== 'string' || !/^\d{7,15}$/.test(body.to)) return 'Invalid parameter: to';
  if (body.type === 'text') {
    const text = body.text as { body?: unknown } | undefined;
    return typeof text?.body === 'string' && text.body ? null : 'The parameter text[body] is required.';
  }
  if (body.type === 'template') {
    const template = body.template as { name?: unknown; language?: { code?: unknown } } | undefined;
    if (typeof template?.name !== 'string') return 'The parameter template[name] is required.';
    return typeof template.language?.code === 'string' ? null : 'The parameter template[language] is required.';
  }
  const allowed = MEDIA_MESSAGES[String(body.type)];
  if (allowed) {
    const content = (body[String(body.type)] ?? {}) as Record<string, unknown>;
    if (typeof content.id !== 'string') return `The parameter ${String(body.type)}[id] is required.`;
    const unknown = Object.keys(content).find((key) => !allowed.includes(key));
    return unknown ? `Param ${String(body.type)}['${unknown}'] is not a valid parameter.` : null;
  }
  return 'Invalid parameter: type';
}
