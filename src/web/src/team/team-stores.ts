import { neighbourCase } from './case-order.js';
import { parseObject, stored, type Stored } from './stored.js';
import { markSeen, newestInbound, parseSeenBook, type LastMessage, type SeenBook } from './unread.js';

/** What this user saw of each case (./unread.ts), in localStorage so every tab and reload agree. */
export function seenStore(userId: string): Stored<SeenBook> {
  return stored('local', `caseline.seen.${userId}`, (raw) => parseSeenBook(raw, Date.now()), { keepFirst: true });
}

/** The worker saw these messages of the case: its line loses its unread mark. */
export function markCaseSeen(userId: string, caseNumber: number, messages: readonly LastMessage[]): void {
  const at = newestInbound(messages);
  if (at !== null) seenStore(userId).set((book) => markSeen(book, caseNumber, at));
}

/** How the worker wants to hear of new messages in their cases; both off until they turn them on. */
export interface AlertSettings {
  desktop: boolean;
  sound: boolean;
}

export function alertSettingsStore(userId: string): Stored<AlertSettings> {
  return stored('local', `caseline.alerts.${userId}`, (raw) => {
    const value = parseObject(raw);
    return { desktop: value?.desktop === true, sound: value?.sound === true };
  });
}

/**
 * The list the worker last looked at, in its order, and the open case with where it last stood
 * in that list (-1: never listed) — kept when it leaves the list, so `j` goes on from there.
 */
interface ListOrder {
  cases: number[];
  opened: { caseNumber: number; index: number } | null;
}

const orderStore = () =>
  stored<ListOrder>('session', 'caseline.case-order', (raw) => {
    const value = parseObject(raw);
    const cases = Array.isArray(value?.cases) ? value.cases.filter((n): n is number => Number.isInteger(n)) : [];
    const opened = value?.opened as ListOrder['opened'] | undefined;
    return { cases, opened: opened && Number.isInteger(opened.caseNumber) && Number.isInteger(opened.index) ? opened : null };
  });

/** The case list shows these cases in this order now. */
export function setListOrder(cases: number[]): void {
  orderStore().set((order) => {
    const { opened } = order;
    const index = opened ? cases.indexOf(opened.caseNumber) : -1;
    const stillListed = opened !== null && index >= 0;
    if (sameNumbers(order.cases, cases) && (!stillListed || index === opened.index)) return order;
    return { cases, opened: stillListed ? { caseNumber: opened.caseNumber, index } : opened };
  });
}

/** A case screen shows `caseNumber`: remember where it stands in the list. */
export function noteCaseOpened(caseNumber: number): void {
  orderStore().set((order) => {
    const index = order.cases.indexOf(caseNumber);
    if (order.opened?.caseNumber === caseNumber && order.opened.index === index) return order;
    return { ...order, opened: { caseNumber, index } };
  });
}

/** The case `j` (+1) or `k` (-1) goes to from `current` (null: from the list itself). */
export function caseBeside(current: number | null, step: 1 | -1): number | null {
  const { cases, opened } = orderStore().get();
  const lastIndex = opened?.caseNumber === current && opened.index >= 0 ? opened.index : null;
  return neighbourCase(cases, current, step, lastIndex);
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
