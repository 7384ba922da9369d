/**
 * Unread bookkeeping: a case line is marked while it has an inbound message newer than the
 * worker last saw in it. What they saw is kept per case in the browser (one book per user):
 * `seen[caseNumber]` is the time of the newest inbound message shown to them, and `since` the
 * moment the book was started — anything older counts as seen, so a first visit does not mark
 * every old case.
 */
export interface SeenBook {
  since: number;
  seen: Record<string, number>;
}

/** A book keeps the cases seen most recently; older ones fall back to `since`, and stay seen. */
export const MAX_SEEN_CASES = 500;

export interface LastMessage {
  direction: 'in' | 'out';
  at: string;
}

export function newSeenBook(now: number): SeenBook {
  return { since: now, seen: {} };
}

/** Reads a stored book; anything unreadable starts a new one at `now`. */
export function parseSeenBook(raw: string | null, now: number): SeenBook {
  if (!raw) return newSeenBook(now);
  try {
    const value = JSON.parse(raw) as { since?: unknown; seen?: unknown } | null;
    if (typeof value?.since !== 'number' || typeof value.seen !== 'object' || value.seen === null) return newSeenBook(now);
    const seen: Record<string, number> = {};
    for (const [key, at] of Object.entries(value.seen as Record<string, unknown>)) {
      if (/^\d+$/.test(key) && typeof at === 'number' && Number.isFinite(at)) seen[key] = at;
    }
    return { since: value.since, seen };
  } catch {
    return newSeenBook(now);
  }
}

/** Whether the case's last message is one from the contact the worker has not seen yet. */
export function isUnread(book: SeenBook, caseNumber: number, last: LastMessage | null | undefined): boolean {
  if (!last || last.direction !== 'in') return false;
  const at = Date.parse(last.at);
  if (Number.isNaN(at)) return false;
  return at > (book.seen[String(caseNumber)] ?? book.since);
}

/** The newest inbound message's time among `messages`, or null when the contact wrote none. */
export function newestInbound(messages: readonly LastMessage[]): number | null {
  let newest: number | null = null;
  for (const m of messages) {
    if (m.direction !== 'in') continue;
    const at = Date.parse(m.at);
    if (!Number.isNaN(at) && (newest === null || at > newest)) newest = at;
  }
  return newest;
}

/**
 * The book after the worker saw the case's messages up to `at`; the same object when that
 * changes nothing (so nothing is written or redrawn). Past `MAX_SEEN_CASES` the entries seen
 * longest ago are dropped.
 */
export function markSeen(book: SeenBook, caseNumber: number, at: number): SeenBook {
  const key = String(caseNumber);
  const before = book.seen[key] ?? book.since;
  if (at <= before) return book;
  const entries = Object.entries({ ...book.seen, [key]: at });
  if (entries.length <= MAX_SEEN_CASES) return { since: book.since, seen: Object.fromEntries(entries) };
  entries.sort(([, a], [, b]) => b - a);
  return { since: book.since, seen: Object.fromEntries(entries.slice(0, MAX_SEEN_CASES)) };
}
