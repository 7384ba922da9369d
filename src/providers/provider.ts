import type { MessageStatus } from '../domain/message-status.js';
import type { MediaCapabilities } from '../domain/media-limits.js';
import type { Channel, ProviderName } from '../domain/providers.js';

/**
 * The port every messaging provider implements (DESIGN.md §3). The webhook routes, the
 * services and the outbox know only this interface; each adapter knows one wire format.
 */

/** An HTTP request as a webhook adapter sees it: raw bytes, for signatures. */
export interface WebhookRequest {
  method: string;
  /**
   * The full URL the provider called, as the provider saw it: `PUBLIC_URL` (or the
   * `X-Forwarded-Proto`/`X-Forwarded-Host` headers) plus the path and query string.
   */
  publicUrl: string;
  /** Header names are lower case. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  query: Record<string, string>;
  remoteAddress: string;
}

/** A media item an inbound message carried, as its adapter will fetch it (DESIGN.md §6). */
export interface MediaItem {
  /**
   * What the adapter's `fetchMedia` takes: Twilio's `MediaUrl{N}`, the item's URL on Vonage,
   * Meta's media id, or, on the sandbox, the id of an upload of the same organisation.
   */
  ref: string;
  /** The type the provider declared; the stored type is taken from the bytes. */
  contentType: string | null;
  /** The file's name, where the provider gives one (WhatsApp documents). */
  name: string | null;
}

/** An inbound media item's bytes as the provider serves them, read once, a chunk at a time. */
export interface FetchedMedia {
  body: AsyncIterable<Uint8Array>;
  contentType: string | null;
  name: string | null;
  /** The size the provider announced (`Content-Length`, Meta's `file_size`), when it did. */
  length: number | null;
}

export interface InboundMessage {
  providerMessageId: string;
  /** The sender as the provider wrote it; the service normalises it (rule 2). */
  from: string;
  text: string;
  media: MediaItem[];
  profileName?: string;
}

export interface StatusUpdate {
  providerMessageId: string;
  status: MessageStatus;
  errorCode?: string;
  /** A sentence a case worker can read, e.g. "The recipient has opted out (21610)". */
  errorText?: string;
  /** The provider says the recipient has unsubscribed from this number: record the opt-out. */
  optedOut?: boolean;
  /**
   * The recipient as the provider wrote it, when the report names one: it lets an opt-out
   * be recorded even when the report arrives before the send's provider id is stored.
   */
  recipient?: string;
}

/** What one webhook carried. Meta posts messages and statuses to one URL, so either may appear. */
export interface ParsedWebhook {
  messages: InboundMessage[];
  statuses: StatusUpdate[];
}

export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A WhatsApp template of a number's library, as a send carries it (rule 12). */
export interface TemplateConfig {
  name: string;
  language: string;
  /** Body parameters in order; `{text}` is replaced by the text the case worker typed. */
  parameters: string[];
  /**
   * The values the worker filled in for `{{1}}`, `{{2}}`… when they chose the template
   * (`Notification.template` as an object): sent as they are, and `parameters` are not read.
   */
  values?: string[];
}

/** The credentials of each provider, as DESIGN.md §4 names them. */
export interface CredentialsByProvider {
  sandbox: { webhookSecret: string };
  twilio: { accountSid: string; authToken: string };
  vonage: { applicationId: string; privateKey: string; signatureSecret: string };
  /** `businessAccountId` (optional): the WhatsApp Business Account that holds the number's templates, for a sync. */
  'whatsapp-cloud': { phoneNumberId: string; accessToken: string; appSecret: string; verifyToken: string; businessAccountId?: string };
  africastalking: { username: string; apiKey: string; allowedIps?: string[] };
}
export type Credentials = CredentialsByProvider[ProviderName];

/** A number as an adapter needs it, with its credentials decrypted. */
export interface ProviderNumber<P extends ProviderName = ProviderName> {
  id: string;
  provider: P;
  channel: Channel;
  ourNumber: string;
  credentials: CredentialsByProvider[P];
  template: TemplateConfig | null;
}

/** An attachment of a send (DESIGN.md §6), its type read from its bytes when it was uploaded. */
export interface OutboundMedia {
  id: string;
  contentType: string;
  size: number;
  name: string | null;
  /**
   * `/media/out/{token}` under `PUBLIC_URL`: a link made for this attempt, valid for 24
   * hours, for providers that fetch the file themselves (Twilio, Vonage).
   */
  publicUrl: string;
  /** The bytes, for providers that take an upload (Meta). */
  open(): Promise<AsyncIterable<Uint8Array>>;
}

export interface OutboundMessage {
  /** Our message id: adapters may pass it as a client reference. */
  messageId: string;
  /** E.164. */
  to: string;
  /** May be the case reference alone when the message is its attachments. */
  text: string;
  /** Send the number's template instead of free text (outside the WhatsApp window). */
  template: TemplateConfig | null;
  /** Where the provider should post delivery reports for this message. */
  statusCallbackUrl: string;
  /** Attachments, in order, within the adapter's declared `media` limits (checked before queueing). */
  media: OutboundMedia[];
}

/** A message template as the provider keeps it, with its review status (Meta: `APPROVED`, `PENDING`, `REJECTED`…). */
export interface ProviderTemplate {
  name: string;
  language: string;
  status: string;
  /** The body text with `{{1}}`, `{{2}}`…. */
  body: string;
  /** One example or name per placeholder, in order. */
  parameters: string[];
}

export interface SendResult {
  providerMessageId: string;
  /** Usually `sent`; the sandbox reports `delivered` at once. */
  status: MessageStatus;
}

/**
 * A failed send. `transient` failures are retried with backoff (network, timeouts, 5xx,
 * 429); `permanent` ones fail the message at once with `reason` shown to the case worker.
 */
export class SendError extends Error {
  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly reason: string,
    readonly options: { code?: string; retryAfterMs?: number; optedOut?: boolean } = {},
  ) {
    super(reason);
    this.name = 'SendError';
  }
}

