import type { AssignmentCandidate } from '../../domain/auto-assignment.js';
import type { Db, Executor, Transaction } from '../database.js';

/** What auto-assignment reads and writes (DESIGN.md §7). */

/**
 * The organisation's available, active analysts and admins, each with the open cases they
 * hold and when they got the newest of those (read from `records_holder` alone).
 */
export async function assignmentCandidates(executor: Executor, orgId: string): Promise<AssignmentCandidate[]> {
  const rows = await executor
    .selectFrom('users as u')
    .leftJoin('records as r', (join) => join.onRef('r.locked_by', '=', 'u.id').on('r.status', '=', 'open'))
    .select((eb) => [
      'u.id',
      'u.capacity',
      eb.fn.count<number | string>('r.locked_by').as('open_cases'),
      eb.fn.max<number | string | null>('r.locked_at').as('last_assigned_at'),
    ])
    .where('u.org_id', '=', orgId)
    .where('u.active', '=', 1)
    .where('u.available', '=', 1)
    .where('u.role', 'in', ['analyst', 'admin'])
    .groupBy(['u.id', 'u.capacity'])
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    capacity: Number(r.capacity),
    openCases: Number(r.open_cases),
    lastAssignedAt: r.last_assigned_at === null ? null : Number(r.last_assigned_at),
  }));
}

/** The organisation's surveys with auto-assignment on (and case management, without which nothing closes). */
export async function autoAssignSurveys(executor: Executor, orgId: string): Promise<string[]> {
  const rows = await executor
    .selectFrom('surveys')
    .select('id')
    .where('org_id', '=', orgId)
    .where('auto_assign', '=', 1)
    .where('case_management', 'is not', null)
    .execute();
  return rows.map((r) => r.id);
}

export interface UnassignedCase {
  id: string;
  caseNumber: number;
  surveyId: string;
  waitingSince: number | null;
}

/**
 * Up to `limit` open cases nobody holds in these surveys, longest waiting first, then those
 * not waiting, oldest first (ids are time-ordered). Each survey is read in `records_queue`'s
 * order and the few rows merged here, which also keeps SQLite's nulls-first and
 * PostgreSQL's nulls-last out of it. On PostgreSQL the rows are locked, skipping any another
 * transaction holds (an inbound message being added): that case waits for the next round.
 */
export async function unassignedOpenCases(
  db: Pick<Db, 'skipLocked'>,
  tx: Transaction,
  surveyIds: readonly string[],
  limit: number,
): Promise<UnassignedCase[]> {
  if (limit <= 0 || surveyIds.length === 0) return [];
  const found: UnassignedCase[] = [];
  for (const surveyId of surveyIds) {
    const base = tx.db
      .selectFrom('records')
      .select(['id', 'case_number', 'survey_id', 'waiting_since'])
      .where('survey_id', '=', surveyId)
      .where('status', '=', 'open')
      .where('locked_by', 'is', null);
    const waiting = await db
      .skipLocked(base.where('waiting_since', 'is not', null).orderBy('waiting_since').orderBy('id').limit(limit))
      .execute();
    const rest =
      waiting.length < limit
        ? await db
            .skipLocked(
              base
                .where('waiting_since', 'is', null)
                .orderBy('id')
                .limit(limit - waiting.length),
            )
            .execute()
        : [];
    for (const r of [...waiting, ...rest]) {
      found.push({
        id: r.id,
        caseNumber: Number(r.case_number),
        surveyId: r.survey_id,
        waitingSince: r.waiting_since === null ? null : Number(r.waiting_since),
      });
    }
  }
  found.sort(
    (a, b) =>
      (a.waitingSince === null ? 1 : 0) - (b.waitingSince === null ? 1 : 0) ||
      (a.waitingSince ?? 0) - (b.waitingSince ?? 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return found.slice(0, limit);
}

/** Gives these unassigned cases to `userId`; a case someone took meanwhile is left alone. */
export function assignCases(executor: Executor, recordIds: readonly string[], userId: string, at: number) {
  return executor
    .updateTable('records')
    .set({ locked_by: userId, locked_at: at })
    .where('id', 'in', [...recordIds])
    .where('locked_by', 'is', null);
}

/** The open cases `userId` holds in the organisation, released; answers them as they were. */
export async function releaseOpenCasesOf(executor: Executor, orgId: string, userId: string) {
  const held = await executor
    .selectFrom('records')
    .select(['id', 'org_id', 'case_number', 'survey_id'])
    .where('org_id', '=', orgId)
    .where('locked_by', '=', userId)
    .where('status', '=', 'open')
    .execute();
  if (held.length === 0) return held;
  await executor
    .updateTable('records')
    .set({ locked_by: null, locked_at: null })
    .where(
      'id',
      'in',
      held.map((r) => r.id),
    )
    .execute();
  return held;
}
