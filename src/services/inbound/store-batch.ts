import type { Insertable } from 'kysely';
import type { Db, Transaction } from '../../db/database.js';
import { openCasesQuery, optedOutAmong, storedProviderIds } from '../../db/queries/inbound.js';
import { enqueueJobsQueries, scheduleTimers } from '../../db/queries/jobs.js';
import { recordOptOut, removeOptOut } from '../../db/queries/opt-outs.js';
import type { MediaTable, NumberTable, RecordTable } from '../../db/schema.js';
import { sanitiseFileName } from '../../domain/file-names.js';
import { planInboundBatch, type InboundPlan, type InboundPlanItem, type PlannedTarget } from '../../domain/inbound-plan.js';
import { caseStatus } from '../../domain/survey.js';
import type { InboundMessage } from '../../providers/provider.js';
import { historyRows, type HistoryEntry } from '../context.js';
import { groupBy } from '../group-by.js';
import { newId } from '../ids.js';
import { assignNewCases, autoAssigns } from '../auto-assignment.js';
import { mediaFetchBookings } from '../media/fetch-booking.js';
import { initialAnswers } from '../record-store.js';
import type { Survey } from '../surveys.js';
import { autoCloseTimers, waitingTimers } from '../time-rules/timers.js';
import { sendAcknowledgement, sendMultiCaseReply, type CaseRef } from './automatic-replies.js';

/**
 * Stores a batch of inbound messages in one transaction (DESIGN.md §2 rules 1–7): loads what
 * the decision needs under the routing lock, lets `planInboundBatch` decide, then writes the
 * plan with a handful of set-based statements. Runs on the main connection or, on SQLite, on
 * the database's second writer (./store-batch-thread.ts).
 */
export interface InboundItem {
  /** What storing needs of the number: plain data, so it can cross to another thread. */
  number: IngestNumber;
  message: InboundMessage;
  /** E.164, normalised by the caller (rule 2). */
  contact: string;
}

export interface IngestNumber {
  row: Pick<NumberTable, 'id' | 'org_id' | 'multi_case_reply' | 'acknowledgement' | 'their_number_question'>;
  survey: Survey;
}

export interface ReceiveResult {
  duplicate: boolean;
  /** The cases (or records) the message now belongs to. */
  caseNumbers: number[];
}

/**
 * Stores a batch in one transaction and answers for each item, in order, once it is
 * committed and on disk. A store that can tell may call `committed` earlier, once the commit
 * is made, so the next batch need not wait for the disk.
 */
export type BatchStore = (items: InboundItem[], now: number, committed?: () => void) => Promise<ReceiveResult[]>;

/** The default store: a transaction on `db`, in this thread. */
export function storeInTransaction(db: Db): BatchStore {
  return (items, now) => db.transaction((tx) => storeBatch(db, tx, items, now));
}

