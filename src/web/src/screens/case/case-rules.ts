import type { CaseRecord, Message } from '../../api/types.js';

/** The status button of a case: close an open case, reopen a closed one. */
export function statusActionOf(status: CaseRecord['status']) {
  return status === 'open'
    ? { name: 'close' as const, label: 'Close case', busyLabel: 'Closing…', needsLock: 'Lock the case to close it' }
    : { name: 'reopen' as const, label: 'Reopen case', busyLabel: 'Reopening…', needsLock: 'Lock the case to reopen it' };
}

/** Why the reply box is closed to this worker, in words they can act on; null when they may reply. */
export function whySendIsBlocked(record: CaseRecord, worker: { canWork: boolean; lockedByMe: boolean }): string | null {
  if (record.redactedAt) return 'This case was redacted for privacy: nothing can be added to it.';
  if (!worker.canWork) return 'Your role can read cases but not reply.';
  if (record.lockedBy && !worker.lockedByMe) return `${record.lockedBy.name} holds the lock, so only they can reply.`;
  if (!worker.lockedByMe) return 'Lock the case for editing to reply.';
  if (record.status === 'closed') {
    return 'This case is closed: an answer to a reply from it would start a new case. Reopen it to reply.';
  }
  if (record.optedOut) return `${record.contact} has opted out; messages to them are refused.`;
  return null;
}

/** Older pages read on demand and the newest page, each message once, oldest first. */
export function mergeMessages(first: Message[], second: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of first) byId.set(String(m.id), m);
  for (const m of second) byId.set(String(m.id), m);
  return [...byId.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
