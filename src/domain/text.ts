/**
 * U+0000 cannot be stored in PostgreSQL text, and no person means to send it: inbound text
 * keeps its place with U+FFFD (the replacement character) rather than being refused, so a
 * message is never lost over one bad byte.
 */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
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