export interface ProviderAdapter<P extends ProviderName = ProviderName> {
  readonly name: P;
  /** The channels numbers of this provider can use (DESIGN.md §3); a number on another is refused. */
  readonly channels: readonly Channel[];
  /** What each channel carries as attachments, from the provider's documentation; a channel left out carries none. */
  readonly media: MediaCapabilities;
  /** Checks the shape of credentials when a number is saved; throws `validation_failed`. */
  validateCredentials(raw: unknown): CredentialsByProvider[P];
  /** Throws `DomainError('invalid_signature')` unless the request comes from the provider. */
  verify(request: WebhookRequest, number: ProviderNumber<P>): void;
  /** Throws `DomainError('bad_request')` for a body that is not the provider's format. */
  parse(request: WebhookRequest, number: ProviderNumber<P>): ParsedWebhook;
  /** The body the provider expects once a webhook is stored. */
  acknowledge(): WebhookAnswer;
  /** A GET verification handshake (Meta's `hub.challenge`), when the provider has one. */
  handshake?(request: WebhookRequest, number: ProviderNumber<P>): WebhookAnswer;
  send(message: OutboundMessage, number: ProviderNumber<P>): Promise<SendResult>;
  /**
   * The number's message templates as the provider holds them, where it keeps a list (Meta).
   * Failures are `SendError`s, as for a send.
   */
  listTemplates?(number: ProviderNumber<P>): Promise<ProviderTemplate[]>;
  /**
   * Downloads an inbound media item (`MediaItem.ref`) with the number's credentials, where
   * the provider sends media to fetch. The body is read within `signal`, which the caller
   * aborts to stop the download. Failures are `SendError`s: `permanent` when the provider no
   * longer has the file or refuses it (404, 410, 403), `transient` for 5xx, 429, a network
   * failure or a timeout.
   */
  fetchMedia?(ref: string, number: ProviderNumber<P>, signal: AbortSignal): Promise<FetchedMedia>;
  /**
   * Deletes the provider's copy of a message (Twilio's Message resource), for retention and
   * erasure (DESIGN.md §9). A copy the provider no longer has counts as deleted. Failures
   * are `SendError`s, as for a send.
   */
  deleteMessage?(providerMessageId: string, number: ProviderNumber<P>): Promise<void>;
  /** Deletes the provider's copy of an inbound media item (`MediaItem.ref`, Meta's media id), as `deleteMessage`. */
  deleteMedia?(ref: string, number: ProviderNumber<P>): Promise<void>;
}

export type ProviderRegistry = { [P in ProviderName]?: ProviderAdapter<P> };
