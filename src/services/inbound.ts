import { newId } from './ids.js';
import type { Executor, Transaction } from '../db/database.js';
import { isStatusProgress } from '../domain/message-status.js';
import { DomainError, notFound } from '../domain/errors.js';
import { renderMultiCaseReply } from '../domain/multi-case-reply.js';
import { consentChange } from '../domain/opt-out.js';
import { normalisePhone } from '../domain/phone.js';
import { parseReferences } from '../domain/references.js';
import { routeInbound } from '../domain/routing.js';
import type { InboundMessage, StatusUpdate, WebhookAnswer, WebhookRequest } from '../providers/provider.js';
import { addHistory, type ServiceContext } from './context.js';
import { NumberCache, type RoutableNumber } from './number-cache.js';
import { assertProvider, type LoadedNumber, type NumberService } from './numbers.js';
import { queueOutbound } from './outbound.js';
import { createRecord, initialAnswers, linkMessage, touchRecords } from './record-store.js';
import { loadSurvey } from './surveys.js';

export interface ReceiveResult {
  duplicate: boolean;
  /** The cases (or records) the message now belongs to. */
  caseNumbers: number[];
}


export function createInboundService(ctx: ServiceContext, numbers: NumberService) {
  const { db } = ctx;
  const cache = new NumberCache(async (numberId) => {
    const loaded = await numbers.load(numberId);
    return { ...loaded, survey: await loadSurvey(db.kysely, loaded.row.org_id, loaded.row.survey_id) };
  }, db);

  async function loadFor(provider: string, numberId: string): Promise<RoutableNumber> {
    assertProvider(provider);
    const loaded = await cache.get(numberId);
    if (loaded.row.provider !== provider) throw notFound('Number');
    return loaded;
  }

  /**
   * The contact's open cases in the survey, locked: a case closed at this moment either
   * takes the message first or is seen closed (rule 6), never both.
   */
  function openCasesOf(tx: Transaction, surveyId: string, contact: string) {
    return tx
      .forUpdate(
        tx.db
          .selectFrom('records')
          .select(['id', 'case_number'])
          .where('survey_id', '=', surveyId)
          .where('contact', '=', contact)
          .where('status', '=', 'open')
          .orderBy('case_number'),
      )
      .execute();
  }

  /** Rule 5: tells the contact which open cases they have, so they can name one next time. */
  async function sendMultiCaseReply(
    tx: Transaction,
    loaded: RoutableNumber,
    contact: string,
    cases: { id: string; case_number: number }[],
    now: number,
  ): Promise<void> {
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
        return { caseNumber: Number(c.case_number), firstMessage: first?.body ?? '' };
      }),
    );
    const replyId = await queueOutbound(tx, {
      orgId: loaded.row.org_id,
      numberId: loaded.row.id,
      contact,
      text: renderMultiCaseReply(loaded.row.multi_case_reply!, firstMessages),
      authorId: null,
      recordIds: cases.map((c) => c.id),
      at: now,
    });
    await addHistory(
      tx.db,
      cases.map((c) => ({ recordId: c.id, userId: null, action: 'message.out', detail: { messageId: replyId, multiCaseReply: true }, at: now })),
    );
  }

  /**
   * Stores one inbound message and routes it (DESIGN.md §2 rules 1–7), all in one
   * transaction under the (survey, contact) lock.
   */
  async function receive(loaded: RoutableNumber, inbound: InboundMessage, contact: string): Promise<ReceiveResult> {
    const { row: number, survey } = loaded;
    const orgId = number.org_id;
    return db.transaction(async (tx) => {
      await db.lockRoutingKey(tx, survey.id, contact);
      const now = ctx.now();
      const messageId = newId();
      const inserted = await tx.db
        .insertInto('messages')
        .values({
          id: messageId,
          org_id: orgId,
          number_id: number.id,
          direction: 'in',
          contact,
          body: inbound.text,
          media: JSON.stringify(inbound.media),
          provider_message_id: inbound.providerMessageId,
          status: 'received',
          error_code: null,
          error_text: null,
          author_id: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['number_id', 'direction', 'provider_message_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      // Rule 1: the provider delivered this message before; it changes nothing.
      if (!inserted) return { duplicate: true, caseNumbers: [] };

      const consent = await applyConsent(tx.db, number.id, contact, inbound.text, now);
      const openCases = survey.caseManagement ? await openCasesOf(tx, survey.id, contact) : [];
      const decision = routeInbound({
        caseManagement: survey.caseManagement !== null,
        references: parseReferences(inbound.text),
        openCases: openCases.map((c) => ({ caseNumber: Number(c.case_number) })),
        hasMultiCaseReply: number.multi_case_reply !== null,
      });

      let targets: { id: string; case_number: number }[];
      if (decision.kind === 'new-record' || decision.kind === 'new-case') {
        const record = await createRecord(db, tx, {
          orgId,
          survey,
          contact,
          numberId: number.id,
          answers: initialAnswers(survey, number.their_number_question, contact),
          userId: null,
          at: now,
          historyDetail: { by: 'message', messageId },
          moreHistory: [{ action: 'message.in', detail: { messageId } }],
        });
        tx.publish({ type: 'record.created', orgId, caseNumber: record.case_number, surveyId: survey.id, recordId: record.id });
        targets = [record];
      } else {
        targets = openCases.filter((c) => decision.caseNumbers.includes(Number(c.case_number)));
        await touchRecords(tx.db, targets.map((t) => t.id), now);
        await addHistory(
          tx.db,
          targets.map((t) => ({ recordId: t.id, userId: null, action: 'message.in', detail: { messageId }, at: now })),
        );
      }
      await linkMessage(tx.db, targets.map((t) => t.id), messageId, now);
      for (const target of targets) {
        tx.publish({ type: 'message.added', orgId, caseNumber: Number(target.case_number), surveyId: survey.id, messageId });
      }

      if (decision.kind === 'open-cases' && decision.sendMultiCaseReply && !(await consent.optedOut())) {
        await sendMultiCaseReply(tx, loaded, contact, targets, now);
      }
      return { duplicate: false, caseNumbers: targets.map((t) => Number(t.case_number)) };
    });
  }

  async function applyStatus(loaded: LoadedNumber, update: StatusUpdate): Promise<boolean> {
    return db.transaction(async (tx) => {
      const message = await tx.db
        .selectFrom('messages')
        .select(['id', 'status', 'org_id'])
        .where('number_id', '=', loaded.row.id)
        .where('direction', '=', 'out')
        .where('provider_message_id', '=', update.providerMessageId)
        .executeTakeFirst();
      if (!message) {
        // The report raced ahead of the worker recording the provider's id: keep it
        // until the send is recorded (src/outbox/outbox-worker.ts applies it then).
        await tx.db
          .insertInto('early_statuses')
          .values({
            number_id: loaded.row.id,
            provider_message_id: update.providerMessageId,
            status: update.status,
            error_code: update.errorCode ?? null,
            error_text: update.errorText ?? null,
            created_at: ctx.now(),
          })
          .execute();
        return false;
      }
      if (!isStatusProgress(message.status, update.status)) return true;
      await tx.db
        .updateTable('messages')
        .set({
          status: update.status,
          error_code: update.errorCode ?? null,
          error_text: update.errorText ?? null,
          updated_at: ctx.now(),
        })
        .where('id', '=', message.id)
        .execute();
      await publishStatus(tx, message.org_id, message.id);
      return true;
    });
  }

  return {
    receive,
    applyStatus,
    /** A live number with its survey, from the cache. */
    routable: (numberId: string) => cache.get(numberId),

    /** A provider's webhook: authenticate, parse, store, then acknowledge (DESIGN.md §3). */
    async handleWebhook(provider: string, numberId: string, request: WebhookRequest): Promise<WebhookAnswer> {
      const loaded = await loadFor(provider, numberId);
      loaded.adapter.verify(request, loaded.provider);
      const parsed = loaded.adapter.parse(request, loaded.provider);
      // Every sender is checked before anything is stored, so a bad batch stores nothing.
      const contacts = parsed.messages.map((m) => normalisePhone(m.from, loaded.row.our_number));
      for (const [i, message] of parsed.messages.entries()) await receive(loaded, message, contacts[i]!);
      for (const status of parsed.statuses) await applyStatus(loaded, status);
      return loaded.adapter.acknowledge();
    },

    async handshake(provider: string, numberId: string, request: WebhookRequest): Promise<WebhookAnswer> {
      const loaded = await loadFor(provider, numberId);
      if (!loaded.adapter.handshake) throw new DomainError('not_found', 'This provider has no verification handshake');
      return loaded.adapter.handshake(request, loaded.provider);
    },
  };
}

export type InboundService = ReturnType<typeof createInboundService>;

/**
 * Rule 11: STOP and friends opt out on this number; START and friends opt back in. Whether
 * the contact is opted out is read only when someone asks (the multi-case reply), so an
 * ordinary message costs no query for it.
 */
async function applyConsent(
  db: Executor,
  numberId: string,
  contact: string,
  text: string,
  at: number,
): Promise<{ optedOut(): Promise<boolean> }> {
  const change = consentChange(text);
  if (change === 'opt-out') {
    await db
      .insertInto('opt_outs')
      .values({ number_id: numberId, contact, created_at: at })
      .onConflict((oc) => oc.columns(['number_id', 'contact']).doNothing())
      .execute();
    return { optedOut: async () => true };
  }
  if (change === 'opt-in') {
    await db.deleteFrom('opt_outs').where('number_id', '=', numberId).where('contact', '=', contact).execute();
    return { optedOut: async () => false };
  }
  return {
    optedOut: async () =>
      !!(await db
        .selectFrom('opt_outs')
        .select('contact')
        .where('number_id', '=', numberId)
        .where('contact', '=', contact)
        .executeTakeFirst()),
  };
}

/** Tells every record holding the message that its status moved. */
export async function publishStatus(tx: Transaction, orgId: string, messageId: string) {
  const records = await tx.db
    .selectFrom('record_messages as rm')
    .innerJoin('records as r', 'r.id', 'rm.record_id')
    .select(['r.case_number', 'r.survey_id'])
    .where('rm.message_id', '=', messageId)
    .execute();
  for (const r of records) {
    tx.publish({ type: 'message.status', orgId, caseNumber: Number(r.case_number), surveyId: r.survey_id, messageId });
  }
}

