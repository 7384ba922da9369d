/**
 * U+0000 cannot be stored in PostgreSQL text, and no person means to send it: inbound text
 * keeps its place with U+FFFD (the replacement character) rather than being refused, so a
 * message is never lost over one bad byte.
 */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** Whether a value parsed from JSON holds U+0000 in any string, key or value. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner));
  }
  return false;
}
