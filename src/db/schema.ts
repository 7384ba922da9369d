import type { Generated } from 'kysely';
import type { MediaDirection, MediaStatus } from '../domain/media.js';
import type { Direction, MessageStatus } from '../domain/message-status.js';
import type { ConsoleLanguage } from '../domain/languages.js';
import type { Channel, ProviderName } from '../domain/providers.js';
import type { Role } from '../domain/roles.js';
import type { TwoFactorPolicy } from '../domain/sign-in.js';
import type { CaseStatus } from '../domain/survey.js';

// The domain owns these lists; the tables store them.
export type { Channel, Direction, MessageStatus, ProviderName, Role };

/**
 * Table types. Times are integer milliseconds since the epoch (portable and cheap to
 * compare on both dialects); JSON is stored as text and parsed in the services.
 */
export interface Database {
  organisations: OrganisationTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  surveys: SurveyTable;
  numbers: NumberTable;
  records: RecordTable;
  messages: MessageTable;
  record_messages: RecordMessageTable;
  notes: NoteTable;
  history: HistoryTable;
  outbox: OutboxTable;
  opt_outs: OptOutTable;
  whatsapp_addresses: WhatsAppAddressTable;
  early_statuses: EarlyStatusTable;
  server_settings: ServerSettingTable;
  labels: LabelTable;
  record_labels: RecordLabelTable;
  saved_replies: SavedReplyTable;
  media: MediaTable;
  media_blobs: MediaBlobTable;
  media_chunks: MediaChunkTable;
  media_links: MediaLinkTable;
  jobs: JobTable;
  alert_firings: AlertFiringTable;
  alerts: AlertTable;
  recovery_codes: RecoveryCodeTable;
  access_log: AccessLogTable;
  privacy_audit: PrivacyAuditTable;
  report_counts: ReportCountTable;
  outbound_webhooks: OutboundWebhookTable;
  outbound_webhook_deliveries: OutboundWebhookDeliveryTable;
  outbound_webhook_attempts: OutboundWebhookAttemptTable;
}

export interface LabelTable {
  id: string;
  org_id: string;
  name: string;
  /** The name folded for uniqueness per organisation (src/domain/labels.ts, migration 009). */
  name_key: string;
  /** `#rrggbb`. */
  color: string;
  created_at: number;
  updated_at: number;
}

export interface RecordLabelTable {
  record_id: string;
  label_id: string;
  added_at: number;
}

export interface SavedReplyTable {
  id: string;
  org_id: string;
  title: string;
  /** May hold `{case}`, `{contact}` and `{worker}`, filled when inserted. */
  text: string;
  language: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ServerSettingTable {
  name: string;
  value: string;
}

export interface OrganisationTable {
  id: string;
  name: string;
  last_case_number: number;
  created_at: number;
  /** 1: analysts and viewers never receive a full contact number (DESIGN.md §9). */
  mask_contacts: Generated<number>;
  /** Who must sign in with two factors. */
  require_two_factor: Generated<TwoFactorPolicy>;
  /** A session unused this long ends. */
  session_idle_minutes: Generated<number>;
}

export type { TwoFactorPolicy };

export interface UserTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  active: number;
  created_at: number;
  updated_at: number;
  /** 1 when the user takes auto-assigned cases (DESIGN.md §7); off until they set it. */
  available: number;
  /** Open cases auto-assignment may give this user. */
  capacity: number;
  /** The TOTP secret, sealed (src/services/security.ts); set at enrolment. */
  totp_secret: string | null;
  /** When enrolment was confirmed with a code; null: no two-factor sign-in. */
  totp_enabled_at: number | null;
  /** The last TOTP time step accepted: a code of that step or earlier is refused. */
  totp_last_step: number | null;
  /** The console language the user chose (src/domain/languages.ts); null: the browser's. */
  language: ConsoleLanguage | null;
}

export interface SessionTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  /** The idle timeout counts from here. */
  last_seen_at: number;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
}

export interface SurveyTable {
  id: string;
  org_id: string;
  name: string;
  questions: string;
  case_management: string | null;
  /** 1: new cases go to the available analyst with the fewest open cases (DESIGN.md §7). */
  auto_assign: number;
  /** JSON `BusinessHours` (src/domain/business-hours.ts); null: always open. */
  business_hours: string | null;
  /** JSON `AlertSettings` (src/domain/time-rules.ts); null when off. */
  alerts: string | null;
  /** JSON `AutoCloseSettings` (src/domain/time-rules.ts); null when off. */
  auto_close: string | null;
  /** JSON `RetentionSettings` (src/domain/retention.ts); null when off. */
  retention: string | null;
  created_at: number;
  updated_at: number;
}

