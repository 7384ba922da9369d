import { sql } from 'kysely';
import type { Executor, Transaction } from '../database.js';
import type { ProviderName, RecordTable } from '../schema.js';

/**
 * The queries of redaction (DESIGN.md §9): what retention and erasure find, and how they
 * empty a case. Lists of ids go to the database in slices, below either dialect's limit on
 * bound parameters however large a person's history.
 */
const SLICE = 5_000;

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

async function eachSlice<T, R>(items: readonly T[], run: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (const slice of slices(items)) out.push(...(await run(slice)));
  return out;
}

async function forEachSlice<T>(items: readonly T[], run: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (const slice of slices(items)) await run(slice);
}

export type RedactedRecord = Pick<RecordTable, 'id' | 'org_id' | 'survey_id' | 'case_number' | 'answers'>;
const RECORD_COLUMNS = ['id', 'org_id', 'survey_id', 'case_number', 'answers'] as const;

/** Where a page of due cases ended, for the next page. */
export interface DueCursor {
  closedAt: number;
  id: string;
}

/** A survey's closed cases not yet redacted that closed before `cutoff`, oldest first; after `after` when given. */
export function dueForRetention(
  db: Executor,
  surveyId: string,
  cutoff: number,
  limit: number,
  after: DueCursor | null = null,
): Promise<Array<RedactedRecord & { closed_at: number | null }>> {
  let query = db
    .selectFrom('records')
    .select([...RECORD_COLUMNS, 'closed_at'])
    .where('survey_id', '=', surveyId)
    .where('redacted_at', 'is', null)
    .where('closed_at', '<', cutoff)
    .where('status', '=', 'closed');
  if (after) {
    const { closedAt, id } = after;
    query = query.where((eb) => eb.or([eb('closed_at', '>', closedAt), eb.and([eb('closed_at', '=', closedAt), eb('id', '>', id)])]));
  }
  return query.orderBy('closed_at').orderBy('id').limit(limit).execute();
}

/** A person's cases in an organisation, or in one of its surveys, under any spelling of their number. */
export function recordsOfContact(
  db: Executor,
  orgId: string,
  spellings: readonly string[],
  surveyId: string | null,
): Promise<RedactedRecord[]> {
  let query = db.selectFrom('records').select(RECORD_COLUMNS).where('org_id', '=', orgId).where('contact', 'in', spellings);
  if (surveyId !== null) query = query.where('survey_id', '=', surveyId);
  return query.orderBy('case_number').execute();
}

/** The organisation's numbers (archived ones too), or one survey's. */
export async function numbersInScope(db: Executor, orgId: string, surveyId: string | null): Promise<string[]> {
  let query = db.selectFrom('numbers').select('id').where('org_id', '=', orgId);
  if (surveyId !== null) query = query.where('survey_id', '=', surveyId);
  return (await query.execute()).map((row) => row.id);
}

/** The messages a person exchanged on these numbers. */
export async function messagesOfContact(db: Executor, numberIds: readonly string[], spellings: readonly string[]): Promise<string[]> {
  if (numberIds.length === 0) return [];
  const rows = await db.selectFrom('messages').select('id').where('number_id', 'in', numberIds).where('contact', 'in', spellings).execute();
  return rows.map((row) => row.id);
}

/** Every message shown in these cases. */
export async function messagesOfRecords(db: Executor, recordIds: readonly string[]): Promise<string[]> {
  const rows = await eachSlice(recordIds, (slice) =>
    db.selectFrom('record_messages').select('message_id').distinct().where('record_id', 'in', slice).execute(),
  );
  return [...new Set(rows.map((row) => row.message_id))];
}

/**
 * For a dry run of retention, read a page at a time: the cases of the survey due before
 * `cutoff` up to `through` in the run's order, which a run has emptied by the time it
 * reaches this page. They keep nothing, so a message shared across pages is counted once,
 * on its last holder's page, as the run empties it once, with its last holder's batch.
 */
export interface DueThrough {
  surveyId: string;
  cutoff: number;
  through: DueCursor;
}

/**
 * The messages shown in these cases and in no case that keeps its data: a message moved
 * or copied into a case outside them stays whole there.
 */
export async function messagesOnlyIn(db: Executor, recordIds: readonly string[], due?: DueThrough): Promise<string[]> {
  if (recordIds.length === 0) return [];
  const rows = await eachSlice(recordIds, (slice) =>
    db
      .selectFrom('record_messages as rm')
      .select('rm.message_id')
      .distinct()
      .where('rm.record_id', 'in', slice)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('record_messages as other')
              .innerJoin('records as r', 'r.id', 'other.record_id')
              .select(sql`1`.as('one'))
              .whereRef('other.message_id', '=', 'rm.message_id')
              .where('r.redacted_at', 'is', null)
              .where('other.record_id', 'not in', recordIds)
              .$if(due !== undefined, (qb) =>
                qb.where((w) =>
                  w.not(
                    w.and([
                      w('r.survey_id', '=', due!.surveyId),
                      w('r.status', '=', 'closed'),
                      w('r.closed_at', '<', due!.cutoff),
                      w(w.refTuple('r.closed_at', 'r.id'), '<=', w.tuple(due!.through.closedAt, due!.through.id)),
                    ]),
                  ),
                ),
              ),
          ),
        ),
      )
      .execute(),
  );
  return [...new Set(rows.map((row) => row.message_id))];
}

