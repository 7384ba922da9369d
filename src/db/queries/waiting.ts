import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from '../database.js';
import type { Database } from '../schema.js';

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

/**
 * A person answered the case: it stops waiting (DESIGN.md §7), and if nobody had answered
 * it before, this is its first response — how long after the inbound message that made it
 * wait, and by whom — for the summary report (DESIGN.md §10). Automatic messages never come
 * here, so an acknowledgement is never a first response.
 */
export async function recordPersonsAnswer(executor: Executor, recordId: string, userId: string, at: number): Promise<void> {
  const firstAnswer = sql<boolean>`first_response_at is null and waiting_since is not null`;
  await executor
    .updateTable('records')
    .set({
      updated_at: at,
      waiting_since: null,
      first_response_at: sql<number | null>`case when ${firstAnswer} then ${at} else first_response_at end`,
      first_response_ms: sql<number | null>`case when ${firstAnswer} then ${at} - waiting_since else first_response_ms end`,
      first_response_by: sql<string | null>`case when ${firstAnswer} then ${userId} else first_response_by end`,
    })
    .where('id', '=', recordId)
    .execute();
}

/**
 * Counts stop here: the console shows "1000+" rather than have every header read a
 * survey's whole backlog, which it reloads at every change to the survey.
 */
export const QUEUE_COUNT_LIMIT = 1000;

export interface QueueCountRow {
  waiting: number;
  unassigned: number;
  mine: number;
}

/**
 * A survey's open cases that wait, that nobody holds, and that `userId` holds, each counted
 * up to `QUEUE_COUNT_LIMIT` in one range of an index that holds every column asked about —
 * `records_queue` (survey, status, waiting_since) for the waiting, `records_holder`
 * (locked_by, status, survey) for the others (migration 008) — so no row is read and the
 * cost is bounded whatever the survey's size.
 */
export async function queueCounts(executor: Executor, surveyId: string, userId: string): Promise<QueueCountRow> {
  const row = await queueCountsQuery(executor, surveyId, userId).executeTakeFirstOrThrow();
  return { waiting: Number(row.waiting), unassigned: Number(row.unassigned), mine: Number(row.mine) };
}

export function queueCountsQuery(executor: Executor, surveyId: string, userId: string) {
  const open = (eb: ExpressionBuilder<Database, never>) =>
    eb
      .selectFrom('records')
      .select(sql<number>`1`.as('one'))
      .where('survey_id', '=', surveyId)
      .where('status', '=', 'open');
  const upToLimit = (eb: ExpressionBuilder<Database, never>, rows: ReturnType<typeof open>) =>
    eb.selectFrom(rows.limit(QUEUE_COUNT_LIMIT).as('counted')).select((c) => c.fn.countAll<number | string>().as('n'));
  return executor.selectNoFrom((eb) => [
    upToLimit(eb, open(eb).where('waiting_since', 'is not', null)).as('waiting'),
    upToLimit(eb, open(eb).where('locked_by', 'is', null)).as('unassigned'),
    upToLimit(eb, open(eb).where('locked_by', '=', userId)).as('mine'),
  ]);
}
