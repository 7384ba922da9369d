import i18next from 'i18next';
import { api } from '../../api/client.js';
import { sameId, type CaseRecord, type HistoryItem, type Id } from '../../api/types.js';

type Holder = CaseRecord['lockedBy'];

/**
 * What to tell the user when a live update shows that someone else changed the lock of the
 * case they are looking at: an admin releasing their lock, or a colleague taking the case.
 * Without it the screen silently turns read-only (issue 11). Null when nothing needs saying:
 * no change, or a change the user made themselves.
 */
export async function describeLockChange(caseNumber: number, before: Holder, after: Holder, me: Id): Promise<string | null> {
  if (sameId(before?.id, after?.id) || (before === null && after === null)) return null;
  if (after !== null) {
    if (sameId(after.id, me)) return null;
    return sameId(before?.id, me)
      ? i18next.t('caseDetails:lockChange.tookFromYou', { name: after.name })
      : i18next.t('caseDetails:lockChange.took', { name: after.name });
  }
  if (before === null) return null;
  const who = await releasedBy(caseNumber);
  if (!who || sameId(who.id, me)) return null;
  if (sameId(before.id, me)) return i18next.t('caseDetails:lockChange.releasedYours', { name: who.name });
  return sameId(who.id, before.id)
    ? i18next.t('caseDetails:lockChange.releasedOwn', { name: who.name })
    : i18next.t('caseDetails:lockChange.releasedOthers', { name: who.name, holder: before.name });
}

/** The user who last released the case's lock, from its history. */
async function releasedBy(caseNumber: number): Promise<{ id: Id; name: string } | null> {
  try {
    const page = await api<{ items: HistoryItem[] }>('GET', `/records/${caseNumber}/history`);
    const entry = [...page.items].reverse().find((item) => item.action === 'released');
    return entry?.user ?? null;
  } catch {
    return null;
  }
}
