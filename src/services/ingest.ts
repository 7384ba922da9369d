import type { Db, Executor, Transaction } from '../db/database.js';
import { recordOptOut } from '../db/opt-outs.js';
import type { NumberTable, RecordTable } from '../db/schema.js';
import { renderMultiCaseReply } from '../domain/multi-case-reply.js';
import { consentChange } from '../domain/opt-out.js';
import { parseReferences } from '../domain/references.js';
import { routeInbound } from '../domain/routing.js';
import { caseStatus } from '../domain/survey.js';
import type { InboundMessage } from '../providers/provider.js';
import { addHistory, historyInsert, type HistoryEntry, type ServiceContext } from './context.js';
import { newId } from './ids.js';
import { queueOutbound } from './outbound.js';
import { initialAnswers } from './record-store.js';
import type { Survey } from './surveys.js';

/**
 * Storing and routing inbound messages (DESIGN.md §2 rules 1–7), in batches.
 *
 * Webhooks that arrive while earlier ones are being stored wait in a queue and are stored
 * together, in one transaction with a handful of set-based statements, instead of a
 * transaction of their own each. Every message still gets the routing decision of
 * `routeInbound`, one after another in arrival order, and its webhook is answered only
 * after the commit that holds it. Under light load a batch is one message.
 *
 * Where a batch is stored is the caller's choice (`BatchStore`): in this thread's
 * transaction, or on SQLite in the ingest thread (./ingest-thread.ts), which runs this
 * same `storeBatch` on a connection of its own.
 */
export interface InboundItem {
  /** What storing needs of the number: plain data, so it can cross to another thread. */
  number: IngestNumber;
  message: InboundMessage;
  /** E.164, normalised by the caller (rule 2). */
  contact: string;
}

export interface IngestNumber {
  row: Pick<NumberTable, 'id' | 'org_id' | 'multi_case_reply' | 'their_number_question'>;
  survey: Survey;
}

export interface ReceiveResult {
  duplicate: boolean;
  /** The cases (or records) the message now belongs to. */
  caseNumbers: number[];
}

const MAX_BATCH = 100;

/** Stores a batch in one transaction and answers for each item, in order. */
export type BatchStore = (items: InboundItem[], now: number) => Promise<ReceiveResult[]>;

interface Waiting {
  item: InboundItem;
  resolve(result: ReceiveResult): void;
  reject(error: unknown): void;
}

/** A case as routing sees it; a case created in this batch gets its number at the end. */
interface CaseRef {
  id: string;
  caseNumber: number;
  row?: RecordTable;
}

