import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { teamApi } from '../api/team.js';
import type { CaseSummary } from '../api/types.js';
import { useServerEvents } from '../server-events.js';
import { canWorkCases, useApp } from '../session.js';
import { alertNewMessage, unlockChime } from './new-message-alert.js';
import { alertSettingsStore, seenStore } from './team-stores.js';
import { isUnread } from './unread.js';
import { useStored } from './stored.js';

/** Events come in bursts (a text, then its case's update): one reload a moment after the last. */
const SETTLE_MS = 150;

const UnreadMineContext = createContext(0);

/** How many of my open cases hold a message from the contact I have not seen (the tab title's count). */
export function useUnreadMine(): number {
  return useContext(UnreadMineContext);
}

/**
 * Watches the cases assigned to me (assignment is the lock, DESIGN.md §7): reads my open cases
 * of each survey again after a live event about that survey, counts those with unseen messages,
 * and alerts me (./new-message-alert.ts) when one of them receives a message. Viewers hold no
 * cases, so for them it does nothing.
 */
export function MyCasesProvider({ children }: { children: ReactNode }) {
  const { session, surveys } = useApp();
  const userId = session.user.id;
  const active = canWorkCases(session);
  const book = useStored(seenStore(userId));
  const { sound } = useStored(alertSettingsStore(userId));
  const [mine, setMine] = useState<Record<string, CaseSummary[]>>({});
  // The last inbound time seen per case of mine, by survey; a survey is absent until first read.
  const known = useRef(new Map<string, Map<number, number>>());
  const newest = useRef(new Map<string, number>());
  const timers = useRef(new Map<string, number>());

  const load = useCallback(
    async (surveyId: string) => {
      const ticket = (newest.current.get(surveyId) ?? 0) + 1;
      newest.current.set(surveyId, ticket);
      let items: CaseSummary[];
      try {
        items = (await teamApi.myOpenCases(surveyId)).items;
      } catch {
        return; // The next event tries again; the count keeps its last value meanwhile.
      }
      if (newest.current.get(surveyId) !== ticket) return;
      const before = known.current.get(surveyId);
      const after = new Map<number, number>();
      for (const item of items) {
        const last = item.lastMessage;
        if (last?.direction !== 'in') continue;
        const at = Date.parse(last.at);
        after.set(item.caseNumber, at);
        // The first reading only learns what is there; later ones alert for what is new.
        const earlier = before?.get(item.caseNumber);
        if (before && (earlier === undefined || at > earlier) && isUnread(seenStore(userId).get(), item.caseNumber, last)) {
          alertNewMessage(item.caseNumber, alertSettingsStore(userId).get());
        }
      }
      known.current.set(surveyId, after);
      setMine((current) => ({ ...current, [surveyId]: items }));
    },
    [userId],
  );

  // Browsers start sound only after a gesture: after a reload, the worker's first click or key readies the chime.
  useEffect(() => {
    if (!sound) return;
    const unlock = () => unlockChime();
    window.addEventListener('pointerdown', unlock, { once: true });
    window.addEventListener('keydown', unlock, { once: true });
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, [sound]);

  const surveyIds = useMemo(() => surveys.map((s) => String(s.id)), [surveys]);
  const surveyKey = surveyIds.join(',');
  useEffect(() => {
    if (!active) return;
    for (const id of surveyKey.split(',').filter(Boolean)) void load(id);
  }, [active, surveyKey, load]);

  const schedule = (surveyId: string) => {
    window.clearTimeout(timers.current.get(surveyId));
    timers.current.set(
      surveyId,
      window.setTimeout(() => void load(surveyId), SETTLE_MS),
    );
  };
  useServerEvents((event) => {
    if (!active) return;
    if (event.type === 'resync' || event.surveyId === null) {
      for (const id of surveyIds) schedule(id);
    } else if (surveyIds.includes(String(event.surveyId))) {
      schedule(String(event.surveyId));
    }
  });
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) window.clearTimeout(timer);
    };
  }, []);

  const unread = useMemo(
    () => Object.values(mine).reduce((n, items) => n + items.filter((c) => isUnread(book, c.caseNumber, c.lastMessage)).length, 0),
    [mine, book],
  );
  return <UnreadMineContext.Provider value={active ? unread : 0}>{children}</UnreadMineContext.Provider>;
}
