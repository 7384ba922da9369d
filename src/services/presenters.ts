import type {
  Acknowledgement,
  ApiToken,
  Label,
  Media,
  Message,
  NumberView,
  Note,
  RecordSummary,
  RecordView,
  SavedReply,
  Session,
  User,
} from '../contract/index.js';
import type { HistoryEntry } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import { mediaOfMessages, type MediaViewRow } from '../db/queries/media.js';
import type {
  ApiTokenTable,
  Channel,
  Direction,
  MessageStatus,
  NumberTable,
  RecordTable,
  SavedReplyTable,
  UserTable,
} from '../db/schema.js';
import { maskContact } from '../domain/masking.js';
import { webhookUrls } from '../domain/providers.js';
import type { Answers } from '../domain/survey.js';
import { iso, type Actor } from './context.js';
import { loadOrganisation } from './organisation.js';
import { firstTemplate, storedTemplates } from './template-library.js';

/**
 * The API's views (src/contract) of stored rows: every answer the services give is shaped
 * here, so a field is named, formatted and hidden in one place.
 */

/** What a message view needs of a message row, its number and its author. */
export interface MessageViewRow {
  id: string;
  direction: Direction;
  body: string;
  created_at: number;
  channel: Channel;
  status: MessageStatus;
  error_code: string | null;
  error_text: string | null;
  author_id: string | null;
  author_name: string | null;
  automatic: number;
}

/**
 * How one reader sees contact numbers (DESIGN.md §9, "Masking"): with the organisation's
 * `maskContacts` on, analysts and viewers get the masked form and admins the number. Only
 * what is shown changes; searches and sends use the stored number.
 */
export interface Viewer {
  masked: boolean;
}

export const FULL_VIEW: Viewer = { masked: false };

/** The reader's view, from the organisation's setting (one read per request). */
export async function viewerOf(executor: Executor, actor: Actor): Promise<Viewer> {
  if (actor.role === 'admin') return FULL_VIEW;
  return { masked: (await loadOrganisation(executor, actor.orgId)).maskContacts };
}

/** Where a case's contact number also stands: its number's "their number" question. */
export interface ContactPlaces {
  contact: string | null;
  theirNumberQuestion: string | null;
}

export function contactFor(viewer: Viewer, contact: string | null): string | null {
  return viewer.masked && contact !== null ? maskContact(contact) : contact;
}

/** Answers as the reader sees them: the "their number" answer, and any answer holding the contact, masked. */
export function answersFor(viewer: Viewer, answers: Answers, places: ContactPlaces): Answers {
  if (!viewer.masked) return answers;
  return Object.fromEntries(
    Object.entries(answers).map(([key, value]) => [key, holdsContact(key, value, places) ? maskContact(value) : value]),
  );
}

function holdsContact(key: string, value: unknown, places: ContactPlaces): value is string {
  return typeof value === 'string' && value !== '' && (key === places.theirNumberQuestion || value === places.contact);
}

/** An `answers.edited` entry names the old and new answers; a number among them is masked as in the answers. */
function detailFor(viewer: Viewer, action: string, detail: Record<string, unknown>, places: ContactPlaces): Record<string, unknown> {
  if (!viewer.masked || action !== 'answers.edited' || typeof detail.changed !== 'object' || detail.changed === null) return detail;
  const changed = Object.entries(detail.changed as Record<string, { from: unknown; to: unknown }>).map(([key, change]) => [
    key,
    {
      from: holdsContact(key, change.from, places) ? maskContact(change.from) : change.from,
      to: holdsContact(key, change.to, places) ? maskContact(change.to) : change.to,
    },
  ]);
  return { ...detail, changed: Object.fromEntries(changed) };
}

const OUTBOUND_REFERENCE = / #(\d+)$/;

export function mediaView(row: MediaViewRow): Media {
  return {
    id: row.id,
    contentType: row.content_type,
    size: row.size === null ? null : Number(row.size),
    name: row.name,
    status: row.status,
    url: `/api/v1/media/${row.id}`,
    error: row.error_code || row.error_text ? { code: row.error_code, message: row.error_text ?? `Media error ${row.error_code}` } : null,
  };
}

/** Message views with their media, read in one query for all of them. */
export async function messageViews(executor: Executor, rows: MessageViewRow[]): Promise<Message[]> {
  const media = await mediaOfMessages(
    executor,
    rows.map((row) => row.id),
  );
  return rows.map((row) => messageView(row, (media.get(row.id) ?? []).map(mediaView)));
}

export function messageView(row: MessageViewRow, media: Media[]): Message {
  const reference = row.direction === 'out' ? OUTBOUND_REFERENCE.exec(row.body) : null;
  return {
    id: row.id,
    direction: row.direction,
    text: row.body,
    media,
    at: iso(row.created_at)!,
    channel: row.channel,
    status: row.status,
    error:
      row.error_code || row.error_text ? { code: row.error_code, message: row.error_text ?? `Provider error ${row.error_code}` } : null,
    author: row.author_id ? { id: row.author_id, name: row.author_name ?? '' } : null,
    automatic: Number(row.automatic) === 1,
    reference: reference ? Number(reference[1]) : null,
  };
}

export function noteView(row: { id: string; text: string; created_at: number; author_id: string | null; name: string | null }): Note {
  return {
    id: row.id,
    text: row.text,
    at: iso(row.created_at)!,
    author: row.author_id ? { id: row.author_id, name: row.name ?? '' } : null,
  };
}

