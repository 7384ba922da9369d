import type { Transaction } from '../../db/database.js';
import { openCasesOfSurvey, type TimedCase } from '../../db/queries/time-rules.js';
import { scheduleTimers, type NewTimer } from '../../db/queries/jobs.js';
import {
  ALERT_LEVELS,
  ALERT_TIMER_JOBS,
  AUTO_CLOSE_JOB,
  alertDueAt,
  alertThresholdMinutes,
  autoCloseDueAt,
  timerJobId,
} from '../../domain/time-rules.js';
import type { JobHandler } from '../../jobs/job-worker.js';
import type { ServiceContext } from '../context.js';
import { loadSurvey, type Survey } from '../surveys.js';

/**
 * Where the time rules' timers are booked (DESIGN.md §8). A timer is a job row with an id
 * derived from its case (src/db/queries/jobs.ts `scheduleTimers`), written in the
 * transaction of the change that starts it: a case starting to wait books its alert timers,
 * a case opening books its auto-close timer. Each timer's handler checks its condition when
 * it runs (answered? any message since?) and books its own next run, so later messages
 * need not touch the timers at all.
 */

/** The alert timers of cases that started waiting, for their surveys' thresholds. */
export function waitingTimers(survey: Survey, cases: ReadonlyArray<Pick<TimedCase, 'id' | 'orgId' | 'waitingSince'>>): NewTimer[] {
  const { alerts } = survey;
  if (!alerts) return [];
  return cases.flatMap((c) =>
    c.waitingSince === null
      ? []
      : ALERT_LEVELS.flatMap((level) => {
          const minutes = alertThresholdMinutes(alerts, level);
          const dueAt = minutes === null ? null : alertDueAt(survey.businessHours, c.waitingSince!, minutes);
          if (dueAt === null) return [];
          const kind = ALERT_TIMER_JOBS[level];
          return [{ id: timerJobId(kind, c.id), orgId: c.orgId, kind, subjectId: c.id, dueAt }];
        }),
  );
}

/** The auto-close timers of open cases, from their latest message. */
export function autoCloseTimers(survey: Survey, cases: ReadonlyArray<Pick<TimedCase, 'id' | 'orgId' | 'lastActivityAt'>>): NewTimer[] {
  const { autoClose } = survey;
  if (!autoClose) return [];
  return cases.map((c) => ({
    id: timerJobId(AUTO_CLOSE_JOB, c.id),
    orgId: c.orgId,
    kind: AUTO_CLOSE_JOB,
    subjectId: c.id,
    dueAt: autoCloseDueAt(autoClose, c.lastActivityAt),
  }));
}

/** Books the timers of cases that opened or started waiting, in the transaction that did it. */
export async function scheduleCaseTimers(tx: Transaction, survey: Survey, cases: ReadonlyArray<TimedCase>, now: number): Promise<void> {
  await scheduleTimers(tx, [...waitingTimers(survey, cases), ...autoCloseTimers(survey, cases)], now);
}

export const SURVEY_RETIME_JOB = 'survey.retime';
const RETIME_PAGE = 500;

export function timeRulesChanged(before: Survey, after: Survey): boolean {
  const rules = (s: Survey) => JSON.stringify([s.businessHours, s.alerts, s.autoClose]);
  return rules(before) !== rules(after);
}

/** Asks for the survey's open cases to be retimed under its new rules, once this transaction commits. */
export async function scheduleSurveyRetiming(tx: Transaction, orgId: string, surveyId: string, now: number): Promise<void> {
  await scheduleTimers(
    tx,
    [{ id: timerJobId(SURVEY_RETIME_JOB, surveyId), orgId, kind: SURVEY_RETIME_JOB, subjectId: surveyId, dueAt: now }],
    now,
  );
}

/**
 * Retimes every open case of a survey whose time rules changed, a page per transaction.
 * Booking a timer twice keeps one, so a run cut short and repeated does no harm; timers of a
 * rule turned off find it off when they run and end.
 */
export function createSurveyRetimeHandler(ctx: ServiceContext): JobHandler {
  const { db } = ctx;
  return {
    kind: SURVEY_RETIME_JOB,
    maxAttempts: 10,
    backoff: { baseMs: 5_000, capMs: 5 * 60_000 },
    claimMs: 10 * 60_000,
    async run(job) {
      const survey = await loadSurvey(db.kysely, job.org_id ?? '', job.subject_id);
      let afterId = '';
      for (;;) {
        const page = await openCasesOfSurvey(db.kysely, survey.id, afterId, RETIME_PAGE);
        if (page.length === 0) break;
        await db.transaction((tx) => scheduleCaseTimers(tx, survey, page, ctx.now()));
        afterId = page[page.length - 1]!.id;
      }
      return { state: 'done' };
    },
    async giveUp() {},
  };
}
