/**
 * The words for what retention, an erasure or an export touched (DESIGN.md §9), their refusals, and the
 * check that an admin typed the same number twice before an erasure.
 */

/** Each count's name in the API, with its singular and plural words, in the order they are read. */
const COUNT_WORDS: Record<string, readonly [string, string]> = {
  cases: ['case', 'cases'],
  records: ['case', 'cases'],
  messages: ['message', 'messages'],
  media: ['media item', 'media items'],
  notes: ['note', 'notes'],
  optOuts: ['opt-out', 'opt-outs'],
};

/** "1 case, 3 messages and 0 media items"; unknown counts by their own name, flags (a dry run) left to the caller. */
export function describeCounts(counts: Readonly<Record<string, number | boolean>>): string {
  const parts = Object.entries(counts).flatMap(([key, value]) => {
    if (typeof value !== 'number') return [];
    const words = COUNT_WORDS[key];
    return [words ? `${value} ${value === 1 ? words[0] : words[1]}` : `${key}: ${value}`];
  });
  if (parts.length === 0) return 'nothing';
  if (parts.length === 1) return parts[0]!;
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
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
      return 'That is not a phone number Caseline can read. Type it in full, with its country code (+44 7700 900123).';
    case 'not_found':
      return 'There is no such survey, or nothing held about this number there.';
    case 'forbidden':
      return 'Only administrators can erase or export a person’s data.';
    case 'network_error':
      return message;
    default:
      return code === 'validation_failed' ? `The request was refused: ${message}` : `${message} (${code})`;
  }
}
