import { sql } from 'kysely';
import type { DurationSpread } from '../../domain/report-summary.js';
import type { Db, Executor } from '../database.js';

/**
 * The summary report's reads (DESIGN.md §10, docs/reports.md): counts per quarter hour
 * from `report_counts` (kept by migration 014's triggers), and per-case durations from the
 * partial indexes `records_first_responses` and `records_closes`, which hold every column
 * read here.
 */
export interface ReportScope {
  surveyIds: readonly string[];
  numberId?: string;
  /** Narrows what belongs to a worker: outbound messages, closes, first responses. */
  userId?: string;
}

const counts = (executor: Executor, scope: ReportScope) => {
  let query = executor.selectFrom('report_counts').where('survey_id', 'in', [...scope.surveyIds]);
  if (scope.numberId !== undefined) query = query.where('number_id', '=', scope.numberId);
  return query;
};

/** A worker's own figure, or everyone's. */
const workersOwn = (scope: ReportScope, column: 'outbound' | 'closed_cases') =>
  scope.userId === undefined
    ? sql<string>`sum(${sql.ref(column)})`
    : sql<string>`sum(case when user_id = ${scope.userId} then ${sql.ref(column)} else 0 end)`;

export async function slotCounts(executor: Executor, scope: ReportScope, from: number, to: number) {
  const rows = await counts(executor, scope)
    .select([
      'slot',
      sql<string>`sum(inbound)`.as('inbound'),
      workersOwn(scope, 'outbound').as('outbound'),
      sql<string>`sum(new_cases)`.as('new_cases'),
      workersOwn(scope, 'closed_cases').as('closed_cases'),
      sql<string>`sum(new_cases - closed_cases + reopened_cases)`.as('backlog_change'),
    ])
    .where('slot', '>=', from)
    .where('slot', '<', to)
    .groupBy('slot')
    .execute();
  return rows.map((r) => ({
    slot: Number(r.slot),
    inbound: Number(r.inbound),
    outbound: Number(r.outbound),
    newCases: Number(r.new_cases),
    closedCases: Number(r.closed_cases),
    backlogChange: Number(r.backlog_change),
  }));
}

/** Cases open at `at`: every case created before it, less those closed, plus those reopened. */
export async function backlogAt(executor: Executor, scope: Omit<ReportScope, 'userId'>, at: number): Promise<number> {
  const row = await counts(executor, scope)
    .select(sql<string | null>`sum(new_cases - closed_cases + reopened_cases)`.as('open'))
    .where('slot', '<', at)
    .executeTakeFirst();
  return Number(row?.open ?? 0);
}

/** Replies sent and cases closed per worker (the system's closes belong to no one). */
export async function workerCounts(executor: Executor, scope: ReportScope, from: number, to: number) {
  let query = counts(executor, scope)
    .select(['user_id', sql<string>`sum(outbound)`.as('replies'), sql<string>`sum(closed_cases)`.as('closed_cases')])
    .where('slot', '>=', from)
    .where('slot', '<', to)
    .where('user_id', '<>', '');
  if (scope.userId !== undefined) query = query.where('user_id', '=', scope.userId);
  const rows = await query.groupBy('user_id').execute();
  return rows.map((r) => ({ userId: r.user_id, replies: Number(r.replies), closedCases: Number(r.closed_cases) }));
}

/** Which cases' durations: first responses (their waiting time) or closes (creation to last close). */
export type DurationKind = 'first-response' | 'close';

const DURATIONS = {
  'first-response': { at: 'first_response_at', ms: sql`r.first_response_ms`, by: 'first_response_by' },
  close: { at: 'closed_at', ms: sql`r.closed_at - r.created_at`, by: null },
} as const;

/**
 * The median and 90th percentile of the durations in each group — a bucket (`groups` the
 * buckets' spans; the group is the bucket's index) or a worker (`groups: {worker}`; the
 * group is the user's id) — computed by the database, so a report over a quarter of a
 * million cases returns a row per group, not a row per case. The cases are read from
 * `records_first_responses` or `records_closes` alone, one range per bucket.
 */
export function durationSpreadsQuery(
  db: Pick<Db, 'percentileCont'>,
  kind: DurationKind,
  scope: ReportScope,
  groups: ReadonlyArray<{ startAt: number; endAt: number }> | { worker: { from: number; to: number } },
) {
  const duration = DURATIONS[kind];
  const at = sql.ref(`r.${duration.at}`);
  const filters = [sql`r.survey_id in (${sql.join(scope.surveyIds)})`, sql`${at} is not null`];
  if (scope.numberId !== undefined) filters.push(sql`r.number_id = ${scope.numberId}`);
  if (scope.userId !== undefined && duration.by !== null) filters.push(sql`${sql.ref(`r.${duration.by}`)} = ${scope.userId}`);
  let values;
  if ('worker' in groups) {
    if (duration.by === null) throw new Error('Only first responses have a worker');
    filters.push(sql`${at} >= ${groups.worker.from}`, sql`${at} < ${groups.worker.to}`);
    values = sql`select ${sql.ref(`r.${duration.by}`)} as g, ${duration.ms} as ms from records r where ${sql.join(filters, sql` and `)}`;
  } else {
    const spans = sql.join(groups.map((g, i) => sql`(${sql.lit(i)}, cast(${g.startAt} as bigint), cast(${g.endAt} as bigint))`));
    values = sql`
      with buckets (i, s, e) as (values ${spans})
      select b.i as g, ${duration.ms} as ms
      from buckets b join records r on ${at} >= b.s and ${at} < b.e
      where ${sql.join(filters, sql` and `)}`;
  }
  const ms = sql.ref('v.ms');
  return sql<{ g: string | number; median: number | string | null; p90: number | string | null }>`
    select v.g as g, ${db.percentileCont(ms, 0.5)} as median, ${db.percentileCont(ms, 0.9)} as p90
    from (${values}) as v
    group by v.g`;
}

export async function durationSpreads(
  db: Pick<Db, 'percentileCont' | 'kysely'>,
  ...args: Parameters<typeof durationSpreadsQuery> extends [unknown, ...infer Rest] ? Rest : never
): Promise<DurationSpread[]> {
  const { rows } = await durationSpreadsQuery(db, ...args).execute(db.kysely);
  return rows.map((r) => ({ group: String(r.g), median: numberOrNull(r.median), p90: numberOrNull(r.p90) }));
}

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** The names of these users, for the workers list. */
export async function userNames(executor: Executor, orgId: string, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await executor
    .selectFrom('users')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...userIds])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
