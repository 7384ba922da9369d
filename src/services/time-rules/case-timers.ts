import type { Executor, Transaction } from '../../db/database.js';
import { scheduleTimers } from '../../db/queries/jobs.js';
import { asTimedCase, timedCase, type TimedCase } from '../../db/queries/time-rules.js';
import type { Survey } from '../surveys.js';
import { autoCloseTimers, scheduleCaseTimers, waitingTimers } from './timers.js';

/**
 * The timers of cases opened, reopened or made to wait by a person's change rather than by
 * an inbound message (DESIGN.md §8): written first, a message moved, two cases merged, a
 * closed case reopened. Booked in the change's transaction, as store-batch.ts books them
 * for inbound messages.
 */

/** One case as its timers see it, with its status; undefined when it is gone. */
export async function readTimedCase(executor: Executor, recordId: string): Promise<(TimedCase & { open: boolean }) | undefined> {
  const row = await timedCase(executor, recordId);
  if (!row) return undefined;
  return { ...asTimedCase(row), open: row.status === 'open' };
}

/** A case that opens now (written first, reopened): its quiet time starts now, its alerts from its `waiting_since`. */
export async function bookOpenedCase(
  tx: Transaction,
  survey: Survey,
  record: { id: string; org_id: string; waiting_since: number | null },
  now: number,
): Promise<void> {
  if (!survey.alerts && !survey.autoClose) return;
  const waitingSince = record.waiting_since === null ? null : Number(record.waiting_since);
  await scheduleCaseTimers(
    tx,
    survey,
    [{ id: record.id, orgId: record.org_id, surveyId: survey.id, waitingSince, lastActivityAt: now }],
    now,
  );
}

/**
 * Cases a change moved messages into or out of (move, merge), read as they now stand: a
 * case now waiting since another moment than before books its alert timers, and every open
 * one its auto-close timer, whose latest message may have changed (a timer booked again
 * keeps its earlier due time, and its handler finds the right one when it runs).
 */
export async function bookMovedCases(
  tx: Transaction,
  survey: Survey,
  cases: ReadonlyArray<{ id: string; waitingBefore: number | null }>,
  now: number,
): Promise<void> {
  if (!survey.alerts && !survey.autoClose) return;
  const open: TimedCase[] = [];
  const startedWaiting: TimedCase[] = [];
  for (const { id, waitingBefore } of cases) {
    const current = await readTimedCase(tx.db, id);
    if (!current?.open) continue;
    open.push(current);
    const before = waitingBefore === null ? null : Number(waitingBefore);
    if (current.waitingSince !== null && current.waitingSince !== before) startedWaiting.push(current);
  }
  await scheduleTimers(tx, [...waitingTimers(survey, startedWaiting), ...autoCloseTimers(survey, open)], now);
}
