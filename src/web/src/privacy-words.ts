/**
 * The words for what retention, an erasure or an export touched (DESIGN.md §9), their refusals, and the
 * check that an admin typed the same number twice before an erasure.
 */
import i18next from 'i18next';

/** Each count's name in the API and its words (one or many), in the order they are read. */
const COUNT_KEYS = {
  cases: 'privacy:counts.cases',
  records: 'privacy:counts.cases',
  messages: 'privacy:counts.messages',
  media: 'privacy:counts.media',
  notes: 'privacy:counts.notes',
  optOuts: 'privacy:counts.optOuts',
} as const;

function countKey(name: string): (typeof COUNT_KEYS)[keyof typeof COUNT_KEYS] | undefined {
  return Object.hasOwn(COUNT_KEYS, name) ? COUNT_KEYS[name as keyof typeof COUNT_KEYS] : undefined;
}

/** "1 case, 3 messages and 0 media items"; unknown counts by their own name, flags (a dry run) left to the caller. */
export function describeCounts(counts: Readonly<Record<string, number | boolean>>): string {
  const parts = Object.entries(counts).flatMap(([name, value]) => {
    if (typeof value !== 'number') return [];
    const key = countKey(name);
    return [key ? i18next.t(key, { count: value }) : i18next.t('privacy:counts.unknown', { name, value })];
  });
  if (parts.length === 0) return i18next.t('privacy:counts.nothing');
  if (parts.length === 1) return parts[0]!;
  const rest = parts.slice(0, -1).join(i18next.t('privacy:counts.separator'));
  return i18next.t('privacy:counts.list', { rest, last: parts[parts.length - 1]! });
}

/** A phone number as typed, without the spaces, dots, dashes and brackets people write it with. */
export function bareNumber(text: string): string {
  return text.replace(/[\s().-]/g, '');
}

/** Whether the confirmation names the same number, however each was spaced. */
export function sameNumber(first: string, again: string): boolean {
  const a = bareNumber(first);
  return a !== '' && a === bareNumber(again);
}

/** An erasure's or export's refusal in the admin's words, by its code; the server's own message otherwise. */
export function privacyErrorText(code: string, message: string): string {
  switch (code) {
    case 'invalid_phone_number':
      return i18next.t('privacy:refusals.invalidPhoneNumber');
    case 'not_found':
      return i18next.t('privacy:refusals.notFound');
    case 'forbidden':
      return i18next.t('privacy:refusals.forbidden');
    case 'network_error':
      return message;
    default:
      return code === 'validation_failed'
        ? i18next.t('privacy:refusals.validationFailed', { message })
        : i18next.t('privacy:refusals.other', { message, code });
  }
}