/** The queue in front of the store: webhooks wait here while the batch before them is stored. */
export function createIngest(ctx: ServiceContext, store: BatchStore = storeInTransaction(ctx.db)) {
  const { db } = ctx;
  const queue: Waiting[] = [];
  let active = 0;

  function pump(): void {
    // On PostgreSQL batches lock disjoint contacts and run side by side; on SQLite one batch
    // stores while the next one gathers, so each commit carries as many messages as possible.
    while (active < db.writeConcurrency && queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      active += 1;
      void run(batch);
    }
  }

  /** Lets the next batch start. */
  function done(): void {
    active -= 1;
    pump();
  }

  async function run(batch: Waiting[]): Promise<void> {
    let results: ReceiveResult[];
    try {
      results = await store(
        batch.map((w) => w.item),
        ctx.now(),
      );
    } catch (error) {
      if (batch.length > 1) {
        // Something in the batch failed: store each message alone, so one cannot sink the
        // rest, before the next batch (which may hold later messages of the same people).
        for (const waiting of batch) await storeAlone(waiting);
      } else batch[0]!.reject(error);
      done();
      return;
    }
    // The next batch starts storing before these webhooks are answered.
    done();
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  async function storeAlone(waiting: Waiting): Promise<void> {
    try {
      const [result] = await store([waiting.item], ctx.now());
      waiting.resolve(result!);
    } catch (error) {
      waiting.reject(error);
    }
  }

  return {
    /** Stores and routes one message; resolves once it is committed. */
    receive(item: InboundItem): Promise<ReceiveResult> {
      return new Promise((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
  };
}

/** The default store: a transaction on `db`, in this thread. */
export function storeInTransaction(db: Db): BatchStore {
  return (items, now) => db.transaction((tx) => storeBatch(db, tx, items, now));
}

async function storeBatch(db: Db, tx: Transaction, items: InboundItem[], now: number): Promise<ReceiveResult[]> {
  await db.lockRoutingKeys(
    tx,
    items.map((i) => routingKey(i)),
  );

  // Rule 1: a provider id already stored for the number, or earlier in this batch, is a duplicate.
  const messageIds = new Map<string, string>();
  const rows = [];
  for (const { number, message, contact } of items) {
    const key = `${number.row.id}|${message.providerMessageId}`;
    if (messageIds.has(key)) continue;
    const id = newId(now);
    messageIds.set(key, id);
    rows.push({
      id,
      org_id: number.row.org_id,
      number_id: number.row.id,
      direction: 'in' as const,
      contact,
      body: message.text,
      media: JSON.stringify(message.media),
      provider_message_id: message.providerMessageId,
      status: 'received' as const,
      error_code: null,
      error_text: null,
      author_id: null,
      created_at: now,
      updated_at: now,
    });
  }
  const inserted = new Set(
    (
      await tx.db
        .insertInto('messages')
        .values(rows)
        .onConflict((oc) => oc.columns(['number_id', 'direction', 'provider_message_id']).doNothing())
        .returning('id')
        .execute()
    ).map((r) => r.id),
  );
  const fresh = new Map<InboundItem, string>();
  for (const item of items) {
    const id = messageIds.get(`${item.number.row.id}|${item.message.providerMessageId}`)!;
    if (inserted.delete(id)) fresh.set(item, id);
  }

  await applyConsent(tx, [...fresh.keys()], now);
  const openCases = await openCasesOf(tx, [...fresh.keys()]);

  // Route in arrival order; a case created for one message is open for the next.
  const results = new Map<InboundItem, CaseRef[]>();
  const created: CaseRef[] = [];
  const replies: Array<{ item: InboundItem; cases: CaseRef[] }> = [];
  for (const item of fresh.keys()) {
    const { survey, row: number } = item.number;
    const key = routingKey(item);
    const open = openCases.get(key) ?? [];
    const decision = routeInbound({
      caseManagement: survey.caseManagement !== null,
      references: parseReferences(item.message.text),
      openCases: open,
      hasMultiCaseReply: number.multi_case_reply !== null,
    });
    let targets: CaseRef[];
    if (decision.kind === 'new-record' || decision.kind === 'new-case') {
      const answers = initialAnswers(survey, number.their_number_question, item.contact);
      const status = caseStatus(survey.caseManagement, answers);
      const record: CaseRef = {
        id: newId(now),
        // Placeholder until numbers are drawn below; never equal to a real reference.
        caseNumber: -(created.length + 1),
        row: {
          id: '',
          org_id: number.org_id,
          survey_id: survey.id,
          case_number: 0,
          contact: item.contact,
          number_id: number.id,
          answers: JSON.stringify(answers),
          status,
          locked_by: null,
          locked_at: null,
          version: 0,
          created_at: now,
          updated_at: now,
          closed_at: status === 'closed' ? now : null,
        },
      };
      created.push(record);
      if (decision.kind === 'new-case' && status === 'open') openCases.set(key, [...open, record]);
      targets = [record];
    } else {
      targets = open.filter((c) => decision.caseNumbers.includes(c.caseNumber));
      if (decision.kind === 'open-cases' && decision.sendMultiCaseReply) replies.push({ item, cases: targets });
    }
    results.set(item, targets);
  }

  await insertCreated(db, tx, created);
  const history: HistoryEntry[] = created.map((c) => ({
    recordId: c.id,
    userId: null,
    action: 'created',
    detail: { by: 'message', messageId: firstMessageOf(c, results, fresh) },
    at: now,
  }));
  const links: Array<{ record_id: string; message_id: string; added_at: number }> = [];
  const touched = new Set<string>();
  for (const [item, targets] of results) {
    const messageId = fresh.get(item)!;
    for (const target of targets) {
      links.push({ record_id: target.id, message_id: messageId, added_at: now });
      history.push({ recordId: target.id, userId: null, action: 'message.in', detail: { messageId }, at: now });
      if (!target.row) touched.add(target.id);
      tx.publish({
        type: 'message.added',
        orgId: item.number.row.org_id,
        caseNumber: target.caseNumber,
        surveyId: item.number.survey.id,
        messageId,
      });
    }
  }
  await db.writeTogether(tx, [
    touched.size > 0
      ? tx.db
          .updateTable('records')
          .set({ updated_at: now })
          .where('id', 'in', [...touched])
      : null,
    links.length > 0 ? tx.db.insertInto('record_messages').values(links) : null,
    historyInsert(tx.db, history),
  ]);
  for (const { item, cases } of replies) await sendMultiCaseReply(tx, item, cases, now);

  return items.map((item) => {
    const targets = results.get(item);
    return targets ? { duplicate: false, caseNumbers: targets.map((t) => t.caseNumber) } : { duplicate: true, caseNumbers: [] };
  });
}

/** Draws case numbers for the batch's new records and inserts them. */
async function insertCreated(db: Db, tx: Transaction, created: CaseRef[]): Promise<void> {
  const byOrg = new Map<string, CaseRef[]>();
  for (const c of created) byOrg.set(c.row!.org_id, [...(byOrg.get(c.row!.org_id) ?? []), c]);
  for (const [orgId, records] of byOrg) {
    const numbers = await db.nextCaseNumbers(tx, orgId, records.length);
    records.forEach((r, i) => {
      r.caseNumber = numbers[i]!;
      r.row = { ...r.row!, id: r.id, case_number: r.caseNumber };
    });
  }
  if (created.length === 0) return;
  await tx.db
    .insertInto('records')
    .values(created.map((c) => c.row!))
    .execute();
  for (const c of created) {
    tx.publish({ type: 'record.created', orgId: c.row!.org_id, caseNumber: c.caseNumber, surveyId: c.row!.survey_id, recordId: c.id });
  }
}

/** The open cases of every (survey, contact) in the batch, locked (rules 4–6). */
async function openCasesOf(tx: Transaction, items: InboundItem[]): Promise<Map<string, CaseRef[]>> {
  const open = new Map<string, CaseRef[]>();
  const managed = items.filter((i) => i.number.survey.caseManagement !== null);
  if (managed.length === 0) return open;
  const surveys = [...new Set(managed.map((i) => i.number.survey.id))];
  const contacts = [...new Set(managed.map((i) => i.contact))];
  // A case closed at this moment either takes the message first or is seen closed.
  const rows = await tx.forUpdate(openCasesQuery(tx.db, surveys, contacts)).execute();
  for (const row of rows) {
    const key = `${row.survey_id}:${row.contact}`;
    open.set(key, [...(open.get(key) ?? []), { id: row.id, caseNumber: Number(row.case_number) }]);
  }
  return open;
}

/** Rule 11: STOP and friends opt out on the number; START and friends opt back in. */
async function applyConsent(tx: Transaction, items: InboundItem[], now: number): Promise<void> {
  for (const { number, message, contact } of items) {
    const change = consentChange(message.text);
    if (change === 'opt-out') {
      await recordOptOut(tx.db, number.row.id, contact, now);
    } else if (change === 'opt-in') {
      await tx.db.deleteFrom('opt_outs').where('number_id', '=', number.row.id).where('contact', '=', contact).execute();
    }
  }
}

/** Rule 5: tells the contact which open cases they have, so they can name one next time. */
async function sendMultiCaseReply(tx: Transaction, item: InboundItem, cases: CaseRef[], now: number): Promise<void> {
  const number = item.number.row;
  const optedOut = await tx.db
    .selectFrom('opt_outs')
    .select('contact')
    .where('number_id', '=', number.id)
    .where('contact', '=', item.contact)
    .executeTakeFirst();
  if (optedOut) return;
  const firstMessages = await Promise.all(
    cases.map(async (c) => {
      const first = await tx.db
        .selectFrom('record_messages as rm')
        .innerJoin('messages as m', 'm.id', 'rm.message_id')
        .select('m.body')
        .where('rm.record_id', '=', c.id)
        .where('m.direction', '=', 'in')
        .orderBy('rm.added_at')
        .orderBy('m.id')
        .limit(1)
        .executeTakeFirst();
      return { caseNumber: c.caseNumber, firstMessage: first?.body ?? '' };
    }),
  );
  const replyId = await queueOutbound(tx, {
    orgId: number.org_id,
    numberId: number.id,
    contact: item.contact,
    text: renderMultiCaseReply(number.multi_case_reply!, firstMessages),
    authorId: null,
    recordIds: cases.map((c) => c.id),
    at: now,
  });
  await addHistory(
    tx.db,
    cases.map((c) => ({
      recordId: c.id,
      userId: null,
      action: 'message.out',
      detail: { messageId: replyId, multiCaseReply: true },
      at: now,
    })),
  );
}

/** The open cases of these contacts in these surveys, oldest first (read through `records_routing`). */
export function openCasesQuery(executor: Executor, surveyIds: string[], contacts: string[]) {
  return executor
    .selectFrom('records')
    .select(['id', 'case_number', 'survey_id', 'contact'])
    .where('survey_id', 'in', surveyIds)
    .where('contact', 'in', contacts)
    .where('status', '=', 'open')
    .orderBy('case_number');
}

function routingKey(item: InboundItem): string {
  return `${item.number.survey.id}:${item.contact}`;
}

function firstMessageOf(record: CaseRef, results: Map<InboundItem, CaseRef[]>, fresh: Map<InboundItem, string>): string | undefined {
  for (const [item, targets] of results) if (targets.includes(record)) return fresh.get(item);
  return undefined;
}
