import type { SavedReply } from './api/types.js';

/** What a saved reply's placeholders stand for where it is inserted (DESIGN.md §7). */
export interface ReplyContext {
  caseNumber: number;
  /** The contact as the case shows it; null when the case has none. */
  contact: string | null;
  /** The name of the worker inserting the reply. */
  worker: string;
}

const PLACEHOLDER = /\{\s*(case|contact|worker)\s*\}/gi;

/**
 * A saved reply's text with `{case}` (the case number, digits only: write `#{case}` for the
 * reference), `{contact}` and `{worker}` filled in. Other braces are left as written.
 */
export function fillPlaceholders(text: string, context: ReplyContext): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    switch (name.toLowerCase()) {
      case 'case':
        return String(context.caseNumber);
      case 'contact':
        return context.contact ?? '';
      default:
        return context.worker;
    }
  });
}

/** The longest search after `/`; anything longer is a sentence, not a search. */
const MAX_QUERY = 40;

/**
 * The `/` search being typed at `caret`: a `/` at the start of the box or after white space,
 * and what follows it on the same line up to the caret. Null when there is none ("and/or"
 * and "1/2" are not searches).
 */
export function slashSearch(text: string, caret: number): { start: number; query: string } | null {
  const start = text.lastIndexOf('/', caret - 1);
  if (start < 0) return null;
  if (start > 0 && !/\s/.test(text.charAt(start - 1))) return null;
  const query = text.slice(start + 1, caret);
  if (query.includes('\n') || query.length > MAX_QUERY) return null;
  return { start, query };
}

/**
 * Saved replies matching a search, best first: titles that start with it, then titles
 * holding it, then texts holding it; every word of the search must appear. An empty
 * search lists them all, by title.
 */
export function matchSavedReplies(replies: readonly SavedReply[], query: string): SavedReply[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...replies];
  const whole = words.join(' ');
  const rank = (reply: SavedReply): number => {
    const title = fold(reply.title);
    const text = fold(reply.text);
    if (!words.every((w) => title.includes(w) || text.includes(w))) return -1;
    if (title.startsWith(whole)) return 0;
    if (words.every((w) => title.includes(w))) return 1;
    return 2;
  };
  return replies
    .map((reply) => ({ reply, rank: rank(reply) }))
    .filter((r) => r.rank >= 0)
    .sort((a, b) => a.rank - b.rank)
    .map((r) => r.reply);
}

/** Lower case without accents, so "cafe" finds "Café". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** `text` with the `/` search at `search.start` up to `caret` replaced by `insert`, and where the caret goes after it. */
export function insertAtSearch(text: string, search: { start: number }, caret: number, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, search.start) + insert + text.slice(caret), caret: search.start + insert.length };
}
