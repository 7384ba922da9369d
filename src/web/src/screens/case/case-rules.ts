import i18next from 'i18next';
import type { CaseRecord, Message } from '../../api/types.js';

/** The status button of a case: close an open case, reopen a closed one; its texts in the console's language. */
export function statusActionOf(status: CaseRecord['status']) {
  return status === 'open'
    ? {
        name: 'close' as const,
        label: i18next.t('caseDetails:statusAction.close'),
        busyLabel: i18next.t('caseDetails:statusAction.closing'),
        needsLock: i18next.t('caseDetails:statusAction.closeNeedsLock'),
      }
    : {
        name: 'reopen' as const,
        label: i18next.t('caseDetails:statusAction.reopen'),
        busyLabel: i18next.t('caseDetails:statusAction.reopening'),
        needsLock: i18next.t('caseDetails:statusAction.reopenNeedsLock'),
      };
}

/** Why the reply box is closed to this worker, in words they can act on; null when they may reply. */
export function whySendIsBlocked(record: CaseRecord, worker: { canWork: boolean; lockedByMe: boolean }): string | null {
  if (record.redactedAt) return i18next.t('caseDetails:sendBlocked.redacted');
  if (!worker.canWork) return i18next.t('caseDetails:sendBlocked.role');
  if (record.lockedBy && !worker.lockedByMe) return i18next.t('caseDetails:sendBlocked.lockedByOther', { name: record.lockedBy.name });
  if (!worker.lockedByMe) return i18next.t('caseDetails:sendBlocked.notLocked');
  if (record.status === 'closed') return i18next.t('caseDetails:sendBlocked.closed');
  if (record.optedOut) return i18next.t('caseDetails:sendBlocked.optedOut', { contact: record.contact ?? '' });
  return null;
}

/** Older pages read on demand and the newest page, each message once, oldest first. */
export function mergeMessages(first: Message[], second: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of first) byId.set(String(m.id), m);
  for (const m of second) byId.set(String(m.id), m);
  return [...byId.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