async function storeBatch(db: Db, tx: Transaction, items: InboundItem[], now: number): Promise<ReceiveResult[]> {
  await db.lockRoutingKeys(
    tx,
    items.map((i) => `${i.number.survey.id}:${i.contact}`),
  );
  const { input, alreadyWaiting } = await loadForPlan(tx, items);
  const plan = planInboundBatch(input);

  for (const update of plan.consentUpdates) {
    if (update.change === 'opt-out') await recordOptOut(tx.db, update.numberId, update.contact, now);
    else await removeOptOut(tx.db, update.numberId, update.contact);
  }

  const messageIds = plan.messages.map((m) => (m.duplicate ? null : newId(now)));
  const newRecords = await newCaseRows(db, tx, plan, items, now);
  const surveys = new Map(items.map((i) => [i.number.survey.id, i.number.survey]));
  // Before the insert, so an auto-assigned case is stored with its holder (DESIGN.md §7).
  const assigned = await assignNewCases(db, tx, newRecords, (surveyId) => autoAssigns(surveys.get(surveyId)), now);
  const messages = messageRows(items, messageIds, now);
  const media = mediaRows(items, messageIds, now);
  // A message another writer stored meanwhile breaks the unique provider id: the batch fails
  // and its messages are stored again one by one, where that one is seen as a duplicate.
  await db.writeTogether(tx, [db.insertRows(tx, 'records', newRecords), db.insertRows(tx, 'messages', messages)]);
  for (const row of newRecords) {
    tx.publish({
      type: 'record.created',
      orgId: row.org_id,
      caseNumber: row.case_number,
      surveyId: row.survey_id,
      recordId: row.id,
      // A first message can open a case already closed (its status question's default).
      ...(row.status === 'closed' ? { closed: true as const } : {}),
    });
  }
  const created: CaseRef[] = newRecords.map((row) => ({ id: row.id, caseNumber: row.case_number }));
  const resolve = (target: PlannedTarget): CaseRef => (target.kind === 'existing' ? target : created[target.key]!);

  const history: HistoryEntry[] = plan.newCases.map((c) => ({
    recordId: created[c.key]!.id,
    userId: null,
    action: 'created',
    detail: { by: 'message', messageId: messageIds[c.firstItem] },
    at: now,
  }));
  history.push(...assigned);
  const links: Array<{ record_id: string; message_id: string; added_at: number }> = [];
  const touched = new Set<string>();
  plan.messages.forEach((planned, i) => {
    const messageId = messageIds[i];
    if (planned.duplicate || !messageId) return;
    const { number } = items[i]!;
    for (const target of planned.targets) {
      const record = resolve(target);
      links.push({ record_id: record.id, message_id: messageId, added_at: now });
      history.push({ recordId: record.id, userId: null, action: 'message.in', detail: { messageId }, at: now });
      if (target.kind === 'existing') touched.add(record.id);
      tx.publish({ type: 'message.added', orgId: number.row.org_id, caseNumber: record.caseNumber, surveyId: number.survey.id, messageId });
    }
  });
  await db.writeTogether(tx, [
    touched.size > 0
      ? tx.db
          .updateTable('records')
          // A case starts waiting at the first message nobody has answered (DESIGN.md §7).
          .set((eb) => ({ updated_at: now, waiting_since: eb.fn.coalesce('waiting_since', eb.val(now)) }))
          .where('id', 'in', [...touched])
      : null,
    db.insertRows(tx, 'record_messages', links),
    db.insertRows(tx, 'history', historyRows(history)),
    db.insertRows(tx, 'media', media),
    // Media are fetched by jobs once this commits, never on the webhook's path (DESIGN.md §6).
    ...enqueueJobsQueries(db, tx, mediaFetchBookings(media, now), now),
  ]);
  for (const reply of plan.multiCaseReplies) await sendMultiCaseReply(tx, items[reply.item]!, reply.targets.map(resolve), now);
  for (const ack of plan.acknowledgements) await sendAcknowledgement(tx, items[ack.item]!, created[ack.caseKey]!, now);
  await scheduleTimersOfBatch(tx, { plan, items, surveys, newRecords, touched, alreadyWaiting }, now);

  return plan.messages.map((planned) =>
    planned.duplicate
      ? { duplicate: true, caseNumbers: [] }
      : { duplicate: false, caseNumbers: planned.targets.map((t) => resolve(t).caseNumber) },
  );
}

/** What the plan decides over: duplicates, the contacts' open cases (locked), opt-outs that matter. */
async function loadForPlan(tx: Transaction, items: InboundItem[]) {
  const stored = await storedProviderIds(
    tx.db,
    items.map((i) => ({ numberId: i.number.row.id, providerMessageId: i.message.providerMessageId })),
  );
  const planItems: InboundPlanItem[] = items.map(({ number, message, contact }) => ({
    numberId: number.row.id,
    providerMessageId: message.providerMessageId,
    contact,
    text: message.text,
    surveyId: number.survey.id,
    caseManagement: number.survey.caseManagement !== null,
    hasMultiCaseReply: number.row.multi_case_reply !== null,
    hasAcknowledgement: number.row.acknowledgement !== null,
    alreadyStored: stored.has(`${number.row.id}|${message.providerMessageId}`),
  }));
  const fresh = planItems.filter((i) => !i.alreadyStored);
  const managed = fresh.filter((i) => i.caseManagement);
  // A case closed at this moment either takes the message first or is seen closed.
  const openCases =
    managed.length === 0
      ? []
      : await tx
          .forUpdate(openCasesQuery(tx.db, [...new Set(managed.map((i) => i.surveyId))], [...new Set(managed.map((i) => i.contact))]))
          .execute();
  // Only a multi-case reply or an acknowledgement asks whether its contact is opted out (rule 11).
  const replying = managed.filter((i) => i.hasMultiCaseReply || i.hasAcknowledgement);
  const optedOut = await optedOutAmong(tx.db, [...new Set(replying.map((i) => i.numberId))], [...new Set(replying.map((i) => i.contact))]);
  return {
    input: {
      items: planItems,
      openCases: openCases.map((r) => ({ id: r.id, caseNumber: Number(r.case_number), surveyId: r.survey_id, contact: r.contact ?? '' })),
      optedOut,
    },
    /** Open cases already waiting: a message joining one starts no timer. */
    alreadyWaiting: new Set(openCases.filter((r) => r.waiting_since !== null).map((r) => r.id)),
  };
}

/** The survey and organisation of each existing case a message of the batch joined. */
function existingSurveys(plan: InboundPlan, items: InboundItem[]): Map<string, { surveyId: string; orgId: string }> {
  const surveyOf = new Map<string, { surveyId: string; orgId: string }>();
  plan.messages.forEach((planned, i) => {
    if (planned.duplicate) return;
    const { number } = items[i]!;
    for (const target of planned.targets) {
      if (target.kind === 'existing') surveyOf.set(target.id, { surveyId: number.survey.id, orgId: number.row.org_id });
    }
  });
  return surveyOf;
}

