import type { Db, Executor } from '../db/database.js';
import type { Role } from '../db/schema.js';
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

/** Writes one history entry (DESIGN.md §2: every change, in the change's transaction). */
export async function addHistory(
  db: Executor,
  entry: { recordId: string; userId: string | null; action: string; detail?: Record<string, unknown>; at: number },
): Promise<void> {
  await db
    .insertInto('history')
    .values({
      record_id: entry.recordId,
      user_id: entry.userId,
      action: entry.action,
      detail: JSON.stringify(entry.detail ?? {}),
      created_at: entry.at,
    })
    .execute();
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