export interface NumberTable {
  id: string;
  org_id: string;
  survey_id: string;
  provider: ProviderName;
  channel: Channel;
  our_number: string;
  their_number_question: string;
  conversation_question: string;
  multi_case_reply: string | null;
  /** JSON `Acknowledgement` (src/domain/time-rules.ts); null when off. */
  acknowledgement: string | null;
  /** AES-256-GCM sealed JSON of the provider credentials. */
  credentials: string;
  /** JSON list of message templates `{name, language, body, parameters}` (migration 007); '[]' for none. */
  templates: string;
  send_rate_per_second: number;
  /** The earliest time the next send on this number may start (the per-number pace). */
  next_send_at: number;
  created_at: number;
  updated_at: number;
  /** Archived: webhooks answer 404 and replies are refused until restored. */
  deleted_at: number | null;
  /** The secret segment of the webhook paths; the id alone grants nothing. */
  webhook_token: string;
}

export interface RecordTable {
  id: string;
  org_id: string;
  survey_id: string;
  case_number: number;
  contact: string | null;
  number_id: string | null;
  answers: string;
  /** Derived from the answers and the survey's case management; stored to index on it. */
  status: CaseStatus;
  locked_by: string | null;
  locked_at: number | null;
  /** Raised by every change to answers or status (stale writes are refused). */
  version: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  /** The first inbound message no person has answered since; null when answered. */
  waiting_since: number | null;
  /** When retention or an erasure emptied the case (DESIGN.md §9); null while it holds its data. */
  redacted_at: number | null;
  /** When a person first answered the case (not an automatic message); null until then. */
  first_response_at: number | null;
  /** How long that first answer came after the inbound message that made the case wait. */
  first_response_ms: number | null;
  first_response_by: string | null;
}

export interface MessageTable {
  id: string;
  org_id: string;
  number_id: string;
  direction: Direction;
  contact: string;
  body: string;
  provider_message_id: string | null;
  status: MessageStatus;
  error_code: string | null;
  error_text: string | null;
  author_id: string | null;
  /** 1 when the system wrote it (acknowledgement, closing text, multi-case reply); it answers no one. */
  automatic: number;
  created_at: number;
  updated_at: number;
}

export interface RecordMessageTable {
  record_id: string;
  message_id: string;
  added_at: number;
}

export interface NoteTable {
  id: string;
  record_id: string;
  author_id: string | null;
  text: string;
  created_at: number;
}

export interface HistoryTable {
  id: Generated<number>;
  record_id: string;
  user_id: string | null;
  action: string;
  /** JSON object describing the change. */
  detail: string;
  created_at: number;
}

export type OutboxState = 'pending' | 'sending' | 'done' | 'failed';

export interface OutboxTable {
  id: string;
  message_id: string;
  number_id: string;
  state: OutboxState;
  attempts: number;
  due_at: number;
  /** A claimed row whose claim has expired (a crashed worker) is claimed again. */
  claimed_until: number | null;
  last_error: string | null;
  /** JSON `{template}`: what to send besides the message text. */
  payload: string;
  created_at: number;
}

export interface OptOutTable {
  number_id: string;
  contact: string;
  created_at: number;
}

/**
 * The spelling WhatsApp last gave for a contact stored in another one (DESIGN.md §11): a
 * Brazilian account without its ninth digit is reached only under that id, so sends use it.
 */
export interface WhatsAppAddressTable {
  number_id: string;
  /** As stored everywhere else (`whatsappContact`). */
  contact: string;
  /** E.164, as the provider spelled the sender. */
  address: string;
  updated_at: number;
}

export interface EarlyStatusTable {
  number_id: string;
  provider_message_id: string;
  status: MessageStatus;
  error_code: string | null;
  error_text: string | null;
  created_at: number;
}

/** One media item of a message, inbound or outbound (DESIGN.md §6). */
export interface MediaTable {
  id: string;
  org_id: string;
  /** Null for an upload not yet attached to a message. */
  message_id: string | null;
  /** Order within the message. */
  position: number;
  /** Inbound: the number whose credentials fetch it. */
  number_id: string | null;
  direction: MediaDirection;
  status: MediaStatus;
  /**
   * Inbound: what the provider's adapter fetches (a URL, or Meta's media id); kept once
   * stored, as the provider's name for its copy, which retention and erasure delete.
   */
  source: string | null;
  /** The type the provider or uploader declared. */
  declared_type: string | null;
  /** The type taken from the bytes once stored (the declared one until then). */
  content_type: string | null;
  name: string | null;
  size: number | null;
  blob_id: string | null;
  error_code: string | null;
  error_text: string | null;
  uploaded_by: string | null;
  created_at: number;
  updated_at: number;
}

