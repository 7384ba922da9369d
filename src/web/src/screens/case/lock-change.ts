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
    return sameId(before?.id, me) ? `${after.name} took this case; you no longer hold its lock.` : `${after.name} took this case.`;
  }
  if (before === null) return null;
  const who = await releasedBy(caseNumber);
  if (!who || sameId(who.id, me)) return null;
  if (sameId(before.id, me)) return `${who.name} released your lock. Lock the case again to keep working on it.`;
  return sameId(who.id, before.id) ? `${who.name} released the lock.` : `${who.name} released ${before.name}'s lock.`;
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
