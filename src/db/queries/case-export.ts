import type { Executor } from '../database.js';

/**
 * The queries of a survey's case export (DESIGN.md §10 "Export"): cases a page at a time by
 * case number, and what each page's rows need beside them (labels, messages, notes), each
 * in one query per page, so memory holds one page whatever the survey's size.
 */
export interface CaseExportFilter {
  orgId: string;
  surveyId: string;
  status: 'open' | 'closed' | null;
  /** Creation time, epoch ms, `from` included and `to` not. */
  from?: number;
  to?: number;
}

function casesOf(db: Executor, filter: CaseExportFilter) {
  let query = db.selectFrom('records as r').where('r.org_id', '=', filter.orgId).where('r.survey_id', '=', filter.surveyId);
  if (filter.status !== null) query = query.where('r.status', '=', filter.status);
  if (filter.from !== undefined) query = query.where('r.created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('r.created_at', '<', filter.to);
  return query;
}

export async function countExportCases(db: Executor, filter: CaseExportFilter): Promise<number> {
  const row = await casesOf(db, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of cases after case number `after`, with their number, holder and message count. */
export function exportCasesPage(db: Executor, filter: CaseExportFilter, after: number, limit: number) {
  return casesOf(db, filter)
    .leftJoin('numbers as n', 'n.id', 'r.number_id')
    .leftJoin('users as u', 'u.id', 'r.locked_by')
    .select((eb) => [
      'r.id',
      'r.case_number',
      'r.status',
      'r.contact',
      'r.answers',
      'r.created_at',
      'r.closed_at',
      'r.updated_at',
      'n.our_number',
      'n.channel',
      'n.their_number_question',
      'u.name as assignee',
      eb
        .selectFrom('record_messages as rm')
        .select((count) => count.fn.countAll<number | string>().as('c'))
        .whereRef('rm.record_id', '=', 'r.id')
        .as('message_count'),
    ])
    .where('r.case_number', '>', after)
    .orderBy('r.case_number')
    .limit(limit)
    .execute();
}

export type ExportCaseRow = Awaited<ReturnType<typeof exportCasesPage>>[number];

/** The label names of the page's cases. */
export function exportLabels(db: Executor, recordIds: readonly string[]) {
  return db
    .selectFrom('record_labels as rl')
    .innerJoin('labels as l', 'l.id', 'rl.label_id')
    .select(['rl.record_id', 'l.name'])
    .where('rl.record_id', 'in', [...recordIds])
    .execute();
}

/** The messages of the page's cases in each case's order, with how many attachments each carries. */
export function exportMessages(db: Executor, recordIds: readonly string[]) {
  return db
    .selectFrom('record_messages as rm')
    .innerJoin('messages as m', 'm.id', 'rm.message_id')
    .select((eb) => [
      'rm.record_id',
      'm.direction',
      'm.body',
      'm.automatic',
      'm.created_at',
      eb
        .selectFrom('media as md')
        .select((count) => count.fn.countAll<number | string>().as('c'))
        .whereRef('md.message_id', '=', 'm.id')
        .as('attachments'),
    ])
    .where('rm.record_id', 'in', [...recordIds])
    .orderBy('rm.record_id')
    .orderBy('rm.added_at')
    .orderBy('m.id')
    .execute();
}

/** The notes of the page's cases, oldest first, with their authors' names. */
export function exportNotes(db: Executor, recordIds: readonly string[]) {
  return db
    .selectFrom('notes as nt')
    .leftJoin('users as u', 'u.id', 'nt.author_id')
    .select(['nt.record_id', 'nt.text', 'nt.created_at', 'u.name as author'])
    .where('nt.record_id', 'in', [...recordIds])
    .orderBy('nt.record_id')
    .orderBy('nt.created_at')
    .orderBy('nt.id')
    .execute();
}