export interface RedactedMedia {
  id: string;
  org_id: string;
  blob_id: string | null;
  number_id: string | null;
  source: string | null;
  direction: 'in' | 'out';
  provider: ProviderName | null;
}

/** The media items of these messages, with the provider of the number that received them. */
export function mediaOfMessages(db: Executor, messageIds: readonly string[]): Promise<RedactedMedia[]> {
  return eachSlice(messageIds, (slice) =>
    db
      .selectFrom('media as m')
      .leftJoin('numbers as n', 'n.id', 'm.number_id')
      .select(['m.id', 'm.org_id', 'm.blob_id', 'm.number_id', 'm.source', 'm.direction', 'n.provider'])
      .where('m.message_id', 'in', slice)
      .execute(),
  );
}

/** These messages' ids at the provider, for providers whose copies can be deleted. */
export function providerCopiesOfMessages(
  db: Executor,
  messageIds: readonly string[],
  providers: readonly ProviderName[],
): Promise<Array<{ id: string; org_id: string }>> {
  return eachSlice(messageIds, (slice) =>
    db
      .selectFrom('messages as m')
      .innerJoin('numbers as n', 'n.id', 'm.number_id')
      .select(['m.id', 'm.org_id'])
      .where('m.id', 'in', slice)
      .where('m.provider_message_id', 'is not', null)
      .where('n.provider', 'in', providers)
      .execute(),
  );
}

/**
 * Empties messages: text, the contact's number and any provider error text (which may
 * quote the number) go; direction, times, status and the provider's id stay. Sends still
 * queued are dropped and fail as `erased`.
 */
export async function redactMessages(tx: Transaction, messageIds: readonly string[], now: number): Promise<void> {
  await forEachSlice(messageIds, async (slice) => {
    await tx.db.deleteFrom('outbox').where('message_id', 'in', slice).execute();
    await tx.db
      .updateTable('messages')
      .set((eb) => ({
        body: '',
        contact: '',
        error_text: null,
        error_code: eb.case().when('status', 'in', ['queued', 'sending']).then('erased').else(eb.ref('error_code')).end(),
        status: eb
          .case()
          .when('status', 'in', ['queued', 'sending'])
          .then(sql<'failed'>`'failed'`)
          .else(eb.ref('status'))
          .end(),
        updated_at: now,
      }))
      .where('id', 'in', slice)
      .execute();
  });
}

/** Deletes media rows and their public links; the bytes go once nothing refers to them. */
export async function deleteMedia(tx: Transaction, mediaIds: readonly string[]): Promise<void> {
  await forEachSlice(mediaIds, async (slice) => {
    await tx.db.deleteFrom('media_links').where('media_id', 'in', slice).execute();
    await tx.db.deleteFrom('media').where('id', 'in', slice).execute();
  });
}

/**
 * Empties cases: answers become `answers` (the status question's alone), the contact goes,
 * notes, labels and the details of their history go, the holder lets go. Case number,
 * survey, times (`updated_at` too: a run of retention does not bring old cases to the top
 * of the lists), status and message links stay for reports.
 */
export async function redactRecords(tx: Transaction, records: ReadonlyArray<{ id: string; answers: string }>, now: number): Promise<void> {
  const byAnswers = new Map<string, string[]>();
  for (const record of records) byAnswers.set(record.answers, [...(byAnswers.get(record.answers) ?? []), record.id]);
  for (const [answers, ids] of byAnswers) {
    await forEachSlice(ids, (slice) =>
      tx.db
        .updateTable('records')
        .set((eb) => ({
          answers,
          contact: null,
          locked_by: null,
          locked_at: null,
          waiting_since: null,
          redacted_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', 'in', slice)
        .execute(),
    );
  }
  const ids = records.map((record) => record.id);
  await forEachSlice(ids, async (slice) => {
    await tx.db.deleteFrom('notes').where('record_id', 'in', slice).execute();
    await tx.db.deleteFrom('record_labels').where('record_id', 'in', slice).execute();
    await tx.db.updateTable('history').set({ detail: '{}' }).where('record_id', 'in', slice).execute();
  });
}

/** Deletes jobs by id (timers of emptied cases: nothing is left to remind anyone of). */
export async function deleteJobs(tx: Transaction, jobIds: readonly string[]): Promise<void> {
  await forEachSlice(jobIds, (slice) => tx.db.deleteFrom('jobs').where('id', 'in', slice).execute());
}

/** A person's opt-outs on these numbers. */
export async function deleteOptOuts(tx: Transaction, numberIds: readonly string[], spellings: readonly string[]): Promise<number> {
  if (numberIds.length === 0) return 0;
  const result = await tx.db
    .deleteFrom('opt_outs')
    .where('number_id', 'in', numberIds)
    .where('contact', 'in', spellings)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
