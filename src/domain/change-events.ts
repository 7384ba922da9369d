/**
 * Changes published once the transaction that made them commits (src/db/database.ts
 * carries them between processes). The console hears `CONSOLE_EVENT_TYPES` on
 * `GET /events`; the rest are for the server's own processes.
 */
// `labels.changed`: an organisation's labels were created, renamed, recoloured or deleted;
// it names no case, so every list (and label picker) of the organisation reloads.
// `media.updated`: a message's media item was stored or failed (`messageId`, `caseNumber`).
// `alert.created`: an alert for `userId` fired (`caseNumber`); only that user's streams hear it.
export const CONSOLE_EVENT_TYPES = [
  'record.created',
  'record.updated',
  'message.added',
  'message.status',
  'media.updated',
  'labels.changed',
  'alert.created',
] as const;
export type ConsoleEventType = (typeof CONSOLE_EVENT_TYPES)[number];

// `webhooks.changed`: an organisation's outbound webhook subscriptions changed; every process
// forgets the ones it keeps in memory (src/services/outbound-webhooks/subscription-cache.ts).
export const CHANGE_EVENT_TYPES = [
  ...CONSOLE_EVENT_TYPES,
  'outbox.ready',
  'jobs.ready',
  'config.changed',
  'access.revoked',
  'webhooks.changed',
] as const;
export type ChangeEventType = (typeof CHANGE_EVENT_TYPES)[number];

export interface ChangeEvent {
  type: ChangeEventType;
  orgId: string;
  /** `access.revoked`: whose sessions or tokens ended; `alert.created`: whose alert it is. */
  userId?: string;
  /**
   * `access.revoked`: the one credential that ended (`session:<hash>`, `token:<id>`), or
   * absent when all of the user's ended except `keepCredential`.
   */
  credential?: string;
  keepCredential?: string;
  caseNumber?: number;
  recordId?: string;
  messageId?: string;
  surveyId?: string;
  /** `record.created`, `record.updated`: the case closed in this change (outbound webhooks' `record.closed`). */
  closed?: true;
}

export function isConsoleEvent(type: ChangeEventType): type is ConsoleEventType {
  return (CONSOLE_EVENT_TYPES as readonly string[]).includes(type);
}

/** Whether a console event is for this user's streams: an alert is its recipient's alone. */
export function isForUser(event: ChangeEvent, userId: string): boolean {
  return event.type !== 'alert.created' || event.userId === userId;
}

/** Where committed changes can be heard: the database's change feed, as the HTTP layer sees it. */
export interface ChangeFeed {
  on(event: 'change', listener: (change: ChangeEvent) => void): unknown;
  off(event: 'change', listener: (change: ChangeEvent) => void): unknown;
}
