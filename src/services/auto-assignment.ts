import type { Db, Transaction } from '../db/database.js';
import { assignCases, assignmentCandidates, autoAssignSurveys, unassignedOpenCases } from '../db/queries/assignment.js';
import type { RecordTable } from '../db/schema.js';
import { freeSlots, planAssignments, type PlannedAssignment } from '../domain/auto-assignment.js';
import { addHistory, type HistoryEntry } from './context.js';
import type { Survey } from './surveys.js';

/**
 * Auto-assignment (DESIGN.md §7, docs/decisions.md "Assignment and the queue"): new cases of
 * auto-assign surveys go to the available analyst or admin with the fewest open cases below
 * their capacity; when someone has room again — they became available, a case of theirs
 * closed, was released or handed on, an admin raised their capacity — the longest-waiting
 * unassigned cases fill it. Every decision runs under the organisation's assignment lock
 * (`Db.lockAssignments`), in the transaction of the change that caused it.
 */

/**
 * Whether a survey's new cases are given out: auto-assignment on, and case management, so
 * that cases close and free their holder's room (without it every record stays open).
 */
export function autoAssigns(survey: Pick<Survey, 'autoAssign' | 'caseManagement'> | undefined): boolean {
  return survey !== undefined && survey.autoAssign && survey.caseManagement !== null;
}

/** At most this many waiting cases are given out in one round; a bigger backlog waits for the next. */
const MAX_ROUND = 500;

/**
 * Gives this batch's new cases of auto-assign surveys to their organisation's candidates,
 * before they are inserted: sets `locked_by` and `locked_at` on the rows and answers the
 * `assigned` history entries to write after each case's `created`. `autoAssign` says which
 * surveys have it on; a batch without such a case makes no query at all.
 */
export async function assignNewCases(
  db: Db,
  tx: Transaction,
  rows: RecordTable[],
  autoAssign: (surveyId: string) => boolean,
  at: number,
): Promise<HistoryEntry[]> {
  const byOrg = new Map<string, RecordTable[]>();
  for (const row of rows) {
    if (row.status !== 'open' || row.locked_by !== null || !autoAssign(row.survey_id)) continue;
    byOrg.set(row.org_id, [...(byOrg.get(row.org_id) ?? []), row]);
  }
  if (byOrg.size === 0) return [];
  await db.lockAssignments(tx, [...byOrg.keys()]);
  const history: HistoryEntry[] = [];
  for (const [orgId, ofOrg] of byOrg) {
    const plan = planAssignments(await assignmentCandidates(tx.db, orgId), ofOrg, at);
    const rowsById = new Map(ofOrg.map((r) => [r.id, r]));
    for (const { caseId, userId } of plan) {
      const row = rowsById.get(caseId)!;
      row.locked_by = userId;
      row.locked_at = at;
      history.push(autoAssigned(caseId, userId, at));
    }
  }
  return history;
}

/**
 * Fills the free capacity of the organisation's candidates from the longest-waiting
 * unassigned open cases of its auto-assign surveys. `notFor` keeps a case from the people
 * named for it (the one who just released it gets other cases, not that one back).
 * Call it after the change that made room, in its transaction.
 */
export async function distributeWaitingCases(
  db: Db,
  tx: Transaction,
  orgId: string,
  at: number,
  notFor: ReadonlyMap<string, readonly string[]> = new Map(),
): Promise<PlannedAssignment[]> {
  const surveys = await autoAssignSurveys(tx.db, orgId);
  if (surveys.length === 0) return [];
  await db.lockAssignments(tx, [orgId]);
  const candidates = await assignmentCandidates(tx.db, orgId);
  const slots = Math.min(freeSlots(candidates), MAX_ROUND);
  if (slots === 0) return [];
  // Cases kept from someone may take places in the read without being given out: read past them.
  const waiting = await unassignedOpenCases(db, tx, surveys, slots + notFor.size);
  const plan = planAssignments(
    candidates,
    waiting.map((c) => ({ id: c.id, notFor: notFor.get(c.id) })),
    at,
  );
  if (plan.length === 0) return [];
  const byUser = new Map<string, string[]>();
  for (const p of plan) byUser.set(p.userId, [...(byUser.get(p.userId) ?? []), p.caseId]);
  for (const [userId, ids] of byUser) await assignCases(tx.db, ids, userId, at).execute();
  await addHistory(
    tx.db,
    plan.map((p) => autoAssigned(p.caseId, p.userId, at)),
  );
  const cases = new Map(waiting.map((c) => [c.id, c]));
  for (const p of plan) {
    const c = cases.get(p.caseId)!;
    tx.publish({ type: 'record.updated', orgId, caseNumber: c.caseNumber, surveyId: c.surveyId, recordId: c.id });
  }
  return plan;
}

/** The history entry of a case auto-assignment gave out: by the system, so no user. */
function autoAssigned(recordId: string, userId: string, at: number): HistoryEntry {
  return { recordId, userId: null, action: 'assigned', detail: { to: userId, by: 'auto' }, at };
}