/** The bytes of one file, stored once per organisation and content (sha256). */
export interface MediaBlobTable {
  id: string;
  org_id: string;
  sha256: string;
  size: number;
  /** Which store holds the bytes: `database` (media_chunks) or `filesystem`. */
  store: string;
  created_at: number;
}

/** The database store's bytes, a chunk per row. */
export interface MediaChunkTable {
  blob_id: string;
  seq: number;
  bytes: Uint8Array;
}

/** A `/media/out/{token}` link: the token's sha256, never the token. */
export interface MediaLinkTable {
  token_hash: string;
  media_id: string;
  expires_at: number;
}

export type JobState = 'pending' | 'running' | 'failed';

/** Durable work (src/jobs/job-worker.ts); a finished job's row is deleted with its result. */
export interface JobTable {
  id: string;
  org_id: string | null;
  /** What to do: a handler's name, e.g. `media.fetch`. */
  kind: string;
  /** The row the job acts on, e.g. a media id. */
  subject_id: string;
  /** JSON, for a job that acts on more than its subject: e.g. the media ids of one inbound batch. */
  payload: string | null;
  state: JobState;
  due_at: number;
  /** A claim older than this is taken to be a crashed worker's and claimed again. */
  claimed_until: number | null;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** A case, level and waiting period whose alert fired; unique per (record, level, waiting_since). */
export interface AlertFiringTable {
  id: string;
  org_id: string;
  record_id: string;
  survey_id: string;
  case_number: number;
  /** 1: the holder, or the analysts when unassigned; 2: the admins. */
  level: number;
  waiting_since: number;
  /** How long the case had waited when it fired (wall-clock time). */
  waited_ms: number;
  /** JSON list of the addresses its email goes to. */
  emails: string;
  created_at: number;
}

/** A firing as one user's console sees it. */
export interface AlertTable {
  id: string;
  org_id: string;
  firing_id: string;
  user_id: string;
  record_id: string;
  case_number: number;
  level: number;
  created_at: number;
  read_at: number | null;
}

/** One of a user's ten one-time recovery codes, as a hash. */
export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

export type AccessKind = 'record' | 'media' | 'export';

/** A read of personal data by a user (DESIGN.md §9 "Access log"); never search terms. */
export interface AccessLogTable {
  id: string;
  org_id: string;
  user_id: string;
  record_id: string | null;
  case_number: number | null;
  kind: AccessKind;
  /** The media item or export read, when the kind has one. */
  subject_id: string | null;
  at: number;
}

export type PrivacyAction = 'erasure' | 'export' | 'retention' | 'case-export';

/**
 * The audit trail of privacy duties (DESIGN.md §9): an erasure, an access export or a
 * retention run, by whom (null: the daily job) and how many items. The person is kept only
 * as a keyed hash (src/services/security.ts `SecretBox.fingerprint`), never as a number.
 */
export interface PrivacyAuditTable {
  id: string;
  org_id: string;
  user_id: string | null;
  action: PrivacyAction;
  survey_id: string | null;
  contact_hash: string | null;
  /** JSON object of counts, e.g. `{records, messages, media}`; `dryRun: true` for a dry run. */
  counts: string;
  at: number;
}

/** An organisation's subscription to its changes (DESIGN.md §10, docs/outbound-webhooks.md). */
export interface OutboundWebhookTable {
  id: string;
  org_id: string;
  url: string;
  /** JSON list of the event names it receives. */
  events: string;
  /** The signing secret, sealed like provider credentials (src/services/security.ts `SecretBox`). */
  secret: string;
  created_at: number;
}

export type OutboundWebhookDeliveryState = 'pending' | 'delivered' | 'failed';

/** One event for one subscription: written in the change's transaction, sent by a `outbound-webhook.deliver` job. */
export interface OutboundWebhookDeliveryTable {
  id: string;
  org_id: string;
  webhook_id: string;
  event: string;
  /** The exact JSON body every attempt sends: `{id, event, at, data}`. */
  body: string;
  state: OutboundWebhookDeliveryState;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** One try at a delivery: what the receiver answered (or why it could not), and how long it took. */
export interface OutboundWebhookAttemptTable {
  id: string;
  delivery_id: string;
  attempt: number;
  at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  /** The start of the receiver's answer, for the log; never more. */
  response_excerpt: string | null;
}

/**
 * Counts per survey, number, worker and quarter hour (UTC) for the summary report, kept by
 * triggers (migration 014). `number_id` and `user_id` are '' when none applies; `shard`
 * spreads concurrent writers, so a slot's figures are the sum of its rows.
 */
export interface ReportCountTable {
  survey_id: string;
  number_id: string;
  user_id: string;
  slot: number;
  shard: number;
  inbound: number;
  outbound: number;
  new_cases: number;
  closed_cases: number;
  reopened_cases: number;
}
