import { describe, expect, it } from 'vitest';
import '../../support/console-english.js';
import { historyDetailParts, splitCaseNumbers } from '../../../src/web/src/team/case-links.js';
import { neighbourCase } from '../../../src/web/src/team/case-order.js';
import { isTypingTarget, shortcutOf, type KeyPress } from '../../../src/web/src/team/shortcuts.js';
import { isUnread, markSeen, MAX_SEEN_CASES, newestInbound, newSeenBook, parseSeenBook } from '../../../src/web/src/team/unread.js';
import { formatWaiting } from '../../../src/web/src/team/waiting-time.js';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;

describe('the waiting time on a case line', () => {
  it('reads in minutes, hours and days', () => {
    expect(formatWaiting(ago(20_000), NOW)).toBe('waiting under 1 min');
    expect(formatWaiting(ago(12 * MIN + 30_000), NOW)).toBe('waiting 12 min');
    expect(formatWaiting(ago(60 * MIN), NOW)).toBe('waiting 1 h');
    expect(formatWaiting(ago(185 * MIN), NOW)).toBe('waiting 3 h 5 min');
    expect(formatWaiting(ago(24 * 60 * MIN), NOW)).toBe('waiting 1 day');
    expect(formatWaiting(ago((2 * 24 + 4) * 60 * MIN), NOW)).toBe('waiting 2 days 4 h');
    expect(formatWaiting(ago((9 * 24 + 4) * 60 * MIN), NOW)).toBe('waiting 9 days');
  });

  it('is empty without a time, and a clock ahead of the server never shows a negative wait', () => {
    expect(formatWaiting(null, NOW)).toBe('');
    expect(formatWaiting('not a time', NOW)).toBe('');
    expect(formatWaiting(ago(-5 * MIN), NOW)).toBe('waiting under 1 min');
  });
});

describe('unread bookkeeping', () => {
  const inbound = (ms: number) => ({ direction: 'in' as const, at: ago(ms) });

  it('a message from the contact after the book started is unread until the case is seen', () => {
    let book = newSeenBook(NOW - 60 * MIN);
    expect(isUnread(book, 7, inbound(90 * MIN))).toBe(false);
    expect(isUnread(book, 7, inbound(5 * MIN))).toBe(true);
    book = markSeen(book, 7, NOW - 5 * MIN);
    expect(isUnread(book, 7, inbound(5 * MIN))).toBe(false);
    expect(isUnread(book, 7, inbound(1 * MIN))).toBe(true);
    // Other cases keep their own marks.
    expect(isUnread(book, 8, inbound(5 * MIN))).toBe(true);
  });

  it('a reply as the last message, or no message, is never unread', () => {
    const book = newSeenBook(NOW - 60 * MIN);
    expect(isUnread(book, 7, { direction: 'out', at: ago(1 * MIN) })).toBe(false);
    expect(isUnread(book, 7, null)).toBe(false);
  });

  it('seeing older messages again changes nothing, so nothing is written', () => {
    const book = markSeen(newSeenBook(NOW - 60 * MIN), 7, NOW - 5 * MIN);
    expect(markSeen(book, 7, NOW - 10 * MIN)).toBe(book);
    expect(markSeen(book, 9, NOW - 90 * MIN)).toBe(book);
  });

  it('keeps the cases seen most recently when the book is full', () => {
    let book = newSeenBook(0);
    for (let n = 1; n <= MAX_SEEN_CASES + 3; n++) book = markSeen(book, n, n * 1000);
    expect(Object.keys(book.seen)).toHaveLength(MAX_SEEN_CASES);
    expect(book.seen['1']).toBeUndefined();
    expect(book.seen[String(MAX_SEEN_CASES + 3)]).toBe((MAX_SEEN_CASES + 3) * 1000);
  });

  it('reads a stored book back, and starts a new one from anything unreadable', () => {
    const book = markSeen(newSeenBook(NOW - 60 * MIN), 7, NOW);
    expect(parseSeenBook(JSON.stringify(book), NOW)).toEqual(book);
    expect(parseSeenBook('{not json', NOW)).toEqual(newSeenBook(NOW));
    expect(parseSeenBook(null, NOW)).toEqual(newSeenBook(NOW));
    expect(parseSeenBook(JSON.stringify({ since: NOW, seen: { x: 1, 4: 'y', 5: 6 } }), NOW)).toEqual({ since: NOW, seen: { 5: 6 } });
  });

  it('the newest inbound message of an open case is what its screen marks as seen', () => {
    expect(newestInbound([inbound(10 * MIN), { direction: 'out', at: ago(1 * MIN) }, inbound(3 * MIN)])).toBe(NOW - 3 * MIN);
    expect(newestInbound([{ direction: 'out', at: ago(1 * MIN) }])).toBeNull();
  });
});

