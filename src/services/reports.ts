import type { SummaryQuery, SummaryReport } from '../contract/index.js';
import { backlogAt, durationSpreads, slotCounts, userNames, workerCounts, type ReportScope } from '../db/queries/reports.js';
import { notFound } from '../domain/errors.js';
import { reportBuckets } from '../domain/report-buckets.js';
import { summarise } from '../domain/report-summary.js';
import type { Actor, ServiceContext } from './context.js';

/**
 * The summary report (DESIGN.md §10; definitions in docs/reports.md). It shows counts and
 * durations, never a contact or a message, so every member of the organisation may read it.
 */
export function createReportService(ctx: ServiceContext) {
  const { db } = ctx;

  async function scopeOf(actor: Actor, query: SummaryQuery): Promise<ReportScope> {
    const executor = db.kysely;
    let surveys = executor.selectFrom('surveys').select('id').where('org_id', '=', actor.orgId);
    if (query.surveyId !== undefined) surveys = surveys.where('id', '=', query.surveyId);
    const surveyIds = (await surveys.execute()).map((s) => s.id);
    if (query.surveyId !== undefined && surveyIds.length === 0) throw notFound('Survey');
    if (query.numberId !== undefined) {
      const number = await executor
        .selectFrom('numbers')
        .select('id')
        .where('id', '=', query.numberId)
        .where('org_id', '=', actor.orgId)
        .executeTakeFirst();
      if (!number) throw notFound('Number');
    }
    if (query.userId !== undefined) {
      const user = await executor
        .selectFrom('users')
        .select('id')
        .where('id', '=', query.userId)
        .where('org_id', '=', actor.orgId)
        .executeTakeFirst();
      if (!user) throw notFound('User');
    }
    return { surveyIds, numberId: query.numberId, userId: query.userId };
  }

  return {
    async summary(actor: Actor, query: SummaryQuery): Promise<SummaryReport> {
      const buckets = reportBuckets(query.from, query.to, query.tz, query.bucket ?? 'day');
      const scope = await scopeOf(actor, query);
      const from = buckets[0]!.startAt;
      const to = buckets.at(-1)!.endAt;
      if (scope.surveyIds.length === 0)
        return summarise({
          buckets,
          backlogAtStart: 0,
          slots: [],
          firstResponses: [],
          closes: [],
          workerResponses: [],
          workers: [],
          names: new Map(),
        });
      const executor = db.kysely;
      const caseScope = { surveyIds: scope.surveyIds, numberId: scope.numberId };
      const [backlogAtStart, slots, workers, responses, closed, workerResponses] = await Promise.all([
        backlogAt(executor, caseScope, from),
        slotCounts(executor, scope, from, to),
        workerCounts(executor, scope, from, to),
        durationSpreads(db, 'first-response', scope, buckets),
        durationSpreads(db, 'close', caseScope, buckets),
        durationSpreads(db, 'first-response', scope, { worker: { from, to } }),
      ]);
      const workerIds = new Set([...workers.map((w) => w.userId), ...workerResponses.map((r) => r.group)]);
      const names = await userNames(executor, actor.orgId, [...workerIds]);
      return summarise({ buckets, backlogAtStart, slots, firstResponses: responses, closes: closed, workerResponses, workers, names });
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
