import type { AlertLevel } from '../../domain/time-rules.js';
import type { Executor, Transaction } from '../database.js';
import type { AlertFiringTable, AlertTable } from '../schema.js';
import { decodeCursor } from './record-list.js';

/** The alerts' queries (DESIGN.md §8): who an alert goes to, its firing, and each user's list. */

export interface AlertRecipient {
  id: string;
  email: string;
}

/**
 * Who a level's alert goes to (§13 "alert recipients"), active users only: level 1 the
 * case's holder, or every analyst when nobody (active) holds it; level 2 the admins.
 */
export async function alertRecipients(db: Executor, orgId: string, level: AlertLevel, holderId: string | null): Promise<AlertRecipient[]> {
  const active = db.selectFrom('users').select(['id', 'email']).where('org_id', '=', orgId).where('active', '=', 1);
  if (level === 2) return active.where('role', '=', 'admin').orderBy('id').execute();
  if (holderId !== null) {
    const holder = await active.where('id', '=', holderId).where('role', '!=', 'viewer').execute();
    if (holder.length > 0) return holder;
  }
  return active.where('role', '=', 'analyst').orderBy('id').execute();
}

/**
 * Records a firing unless its case, level and waiting period fired already (the unique
 * `alert_firings_once`); true when this call recorded it.
 */
export async function insertFiring(tx: Transaction, firing: AlertFiringTable): Promise<boolean> {
  const inserted = await tx.db
    .insertInto('alert_firings')
    .values(firing)
    .onConflict((oc) => oc.columns(['record_id', 'level', 'waiting_since']).doNothing())
    .returning('id')
    .execute();
  return inserted.length > 0;
}

/** The insert of a firing's console alerts, to run with its other writes; null when there are none. */
export function alertsInsert(tx: Transaction, alerts: AlertTable[]) {
  if (alerts.length === 0) return null;
  return tx.db
    .insertInto('alerts')
    .values(alerts)
    .onConflict((oc) => oc.columns(['firing_id', 'user_id']).doNothing());
}

/** A firing with its survey's name, for its email; undefined when it is gone. */
export function firingForEmail(db: Executor, firingId: string) {
  return db
    .selectFrom('alert_firings as f')
    .leftJoin('surveys as s', 's.id', 'f.survey_id')
    .select(['f.id', 'f.case_number', 'f.level', 'f.waiting_since', 'f.waited_ms', 'f.emails', 'f.created_at', 's.name as survey_name'])
    .where('f.id', '=', firingId)
    .executeTakeFirst();
}

/** Whose alerts a query reads: one user, in their organisation. */
export interface AlertOwner {
  orgId: string;
  userId: string;
}

function alertsOf(db: Executor, owner: AlertOwner) {
  return db
    .selectFrom('alerts as a')
    .innerJoin('alert_firings as f', 'f.id', 'a.firing_id')
    .select(['a.id', 'a.case_number', 'a.level', 'a.created_at', 'a.read_at', 'f.survey_id', 'f.waited_ms'])
    .where('a.user_id', '=', owner.userId)
    .where('a.org_id', '=', owner.orgId);
}

export type AlertRow = Awaited<ReturnType<ReturnType<typeof alertsOf>['executeTakeFirstOrThrow']>>;

/** One page of a user's alerts, newest first, read along `alerts_inbox` (user, created_at, id). */
export function alertPageQuery(db: Executor, owner: AlertOwner, query: { unread?: boolean; cursor?: string }, limit: number) {
  let q = alertsOf(db, owner);
  if (query.unread === true) q = q.where('a.read_at', 'is', null);
  if (query.cursor) {
    const [createdAt, id] = decodeCursor(query.cursor);
    q = q.where((eb) => eb.or([eb('a.created_at', '<', createdAt), eb.and([eb('a.created_at', '=', createdAt), eb('a.id', '<', id)])]));
  }
  return q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(limit);
}

export async function unreadAlertCount(db: Executor, owner: AlertOwner): Promise<number> {
  const row = await db
    .selectFrom('alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', owner.userId)
    .where('org_id', '=', owner.orgId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One of the user's alerts; undefined for anyone else's. */
export function alertOf(db: Executor, owner: AlertOwner, id: string): Promise<AlertRow | undefined> {
  return alertsOf(db, owner).where('a.id', '=', id).executeTakeFirst();
}

/** Marks the user's unread alerts read (one, or all when `id` is absent); a read alert keeps its first reading. */
export async function markAlertsRead(db: Executor, owner: AlertOwner, at: number, id?: string): Promise<void> {
  let q = db
    .updateTable('alerts')
    .set({ read_at: at })
    .where('user_id', '=', owner.userId)
    .where('org_id', '=', owner.orgId)
    .where('read_at', 'is', null);
  if (id !== undefined) q = q.where('id', '=', id);
  await q.execute();
}
