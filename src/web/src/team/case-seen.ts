import { useEffect } from 'react';
import type { Message } from '../api/types.js';
import { markCaseSeen, noteCaseOpened } from './team-stores.js';

/**
 * The case screen shows these messages: while the page is in view they count as seen (the
 * case's line loses its unread mark), and the case's place in the list is noted for `j`/`k`.
 */
export function useCaseSeen(userId: string, caseNumber: number, messages: readonly Message[] | null): void {
  useEffect(() => noteCaseOpened(caseNumber), [caseNumber]);
  useEffect(() => {
    if (!messages) return;
    const mark = () => {
      if (document.visibilityState === 'visible') markCaseSeen(userId, caseNumber, messages);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [userId, caseNumber, messages]);
}
