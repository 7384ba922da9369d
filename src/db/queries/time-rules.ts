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

/** A case's columns the timers read, with the time of its latest message. */
function timedCases(db: Executor) {
  return db.selectFrom('records as r').select((eb) => [
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
  ]);
}

type TimedCaseRow = Awaited<ReturnType<ReturnType<typeof timedCases>['executeTakeFirstOrThrow']>>;

/** A row of `timedCases` as a `TimedCase`. */
export function asTimedCase(row: TimedCaseRow): TimedCase {
  return {
    id: row.id,
    orgId: row.org_id,
    surveyId: row.survey_id,
    waitingSince: row.waiting_since === null ? null : Number(row.waiting_since),
    lastActivityAt: Math.max(Number(row.created_at), Number(row.last_message_at ?? 0)),
  };
}

/** A page of a survey's open cases in id order, after `afterId`, for retiming their timers. */
export async function openCasesOfSurvey(db: Executor, surveyId: string, afterId: string, limit: number): Promise<TimedCase[]> {
  const rows = await timedCases(db)
    .where('r.survey_id', '=', surveyId)
    .where('r.status', '=', 'open')
    .where('r.id', '>', afterId)
    .orderBy('r.id')
    .limit(limit)
    .execute();
  return rows.map(asTimedCase);
}

/** One case as its timers see it, or undefined when it is gone. */
export function timedCase(db: Executor, recordId: string): Promise<TimedCaseRow | undefined> {
  return timedCases(db).where('r.id', '=', recordId).executeTakeFirst();
}