/**
 * Time rules (DESIGN.md §8): new cases book their alert and auto-close timers, and existing
 * cases that start waiting now book their alert timers. Surveys without time rules write nothing.
 */
async function scheduleTimersOfBatch(
  tx: Transaction,
  batch: {
    plan: InboundPlan;
    items: InboundItem[];
    surveys: Map<string, Survey>;
    newRecords: RecordTable[];
    /** Existing cases a message joined. */
    touched: Set<string>;
    alreadyWaiting: Set<string>;
  },
  now: number,
): Promise<void> {
  const timed = [...batch.surveys.values()].filter((survey) => survey.alerts || survey.autoClose);
  if (timed.length === 0) return;
  const surveyOfExisting = existingSurveys(batch.plan, batch.items);
  const startedWaiting = [...batch.touched].filter((id) => !batch.alreadyWaiting.has(id));
  const timers = timed.flatMap((survey) => {
    const opened = batch.newRecords
      .filter((row) => row.survey_id === survey.id && row.status === 'open')
      .map((row) => ({ id: row.id, orgId: row.org_id, waitingSince: now, lastActivityAt: now }));
    const waiting = startedWaiting.flatMap((id) => {
      const of = surveyOfExisting.get(id);
      return of?.surveyId === survey.id ? [{ id, orgId: of.orgId, waitingSince: now }] : [];
    });
    return [...waitingTimers(survey, [...opened, ...waiting]), ...autoCloseTimers(survey, opened)];
  });
  await scheduleTimers(tx, timers, now);
}

/** The plan's new cases as rows, in plan-key order, with numbers drawn per organisation. */
async function newCaseRows(db: Db, tx: Transaction, plan: InboundPlan, items: InboundItem[], now: number): Promise<RecordTable[]> {
  const rows: RecordTable[] = plan.newCases.map((c) => {
    const { number } = items[c.firstItem]!;
    const answers = initialAnswers(number.survey, number.row.their_number_question, c.contact);
    const status = caseStatus(number.survey.caseManagement, answers);
    return {
      id: newId(now),
      org_id: number.row.org_id,
      survey_id: c.surveyId,
      case_number: 0,
      contact: c.contact,
      number_id: c.numberId,
      answers: JSON.stringify(answers),
      status,
      locked_by: null,
      locked_at: null,
      version: 0,
      created_at: now,
      updated_at: now,
      // A case created by an inbound message waits from that message.
      waiting_since: now,
      closed_at: status === 'closed' ? now : null,
      redacted_at: null,
      first_response_at: null,
      first_response_ms: null,
      first_response_by: null,
    };
  });
  for (const [orgId, ofOrg] of groupBy(rows, (row) => row.org_id)) {
    const numbers = await db.nextCaseNumbers(tx, orgId, ofOrg.length);
    for (const [i, row] of ofOrg.entries()) row.case_number = numbers[i]!;
  }
  return rows;
}

/** The rows of the batch's new messages (those with an id). */
function messageRows(items: InboundItem[], messageIds: Array<string | null>, now: number) {
  return items.flatMap(({ number, message, contact }, i) => {
    const id = messageIds[i];
    if (!id) return [];
    return [
      {
        id,
        org_id: number.row.org_id,
        number_id: number.row.id,
        direction: 'in' as const,
        contact,
        body: message.text,
        provider_message_id: message.providerMessageId,
        status: 'received' as const,
        error_code: null,
        error_text: null,
        author_id: null,
        automatic: 0,
        created_at: now,
        updated_at: now,
      },
    ];
  });
}

/** The media of the batch's new messages: each `pending`, with what its adapter fetches (`source`). */
function mediaRows(items: InboundItem[], messageIds: Array<string | null>, now: number): Array<Insertable<MediaTable>> {
  return items.flatMap(({ number, message }, i) => {
    const messageId = messageIds[i];
    if (!messageId) return [];
    return message.media.map((item, position) => ({
      id: newId(now),
      org_id: number.row.org_id,
      message_id: messageId,
      position,
      number_id: number.row.id,
      direction: 'in' as const,
      status: 'pending' as const,
      source: item.ref,
      declared_type: item.contentType,
      // The declared type until the bytes are read (src/services/media/fetch-media.ts).
      content_type: item.contentType,
      // Shown in the console and sent in Content-Disposition: a name alone, cut to length.
      name: sanitiseFileName(item.name),
      // size, blob_id, error_code, error_text and uploaded_by are left null: fewer values to bind.
      created_at: now,
      updated_at: now,
    }));
  });
}
