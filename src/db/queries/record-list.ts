import { sql } from 'kysely';
import { validationFailed } from '../../domain/errors.js';
import { contactSearch, contactSpellings, regionOf, type ContactSearch, type CountryCode } from '../../domain/phone.js';
import type { Executor } from '../database.js';
import type { RecordTable } from '../schema.js';

/** The records list's queries: one page of a survey's records under the list's filters. */
export interface RecordQuery {
  status?: RecordTable['status'] | 'all';
  assignee?: string;
  contact?: string;
  /** The cases of this case's contact; the service reads it into `exactContact`. */
  sameContactAs?: number;
  /** A stored contact, found exactly (the cases of one person, whatever the reader sees). */
  exactContact?: string;
  q?: string;
  /** Open cases waiting for a person's answer only (DESIGN.md §7). */
  waiting?: boolean;
  /** `activity` (default): newest activity first; `waiting`: longest waiting first, waiting cases only. */
  sort?: 'activity' | 'waiting';
  /** A label's id: the cases carrying it. */
  label?: string;
  limit?: number;
  cursor?: string;
}

/** Who lists: the organisation to read in, and the user `assignee=me` means. */
export interface Lister {
  orgId: string;
  userId: string;
  /**
   * A reader who sees contacts masked (DESIGN.md §9) finds a case by its whole number only:
   * a search by part of a number would give the hidden digits away one by one.
   */
  wholeNumbersOnly?: boolean;
}

/**
 * The countries of a survey's numbers, archived ones too (their cases stay searchable): a
 * national number a worker types is read in them.
 */
export async function surveyRegions(executor: Executor, orgId: string, surveyId: string): Promise<CountryCode[]> {
  const rows = await executor
    .selectFrom('numbers')
    .select('our_number')
    .where('org_id', '=', orgId)
    .where('survey_id', '=', surveyId)
    .execute();
  return [...new Set(rows.map((r) => regionOf(r.our_number)).filter((r) => r !== undefined))];
}

/**
 * One page of a records list, newest activity first. A list of one status reads
 * `records_listing` in order and stops at the page's end; a search by contact reads that
 * person's few cases through `records_routing` and orders them. No index spans the
 * statuses (migration 004: every index holding `updated_at` is written at every message),
 * so a list of every status takes one page of each status, each read that way, and orders
 * those rows: never a sort of a whole survey. `regions` are the countries national numbers
 * in `query.contact` are read in.
 */
export function recordsPageQuery(
  executor: Executor,
  actor: Lister,
  surveyId: string,
  query: RecordQuery,
  limit: number,
  regions: readonly CountryCode[] = [],
) {
  const search: ContactSearch | null =
    query.exactContact !== undefined
      ? { kind: 'exact', contacts: contactSpellings(query.exactContact) }
      : query.contact
        ? contactSearch(query.contact, regions)
        : null;
  // For one person, `+updated_at` (the same value, but no column an index holds) keeps
  // SQLite, which plans without statistics, from walking the survey's listing index for
  // its order, reading every case of the status, instead of finding the person's cases.
  const activity = search?.kind === 'exact' ? sql<number>`+r.updated_at` : sql.ref<number>('r.updated_at');
  if (query.sort === 'waiting' || query.waiting === true) {
    // Only open cases wait; asked for closed ones as well, the list is empty.
    const open = listQuery(executor, actor, surveyId, query, search, 'open').where('r.waiting_since', 'is not', null);
    const waiting = query.status === 'closed' ? open.where(sql<boolean>`1 = 0`) : open;
    if (query.sort !== 'waiting') return waiting.orderBy(activity, 'desc').orderBy('r.id', 'desc').limit(limit);
    // Longest waiting first, read in `records_queue`'s order (for one person, sorted as above).
    const since = search?.kind === 'exact' ? sql<number>`+r.waiting_since` : sql.ref<number>('r.waiting_since');
    return waiting.orderBy(since, 'asc').orderBy('r.id', 'asc').limit(limit);
  }
  const page = (status: RecordTable['status']) =>
    listQuery(executor, actor, surveyId, query, search, status).orderBy(activity, 'desc').orderBy('r.id', 'desc').limit(limit);
  if (query.status === 'open' || query.status === 'closed') return page(query.status);
  return executor
    .selectFrom(page('open').as('open_records'))
    .selectAll()
    .unionAll(executor.selectFrom(page('closed').as('closed_records')).selectAll())
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
}

