import { sql } from 'kysely';
import type { Executor } from '../database.js';

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

/** Each case first answered in `[from, to)`: when, how long it had waited, by whom. */
export async function firstResponses(executor: Executor, scope: ReportScope, from: number, to: number) {
  const rows = await firstResponsesQuery(executor, scope, from, to).execute();
  return rows.map((r) => ({ at: Number(r.first_response_at), ms: Number(r.first_response_ms), by: r.first_response_by }));
}

export function firstResponsesQuery(executor: Executor, scope: ReportScope, from: number, to: number) {
  let query = executor
    .selectFrom('records')
    .select(['first_response_at', 'first_response_ms', 'first_response_by'])
    .where('survey_id', 'in', [...scope.surveyIds])
    .where('first_response_at', '>=', from)
    .where('first_response_at', '<', to);
  if (scope.numberId !== undefined) query = query.where('number_id', '=', scope.numberId);
  if (scope.userId !== undefined) query = query.where('first_response_by', '=', scope.userId);
  return query;
}

/** Each case whose last close fell in `[from, to)`: when, and how long after its creation. */
export async function closes(executor: Executor, scope: Omit<ReportScope, 'userId'>, from: number, to: number) {
  const rows = await closesQuery(executor, scope, from, to).execute();
  return rows.map((r) => ({ at: Number(r.closed_at), ms: Number(r.closed_at) - Number(r.created_at) }));
}

export function closesQuery(executor: Executor, scope: Omit<ReportScope, 'userId'>, from: number, to: number) {
  let query = executor
    .selectFrom('records')
    .select(['closed_at', 'created_at'])
    .where('survey_id', 'in', [...scope.surveyIds])
    .where('closed_at', '>=', from)
    .where('closed_at', '<', to);
  if (scope.numberId !== undefined) query = query.where('number_id', '=', scope.numberId);
  return query;
}

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
