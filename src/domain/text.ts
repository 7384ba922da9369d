/** Half of a surrogate pair, with no other half beside it. */
const HALF_PAIR = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Inbound text as it can be stored. U+0000 cannot be stored in PostgreSQL text, and half a
 * surrogate pair (which a JSON body can escape) is no UTF-8 at all: SQLite would keep bytes
 * that read back as three replacement characters. No person means to send either, so each
 * keeps its place as U+FFFD (the replacement character) rather than the message being
 * refused: a message is never lost over one bad character.
 */
export function storableText(text: string): string {
  const withoutNul = text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
  return withoutNul.replace(HALF_PAIR, '\uFFFD');
}

/**
 * Whether a value parsed from JSON holds U+0000 in any string, key or value. Walks with its
 * own stack, not the call stack, so a body nested hundreds of thousands deep is simply read.
 */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (next.includes('\u0000')) return true;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next && typeof next === 'object') {
      for (const [key, inner] of Object.entries(next)) {
        if (key.includes('\u0000')) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}
