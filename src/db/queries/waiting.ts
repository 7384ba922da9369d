import { sql } from 'kysely';
import type { Executor } from '../database.js';

/** The queue (DESIGN.md §7): since when cases wait for a person's answer, and the header's counts. */

/**
 * Sets each record's `waiting_since` from its conversation as it stands: the first inbound
 * message after the last outbound one a person wrote (automatic messages have no author),
 * or null. For changes that move messages between cases (merge, move); the everyday
 * changes keep it in their own statements instead (an inbound message sets it when null,
 * a person's reply clears it).
 */
export async function recomputeWaitingSince(executor: Executor, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await executor
    .updateTable('records')
    .set({
      waiting_since: sql<number | null>`(
        select min(m.created_at) from record_messages rm join messages m on m.id = rm.message_id
        where rm.record_id = records.id and m.direction = 'in' and m.created_at > coalesce((
          select max(m2.created_at) from record_messages rm2 join messages m2 on m2.id = rm2.message_id
          where rm2.record_id = records.id and m2.direction = 'out' and m2.author_id is not null
        ), -1)
      )`,
    })
    .where('id', 'in', [...recordIds])
    .execute();
}

export interface QueueCountRow {
  waiting: number;
  unassigned: number;
  mine: number;
}

/**
 * A survey's open cases that wait, that nobody holds, and that `userId` holds, counted in
 * one pass over the survey's open entries of `records_queue` (migration 008), which holds
 * every column asked about: the rows themselves are never read. The cost grows with the
 * survey's open cases, not with its closed ones, which are most of a million.
 */
export async function queueCounts(executor: Executor, surveyId: string, userId: string): Promise<QueueCountRow> {
  const row = await queueCountsQuery(executor, surveyId, userId).executeTakeFirstOrThrow();
  return { waiting: Number(row.waiting), unassigned: Number(row.unassigned ?? 0), mine: Number(row.mine ?? 0) };
}

export function queueCountsQuery(executor: Executor, surveyId: string, userId: string) {
  return executor
    .selectFrom('records')
    .select((eb) => [
      eb.fn.count<number | string>('waiting_since').as('waiting'),
      eb.fn.sum<number | string | null>(eb.case().when('locked_by', 'is', null).then(1).else(0).end()).as('unassigned'),
      eb.fn.sum<number | string | null>(eb.case().when('locked_by', '=', userId).then(1).else(0).end()).as('mine'),
    ])
    .where('survey_id', '=', surveyId)
    .where('status', '=', 'open');
}
