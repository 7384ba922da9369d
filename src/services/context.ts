import type { Mailer } from '../mail/mailer.js';
import type { MediaStore } from '../storage/media-store.js';
import type { Db, Executor, Transaction } from '../db/database.js';
import type { RecordTable } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import { forbidden } from '../domain/errors.js';
import type { ProviderRegistry } from '../providers/provider.js';
import type { SecretBox } from './security.js';

/** What every service needs: the database, the provider port, the credential box, a clock. */
export interface ServiceContext {
  db: Db;
  providers: ProviderRegistry;
  secrets: SecretBox;
  /** The base URL providers reach us on, without a trailing slash. */
  publicUrl: string;
  now: () => number;
  /** Where media bytes are kept, and the largest item fetched or accepted (DESIGN.md §6). */
  media: { store: MediaStore; maxBytes: number };
  /** Alert emails go out through this (DESIGN.md §8); null without SMTP: alerts reach the console only. */
  mailer: Mailer | null;
}

/** The user on whose behalf a service acts; every query is scoped to `orgId`. */
export interface Actor {
  userId: string;
  orgId: string;
  role: Role;
  name: string;
}

/** Analysts and admins work cases; viewers only read. */
export function requireWriter(actor: Actor): void {
  if (actor.role === 'viewer') throw forbidden('Viewers can read cases but not change them');
}

export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw forbidden('Only an admin can do this');
}

export interface HistoryEntry {
  recordId: string;
  userId: string | null;
  action: string;
  detail?: Record<string, unknown>;
  at: number;
}

/**
 * Writes history entries (DESIGN.md §2: every change, in the change's transaction), several
 * in one statement where a change touches several records or does several things.
 */
export async function addHistory(db: Executor, entries: HistoryEntry | HistoryEntry[]): Promise<void> {
  await historyInsert(db, Array.isArray(entries) ? entries : [entries])?.execute();
}

/** The insert of `entries` into history, to run with other writes; null when there are none. */
export function historyInsert(db: Executor, entries: HistoryEntry[]) {
  if (entries.length === 0) return null;
  return db.insertInto('history').values(historyRows(entries));
}

/** History entries as rows of the `history` table. */
export function historyRows(entries: HistoryEntry[]) {
  return entries.map((entry) => ({
    record_id: entry.recordId,
    user_id: entry.userId,
    action: entry.action,
    detail: JSON.stringify(entry.detail ?? {}),
    created_at: entry.at,
  }));
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Tells live consoles and other processes, once the transaction commits, that these cases
 * changed; `closed`: this change closed them (outbound webhooks' `record.closed`).
 */
export function publishUpdated(
  tx: Transaction,
  records: Array<Pick<RecordTable, 'id' | 'org_id' | 'case_number' | 'survey_id'>>,
  closed = false,
): void {
  for (const record of records) {
    tx.publish({
      type: 'record.updated',
      orgId: record.org_id,
      caseNumber: record.case_number,
      surveyId: record.survey_id,
      recordId: record.id,
      ...(closed ? { closed } : {}),
    });
  }
}
