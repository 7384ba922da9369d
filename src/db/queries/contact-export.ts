import type { Executor } from '../database.js';

/**
 * The queries of an access export (DESIGN.md §9 "Access request"): what the organisation
 * holds about one person, in one survey or in all. Each reads through the person's cases or
 * messages as a subquery, so a long history never becomes a list of bound ids.
 */
export interface PersonScope {
  orgId: string;
  /** E.164, as the admin asked for the person. */
  contact: string;
  /** Every spelling the person's number is stored under (`contactSpellings`, DESIGN.md §11). */
  spellings: readonly string[];
  /** One survey, or null for the whole organisation. */
  surveyId: string | null;
}

function surveysInScope(db: Executor, scope: PersonScope) {
  let query = db.selectFrom('surveys').select('id').where('org_id', '=', scope.orgId);
  if (scope.surveyId !== null) query = query.where('id', '=', scope.surveyId);
  return query;
}

function numbersInScope(db: Executor, scope: PersonScope) {
  let query = db.selectFrom('numbers').select('id').where('org_id', '=', scope.orgId);
  if (scope.surveyId !== null) query = query.where('survey_id', '=', scope.surveyId);
  return query;
}

/** The ids of the person's cases; by survey and contact, as the routing index reads them. */
function caseIdsOf(db: Executor, scope: PersonScope) {
  return db.selectFrom('records').select('id').where('survey_id', 'in', surveysInScope(db, scope)).where('contact', 'in', scope.spellings);
}

/**
 * The ids of the messages the person exchanged: on the scope's numbers (archived ones too),
 * or shown in one of their cases there. Another person's message moved into one of their
 * cases is not theirs to receive.
 */
function messageIdsOf(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('messages as pm')
    .select('pm.id')
    .where('pm.org_id', '=', scope.orgId)
    .where('pm.contact', 'in', scope.spellings)
    .where((eb) =>
      eb.or([
        eb('pm.number_id', 'in', numbersInScope(db, scope)),
        eb(
          'pm.id',
          'in',
          eb.selectFrom('record_messages as prm').select('prm.message_id').where('prm.record_id', 'in', caseIdsOf(db, scope)),
        ),
      ]),
    );
}

/** The person's cases with their survey's name, oldest first. */
export function casesOfPerson(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('records as r')
    .innerJoin('surveys as s', 's.id', 'r.survey_id')
    .select(['r.id', 'r.case_number', 'r.survey_id', 's.name as survey_name', 'r.status', 'r.answers', 'r.created_at', 'r.closed_at'])
    .where('r.id', 'in', caseIdsOf(db, scope))
    .orderBy('r.case_number')
    .execute();
}

/** The notes of the person's cases with their authors' names, oldest first. */
export function notesOfPerson(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('notes as nt')
    .leftJoin('users as u', 'u.id', 'nt.author_id')
    .select(['nt.record_id', 'nt.text', 'nt.created_at', 'u.name as author_name'])
    .where('nt.record_id', 'in', caseIdsOf(db, scope))
    .orderBy('nt.created_at')
    .orderBy('nt.id')
    .execute();
}

/** The labels on the person's cases. */
export function labelsOfPerson(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('record_labels as rl')
    .innerJoin('labels as l', 'l.id', 'rl.label_id')
    .select(['rl.record_id', 'l.id', 'l.name', 'l.color'])
    .where('rl.record_id', 'in', caseIdsOf(db, scope))
    .execute();
}

/** The person's messages with our number and their authors' names, oldest first. */
export function messagesOfPerson(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('messages as m')
    .innerJoin('numbers as n', 'n.id', 'm.number_id')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select([
      'm.id',
      'm.direction',
      'm.body',
      'm.status',
      'm.error_code',
      'm.error_text',
      'm.automatic',
      'm.created_at',
      'n.our_number',
      'n.channel',
      'u.name as author_name',
    ])
    .where('m.id', 'in', messageIdsOf(db, scope))
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
}

/** The case numbers that show each of the person's messages. */
export function caseNumbersOfPersonMessages(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('record_messages as rm')
    .innerJoin('records as r', 'r.id', 'rm.record_id')
    .select(['rm.message_id', 'r.case_number'])
    .where('rm.message_id', 'in', messageIdsOf(db, scope))
    .orderBy('r.case_number')
    .execute();
}

/** The media items of the person's messages, in each message's order, with where their bytes are. */
export function mediaOfPersonMessages(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('media')
    .select(['id', 'message_id', 'position', 'name', 'content_type', 'size', 'status', 'blob_id'])
    .where('message_id', 'in', messageIdsOf(db, scope))
    .where('org_id', '=', scope.orgId)
    .orderBy('message_id')
    .orderBy('position')
    .execute();
}

/** The person's opt-outs on the scope's numbers. */
export function optOutsOfPerson(db: Executor, scope: PersonScope) {
  return db
    .selectFrom('opt_outs as o')
    .innerJoin('numbers as n', 'n.id', 'o.number_id')
    .select(['n.our_number', 'n.channel', 'o.created_at'])
    .where('o.number_id', 'in', numbersInScope(db, scope))
    .where('o.contact', 'in', scope.spellings)
    .orderBy('o.created_at')
    .execute();
}