describe('j and k through the list the worker came from', () => {
  const order = [12, 7, 30, 4];

  it('go to the next and previous case, and stop at the ends', () => {
    expect(neighbourCase(order, 7, 1)).toBe(30);
    expect(neighbourCase(order, 7, -1)).toBe(12);
    expect(neighbourCase(order, 4, 1)).toBeNull();
    expect(neighbourCase(order, 12, -1)).toBeNull();
  });

  it('from the list itself, j opens the first case', () => {
    expect(neighbourCase(order, null, 1)).toBe(12);
    expect(neighbourCase([], null, 1)).toBeNull();
  });

  it('a case that left the list (answered) is followed by the one that took its place', () => {
    expect(neighbourCase([12, 30, 4], 7, 1, 1)).toBe(30);
    expect(neighbourCase([12, 30, 4], 7, -1, 1)).toBe(12);
    expect(neighbourCase([12, 30, 4], 7, 1, null)).toBeNull();
    expect(neighbourCase([12, 30], 4, 1, 3)).toBeNull();
  });
});

describe('keyboard shortcuts', () => {
  const press = (key: string, target: EventTarget | null = null, more: Partial<KeyPress> = {}): KeyPress => ({
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    defaultPrevented: false,
    target,
    ...more,
  });
  /** Enough of an element for `closest`, the one DOM call the check makes. */
  const element = (matches: boolean) => ({ isContentEditable: false, closest: () => (matches ? {} : null) }) as unknown as EventTarget;

  it('single keys name their shortcut; others and modified keys do not', () => {
    expect(['j', 'k', 'r', 'l', '?'].map((key) => shortcutOf(press(key)))).toEqual(['j', 'k', 'r', 'l', '?']);
    expect(shortcutOf(press('x'))).toBeNull();
    expect(shortcutOf(press('J'))).toBeNull();
    expect(shortcutOf(press('j', null, { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(press('r', null, { metaKey: true }))).toBeNull();
    expect(shortcutOf(press('j', null, { defaultPrevented: true }))).toBeNull();
  });

  it('never fire while typing in a field', () => {
    expect(isTypingTarget(element(true))).toBe(true);
    expect(shortcutOf(press('j', element(true)))).toBeNull();
    expect(shortcutOf(press('j', element(false)))).toBe('j');
    expect(isTypingTarget({ isContentEditable: true, closest: () => null } as unknown as EventTarget)).toBe(true);
  });
});

describe('case numbers in history entries', () => {
  it('a move names the other case as a link', () => {
    expect(historyDetailParts({ messageId: 'abc', toCase: 4, comment: 'wrong person' })).toEqual([
      'To case: ',
      { caseNumber: 4 },
      ' · Comment: wrong person',
    ]);
    expect(historyDetailParts({ into: 7 })).toEqual(['Into: ', { caseNumber: 7 }]);
    expect(historyDetailParts({ fromCase: '12' })).toEqual(['From case: ', { caseNumber: 12 }]);
    expect(historyDetailParts({ from: 3, merged: 2 })).toEqual(['From: ', { caseNumber: 3 }, ' · Merged: ', { caseNumber: 2 }]);
  });

  it('an assignment names people, not their ids', () => {
    const names = new Map([['0190-ana', 'Ana Analyst']]);
    // From nobody (—) to Ana: a change, read as one.
    expect(historyDetailParts({ from: null, to: '0190-ana' }, names)).toEqual(['— → Ana Analyst']);
    expect(historyDetailParts({ to: '0190-bob', by: 'auto' }, names)).toEqual(['To: 0190-bob · By: auto']);
  });

  it('reads #n in text where a reference stands, not inside words', () => {
    expect(splitCaseNumbers('merged into #7.')).toEqual(['merged into ', { caseNumber: 7 }, '.']);
    expect(splitCaseNumbers('#3 and (#45)')).toEqual([{ caseNumber: 3 }, ' and (', { caseNumber: 45 }, ')']);
    expect(splitCaseNumbers('a#3 #4b #x')).toEqual(['a#3 #4b #x']);
    expect(historyDetailParts({ count: 3 })).toEqual(['Count: 3']);
  });
});
