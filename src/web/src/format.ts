/** Formatting helpers for what the console shows, in the console's language (src/web/src/i18n). */
import i18next from 'i18next';
import { currentLocale } from './i18n/setup.js';

/** `14:05` for today, `Mon 3 Mar, 14:05` this year, `3 Mar 2024, 14:05` before (in English). */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const locale = currentLocale();
  const time = { hour: '2-digit', minute: '2-digit' } as const;
  if (at.toDateString() === now.toDateString()) return at.toLocaleTimeString(locale, time);
  const sameYear = at.getFullYear() === now.getFullYear();
  // One format for date and time, so each language joins them its own way.
  return at.toLocaleString(locale, { day: 'numeric', month: 'short', ...(sameYear ? { weekday: 'short' } : { year: 'numeric' }), ...time });
}

export function formatFullTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString(currentLocale());
}

/**
 * Splits an outbound text into its body and the ` #<case number>` the server appended
 * (DESIGN.md §2 rule 8), so the console can show the reference apart from what was typed.
 */
export function splitReference(text: string, reference: number | null): { body: string; suffix: string | null } {
  if (reference === null) return { body: text, suffix: null };
  const suffix = ` #${reference}`;
  if (text.endsWith(suffix)) return { body: text.slice(0, -suffix.length), suffix: `#${reference}` };
  return { body: text, suffix: null };
}

const characters = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Shortens a text to `max` characters (as a reader counts them: an emoji is one) for one-line previews. */
export function shorten(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(characters.segment(flat), (s) => s.segment);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

const STATUS_KEYS = {
  received: 'common:messageStatus.received',
  queued: 'common:messageStatus.queued',
  sending: 'common:messageStatus.sending',
  sent: 'common:messageStatus.sent',
  delivered: 'common:messageStatus.delivered',
  read: 'common:messageStatus.read',
  failed: 'common:messageStatus.failed',
  undelivered: 'common:messageStatus.undelivered',
} as const;

export function statusLabel(status: string): string {
  return status in STATUS_KEYS ? i18next.t(STATUS_KEYS[status as keyof typeof STATUS_KEYS]) : status;
}

/** A number as the console's language writes it (`1,234` in English, `1 234` in French). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(currentLocale(), options).format(value);
}

/** The ticks a chat app would show: one for sent, two for delivered and read. */
export function statusTicks(status: string): string {
  switch (status) {
    case 'queued':
    case 'sending':
      return '◷';
    case 'sent':
      return '✓';
    case 'delivered':
    case 'read':
      return '✓✓';
    case 'failed':
    case 'undelivered':
      return '!';
    default:
      return '';
  }
}

/** How the console names a channel; anything but WhatsApp is sent as SMS. */
export function channelLabel(channel: string | null): string {
  return channel === 'whatsapp' ? 'WhatsApp' : 'SMS';
}

export function isFailed(status: string): boolean {
  return status === 'failed' || status === 'undelivered';
}

/** A history entry's detail as readable text, whatever shape the server gave it. */
export function describeDetail(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '';
  if (typeof detail !== 'object' || Array.isArray(detail) || isChange(detail)) return describeValue(detail);
  return (
    Object.entries(detail as Record<string, unknown>)
      // Internal ids mean nothing to a case worker; case numbers and texts do.
      .filter(
        ([key, value]) =>
          value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0) && !/(^id|Id)$/.test(key),
      )
      .map(([key, value]) =>
        i18next.t('common:historyDetail.entry', { name: detailName(key), value: key === 'by' ? byValue(value) : describeValue(value) }),
      )
      .join(' · ')
  );
}

const DETAIL_NAME_KEYS = {
  added: 'common:historyDetail.names.added',
  removed: 'common:historyDetail.names.removed',
  labelDeleted: 'common:historyDetail.names.labelDeleted',
  by: 'common:historyDetail.names.by',
  into: 'common:historyDetail.names.into',
  changed: 'common:historyDetail.names.changed',
  from: 'common:historyDetail.names.from',
  to: 'common:historyDetail.names.to',
  level: 'common:historyDetail.names.level',
  waitedMinutes: 'common:historyDetail.names.waitedMinutes',
  lockedBy: 'common:historyDetail.names.lockedBy',
  acknowledgement: 'common:historyDetail.names.acknowledgement',
  outOfHours: 'common:historyDetail.names.outOfHours',
  closingText: 'common:historyDetail.names.closingText',
  fromCase: 'common:historyDetail.names.fromCase',
  toCase: 'common:historyDetail.names.toCase',
  comment: 'common:historyDetail.names.comment',
  multiCaseReply: 'common:historyDetail.names.multiCaseReply',
  messages: 'common:historyDetail.names.messages',
  notes: 'common:historyDetail.names.notes',
} as const;

const DETAIL_BY_KEYS = {
  erasure: 'common:historyDetail.by.erasure',
  merge: 'common:historyDetail.by.merge',
  message: 'common:historyDetail.by.message',
  retention: 'common:historyDetail.by.retention',
  deactivation: 'common:historyDetail.by.deactivation',
  auto: 'common:historyDetail.by.auto',
} as const;

/** A detail's field in the console's language; a field it does not know, humanised. */
function detailName(key: string): string {
  return key in DETAIL_NAME_KEYS ? i18next.t(DETAIL_NAME_KEYS[key as keyof typeof DETAIL_NAME_KEYS]) : humanise(key);
}

/** What did it (`by`): retention, an erasure, a merge, auto-assignment… */
function byValue(value: unknown): string {
  return typeof value === 'string' && value in DETAIL_BY_KEYS
    ? i18next.t(DETAIL_BY_KEYS[value as keyof typeof DETAIL_BY_KEYS])
    : describeValue(value);
}

function isChange(value: object): value is { from: unknown; to: unknown } {
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('from') && keys.includes('to');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? i18next.t('common:historyDetail.yes') : i18next.t('common:historyDetail.no');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'object') return '—';
  if (Array.isArray(value)) return value.map(describeValue).join(', ');
  if (isChange(value)) return `${describeValue(value.from)} → ${describeValue(value.to)}`;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, v]) => `${key} ${describeValue(v)}`)
    .join(', ');
}

const HISTORY_ACTION_KEYS = {
  created: 'common:history.created',
  'message.in': 'common:history.message_in',
  'message.out': 'common:history.message_out',
  'message.retried': 'common:history.message_retried',
  'message.moved.in': 'common:history.message_moved_in',
  'message.moved.out': 'common:history.message_moved_out',
  'note.added': 'common:history.note_added',
  locked: 'common:history.locked',
  released: 'common:history.released',
  assigned: 'common:history.assigned',
  'labels.changed': 'common:history.labels_changed',
  'answers.edited': 'common:history.answers_edited',
  closed: 'common:history.closed',
  reopened: 'common:history.reopened',
  'merged.into': 'common:history.merged_into',
  'merged.from': 'common:history.merged_from',
  alert: 'common:history.alert',
  redacted: 'common:history.redacted',
  erased: 'common:history.erased',
} as const;

/** A case history entry's action in the console's language; one it does not know, humanised. */
export function historyActionLabel(action: string): string {
  return action in HISTORY_ACTION_KEYS ? i18next.t(HISTORY_ACTION_KEYS[action as keyof typeof HISTORY_ACTION_KEYS]) : humanise(action);
}

/** `message.moved_out` → `Message moved out`. */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[._-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Only web links (or paths on this server) are shown as links or images; anything else is text. */
export function isSafeMediaUrl(url: string): boolean {
  if (/^\/(?![/\\])/.test(url)) return true;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}
