import type { Executor } from '../database.js';

/** An open case as its timers see it. */
export interface TimedCase {
  id: string;
  orgId: string;
  surveyId: string;
  waitingSince: number | null;
  /** The time of its latest message, in or out; its creation when it has none. */
  lastActivityAt: number;
}

/** A page of a survey's open cases in id order, after `afterId`, for retiming their timers. */
export async function openCasesOfSurvey(db: Executor, surveyId: string, afterId: string, limit: number): Promise<TimedCase[]> {
  const rows = await db
    .selectFrom('records as r')
    .select((eb) => [
      'r.id',
      'r.org_id',
      'r.survey_id',
      'r.waiting_since',
      'r.created_at',
      eb
        .selectFrom('record_messages as rm')
        .innerJoin('messages as m', 'm.id', 'rm.message_id')
        .whereRef('rm.record_id', '=', 'r.id')
        .select((inner) => inner.fn.max('m.created_at').as('at'))
        .as('last_message_at'),
    ])
    .where('r.survey_id', '=', surveyId)
    .where('r.status', '=', 'open')
    .where('r.id', '>', afterId)
    .orderBy('r.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    orgId: row.org_id,
    surveyId: row.survey_id,
    waitingSince: row.waiting_since === null ? null : Number(row.waiting_since),
    lastActivityAt: Math.max(Number(row.created_at), Number(row.last_message_at ?? 0)),
  }));
}

/** One case as its timers see it, or undefined when it is gone. */
export async function timedCase(db: Executor, recordId: string) {
  return db
    .selectFrom('records as r')
    .select((eb) => [
      'r.id',
      'r.org_id',
      'r.survey_id',
      'r.case_number',
      'r.status',
      'r.locked_by',
      'r.waiting_since',
      'r.created_at',
      eb
        .selectFrom('record_messages as rm')
        .innerJoin('messages as m', 'm.id', 'rm.message_id')
        .whereRef('rm.record_id', '=', 'r.id')
        .select((inner) => inner.fn.max('m.created_at').as('at'))
        .as('last_message_at'),
    ])
    .where('r.id', '=', recordId)
    .executeTakeFirst();
}