/** The records of one status that a list asks for, before ordering and paging. */
function listQuery(
  executor: Executor,
  actor: Lister,
  surveyId: string,
  query: RecordQuery,
  search: ContactSearch | null,
  status: RecordTable['status'],
) {
  let q = executor
    .selectFrom('records as r')
    .leftJoin('users as u', 'u.id', 'r.locked_by')
    .select([
      // Named, so the page of every status can order by them (SQLite orders a compound by its columns' names).
      'r.id as id',
      'r.case_number',
      'r.survey_id',
      'r.status',
      'r.contact',
      'r.number_id',
      'r.locked_by',
      'u.name as locked_by_name',
      'r.version',
      'r.created_at',
      'r.updated_at as updated_at',
      'r.closed_at',
      'r.waiting_since',
      'r.redacted_at',
    ])
    .where('r.survey_id', '=', surveyId)
    .where('r.org_id', '=', actor.orgId)
    .where('r.status', '=', status);
  if (query.assignee === 'me') q = q.where('r.locked_by', '=', actor.userId);
  else if (query.assignee === 'none') q = q.where('r.locked_by', 'is', null);
  else if (query.assignee) q = q.where('r.locked_by', '=', query.assignee);
  // A whole number is found through the (survey, contact) index; a part of one by
  // substring, which reads every record of the survey.
  if (search?.kind === 'exact') {
    const [only] = search.contacts;
    q = search.contacts.length === 1 && only ? q.where('r.contact', '=', only) : q.where('r.contact', 'in', search.contacts);
  } else if (search?.kind === 'part') {
    q = actor.wholeNumbersOnly
      ? q.where(sql<boolean>`1 = 0`)
      : q.where(sql<boolean>`r.contact like ${`%${escapeLike(search.text)}%`} escape '\\'`);
  }
  if (query.q) {
    const pattern = `%${escapeLike(query.q.trim().toLowerCase())}%`;
    q = q.where((eb) =>
      eb.or([
        actor.wholeNumbersOnly ? sql<boolean>`1 = 0` : sql<boolean>`lower(r.contact) like ${pattern} escape '\\'`,
        eb.exists(
          eb
            .selectFrom('record_messages as rm')
            .innerJoin('messages as m', 'm.id', 'rm.message_id')
            .select('rm.message_id')
            .whereRef('rm.record_id', '=', 'r.id')
            .where(sql<boolean>`lower(m.body) like ${pattern} escape '\\'`),
        ),
      ]),
    );
  }
  if (query.label) {
    const label = query.label;
    q = q.where((eb) =>
      eb.exists(
        eb.selectFrom('record_labels as rl').select('rl.record_id').whereRef('rl.record_id', '=', 'r.id').where('rl.label_id', '=', label),
      ),
    );
  }
  if (query.cursor && query.sort === 'waiting') {
    const [waitingSince, id] = decodeCursor(query.cursor);
    q = q.where((eb) => eb(eb.refTuple('r.waiting_since', 'r.id'), '>', eb.tuple(waitingSince, id)));
  } else if (query.cursor) {
    const [updatedAt, id] = decodeCursor(query.cursor);
    q = q.where((eb) => eb.or([eb('r.updated_at', '<', updatedAt), eb.and([eb('r.updated_at', '=', updatedAt), eb('r.id', '<', id)])]));
  }
  return q;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function encodeCursor(updatedAt: number, id: string): string {
  return Buffer.from(`${updatedAt}:${id}`).toString('base64url');
}

/** The cursor of the page after `last`: its place in the list's order (`sort`). */
export function cursorAfter(last: Pick<RecordTable, 'updated_at' | 'waiting_since' | 'id'>, query: Pick<RecordQuery, 'sort'>): string {
  return query.sort === 'waiting' ? encodeCursor(Number(last.waiting_since), last.id) : encodeCursor(last.updated_at, last.id);
}

export function decodeCursor(cursor: string): [number, string] {
  const [updatedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const at = Number(updatedAt);
  if (!Number.isFinite(at) || !id) throw validationFailed('cursor is not valid');
  return [at, id];
}