export function historyView(
  row: {
    id: number;
    created_at: number;
    user_id: string | null;
    name: string | null;
    action: string;
    detail: string;
  },
  viewer: Viewer,
  places: ContactPlaces,
): HistoryEntry {
  return {
    id: Number(row.id),
    at: iso(row.created_at)!,
    user: row.user_id ? { id: row.user_id, name: row.name ?? '' } : null,
    action: row.action,
    detail: detailFor(viewer, row.action, JSON.parse(row.detail) as Record<string, unknown>, places),
  };
}

/** A record with what was read beside it: its newest messages (oldest first), notes, and where its contact stands. */
export function recordView(
  record: RecordTable,
  parts: {
    lockedBy: { id: string; name: string } | null;
    channel: Channel | null;
    optedOut: boolean;
    windowOpen: boolean | null;
    windowClosesAt: number | null;
    messages: Message[];
    hasOlderMessages: boolean;
    notes: Note[];
    labels: Label[];
    viewer: Viewer;
    theirNumberQuestion: string | null;
  },
): RecordView {
  const places = { contact: record.contact, theirNumberQuestion: parts.theirNumberQuestion };
  return {
    caseNumber: record.case_number,
    surveyId: record.survey_id,
    status: record.status,
    version: Number(record.version),
    contact: contactFor(parts.viewer, record.contact),
    numberId: record.number_id,
    channel: parts.channel,
    answers: answersFor(parts.viewer, JSON.parse(record.answers) as Answers, places),
    lockedBy: parts.lockedBy,
    createdAt: iso(record.created_at)!,
    updatedAt: iso(record.updated_at)!,
    closedAt: iso(record.closed_at),
    redactedAt: iso(record.redacted_at),
    waitingSince: waitingSince(record),
    labels: parts.labels,
    optedOut: parts.optedOut,
    windowOpen: parts.windowOpen,
    windowClosesAt: iso(parts.windowClosesAt),
    hasOlderMessages: parts.hasOlderMessages,
    messages: parts.messages,
    notes: parts.notes,
  };
}

export function recordSummary(
  row: Pick<
    RecordTable,
    | 'case_number'
    | 'survey_id'
    | 'status'
    | 'version'
    | 'contact'
    | 'number_id'
    | 'locked_by'
    | 'created_at'
    | 'updated_at'
    | 'closed_at'
    | 'waiting_since'
    | 'redacted_at'
  > & {
    locked_by_name: string | null;
  },
  last: { body: string; created_at: number; direction: Direction } | undefined,
  labels: Label[],
  viewer: Viewer,
): RecordSummary {
  return {
    caseNumber: row.case_number,
    surveyId: row.survey_id,
    status: row.status,
    version: Number(row.version),
    contact: contactFor(viewer, row.contact),
    numberId: row.number_id,
    lockedBy: row.locked_by ? { id: row.locked_by, name: row.locked_by_name ?? '' } : null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    closedAt: iso(row.closed_at),
    redactedAt: iso(row.redacted_at),
    waitingSince: waitingSince(row),
    labels,
    lastMessage: last ? { text: last.body, at: iso(last.created_at)!, direction: last.direction } : null,
  };
}

/** A closed case waits for nobody, whatever its last message (DESIGN.md §7, "the queue"). */
function waitingSince(record: Pick<RecordTable, 'status' | 'waiting_since'>): string | null {
  return record.status === 'open' ? iso(record.waiting_since) : null;
}

/**
 * Webhook URLs and the allow-list are shown to admins only: the URLs are the webhooks' only
 * secret on Africa's Talking. `allowedIps` is read from the sealed credentials by the caller.
 */
export function numberView(row: NumberTable, viewer: { admin: boolean; publicUrl: string; allowedIps: () => string[] }): NumberView {
  const { admin } = viewer;
  return {
    id: row.id,
    provider: row.provider,
    channel: row.channel,
    ourNumber: row.our_number,
    surveyId: row.survey_id,
    theirNumberQuestion: row.their_number_question,
    conversationQuestion: row.conversation_question,
    multiCaseReply: row.multi_case_reply,
    acknowledgement: row.acknowledgement === null ? null : (JSON.parse(row.acknowledgement) as Acknowledgement),
    sendRatePerSecond: Number(row.send_rate_per_second),
    template: firstTemplate(row),
    templates: storedTemplates(row),
    webhooks: admin ? webhookUrls(viewer.publicUrl, row.provider, row.webhook_token) : null,
    webhookTokenIsId: admin ? row.webhook_token === row.id : null,
    allowedIps: admin && row.provider === 'africastalking' ? viewer.allowedIps() : null,
    archivedAt: iso(row.deleted_at),
  };
}

export function userView(row: UserTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active === 1,
    createdAt: iso(row.created_at)!,
    available: row.available === 1,
    capacity: Number(row.capacity),
    language: row.language ?? null,
  };
}

export function sessionView(
  user: UserTable,
  organisation: { id: string; name: string },
  csrfToken: string,
  limits: Session['limits'],
  twoFactor: Session['twoFactor'],
): Session {
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role, language: user.language ?? null },
    organisation,
    csrfToken,
    limits,
    twoFactor,
  };
}

export function apiTokenView(row: Pick<ApiTokenTable, 'id' | 'name' | 'created_at' | 'last_used_at' | 'expires_at'>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    createdAt: iso(row.created_at)!,
    lastUsedAt: iso(row.last_used_at),
    expiresAt: iso(row.expires_at),
  };
}

export function savedReplyView(row: Pick<SavedReplyTable, 'id' | 'title' | 'text' | 'language' | 'updated_at'>): SavedReply {
  return { id: row.id, title: row.title, text: row.text, language: row.language, updatedAt: iso(row.updated_at)! };
}
