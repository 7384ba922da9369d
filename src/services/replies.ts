import type { Message, Notification, Template } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import { lastInboundAt, selectRecordMessages } from '../db/queries/messages.js';
import { isOptedOut } from '../db/queries/opt-outs.js';
import { findRecordForChange, type RecordRow } from '../db/queries/records.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { withReference } from '../domain/references.js';
import { isWindowOpen } from '../domain/whatsapp-window.js';
import { addHistory, requireWriter, type Actor, type ServiceContext } from './context.js';
import { publishStatus } from './deliveries.js';
import { queueOutbound } from './outbound.js';
import { messageView } from './presenters.js';
import { requireLock } from './record-store.js';

/** A reply from a case (rule 8): `POST /records/{n}/notifications`. */
export type ReplyInput = Notification;

/** SMS concatenation tops out around 10 segments on most networks; WhatsApp allows 4096. */
export const MAX_REPLY_LENGTH = 1600;

/**
 * A closed case receives no messages (rule 6): the person's answer to a reply sent from it
 * would start a new case, away from what they answer. Reopen the case first.
 */
function refuseClosed(record: RecordRow): void {
  if (record.status !== 'closed') return;
  throw new DomainError(
    'case_closed',
    `Case #${record.case_number} is closed, so nothing was sent: the answer would start a new case. Reopen the case to reply from it.`,
  );
}

export function createReplyService(ctx: ServiceContext) {
  const { db } = ctx;

  async function messageOf(executor: Executor, recordId: string, messageId: string): Promise<Message> {
    const row = await selectRecordMessages(executor, recordId).where('m.id', '=', messageId).executeTakeFirst();
    if (!row) throw notFound('Message');
    return messageView(row);
  }

  /** Refuses sends the provider would refuse anyway (rules 11 and 12), before queueing. */
  async function checkCanSend(executor: Executor, numberId: string, contact: string, template: boolean) {
    const number = await executor
      .selectFrom('numbers')
      .select(['channel', 'template', 'deleted_at', 'our_number'])
      .where('id', '=', numberId)
      .executeTakeFirst();
    if (!number) throw validationFailed('The number this case came in on no longer exists; it cannot send');
    if (number.deleted_at !== null) {
      throw new DomainError(
        'number_archived',
        `The number this case came in on (${number.our_number}) is archived, so it cannot send; an admin can restore it under Numbers`,
      );
    }
    if (await isOptedOut(executor, numberId, contact)) {
      throw new DomainError('opted_out', `${contact} has opted out of messages from this number (they sent STOP)`);
    }
    const configured = number.template ? (JSON.parse(number.template) as Template) : null;
    if (template && !configured) throw validationFailed('This number has no template message configured');
    if (number.channel === 'whatsapp' && !template) {
      const last = await lastInboundAt(executor, numberId, contact);
      if (!isWindowOpen(last, ctx.now())) {
        throw new DomainError(
          'window_closed',
          "WhatsApp allows free text only within 24 hours of the contact's last message; send the template instead",
        );
      }
    }
    return template ? configured : null;
  }

  return {
    /** Rule 8: record the reply as queued and put it in the outbox, in one transaction. */
    async reply(actor: Actor, caseNumber: number, input: ReplyInput): Promise<Message> {
      requireWriter(actor);
      const text = input.text.trim();
      if (!text) throw validationFailed('A reply needs text');
      if (text.length > MAX_REPLY_LENGTH) throw validationFailed(`A reply can be at most ${MAX_REPLY_LENGTH} characters`);
      return db.transaction(async (tx) => {
        const record = await findRecordForChange(tx, actor.orgId, caseNumber);
        await requireLock(tx.db, record, actor);
        refuseClosed(record);
        if (!record.contact || !record.number_id) {
          throw validationFailed('This record has no contact to message');
        }
        const template = await checkCanSend(tx.db, record.number_id, record.contact, input.template === true);
        const now = ctx.now();
        const messageId = await queueOutbound(tx, {
          orgId: actor.orgId,
          numberId: record.number_id,
          contact: record.contact,
          text: withReference(text, record.case_number),
          authorId: actor.userId,
          recordIds: [record.id],
          template,
          at: now,
        });
        await tx.db.updateTable('records').set({ updated_at: now }).where('id', '=', record.id).execute();
        await addHistory(tx.db, { recordId: record.id, userId: actor.userId, action: 'message.out', detail: { messageId }, at: now });
        tx.publish({ type: 'message.added', orgId: actor.orgId, caseNumber, surveyId: record.survey_id, messageId });
        return messageOf(tx.db, record.id, messageId);
      });
    },

    /** Sends a failed outbound message again, from the start of the outbox's schedule. */
    async retry(actor: Actor, caseNumber: number, messageId: string): Promise<Message> {
      requireWriter(actor);
      return db.transaction(async (tx) => {
        const record = await findRecordForChange(tx, actor.orgId, caseNumber);
        await requireLock(tx.db, record, actor);
        refuseClosed(record);
        const message = await messageOf(tx.db, record.id, messageId);
        if (message.direction !== 'out' || (message.status !== 'failed' && message.status !== 'undelivered')) {
          throw new DomainError('not_retryable', 'Only a failed outbound message can be sent again');
        }
        const row = await tx.db
          .selectFrom('messages')
          .select(['number_id', 'contact'])
          .where('id', '=', messageId)
          .executeTakeFirstOrThrow();
        const outbox = await tx.db.selectFrom('outbox').select(['payload']).where('message_id', '=', messageId).executeTakeFirst();
        const wantsTemplate = outbox ? (JSON.parse(outbox.payload) as { template: unknown }).template !== null : false;
        await checkCanSend(tx.db, row.number_id, row.contact, wantsTemplate);
        const now = ctx.now();
        await tx.db
          .updateTable('messages')
          .set({ status: 'queued', error_code: null, error_text: null, provider_message_id: null, updated_at: now })
          .where('id', '=', messageId)
          .execute();
        await tx.db
          .updateTable('outbox')
          .set({ state: 'pending', attempts: 0, due_at: now, claimed_until: null, last_error: null })
          .where('message_id', '=', messageId)
          .execute();
        await addHistory(tx.db, { recordId: record.id, userId: actor.userId, action: 'message.retried', detail: { messageId }, at: now });
        await publishStatus(tx, actor.orgId, messageId);
        tx.publish({ type: 'outbox.ready', orgId: actor.orgId, messageId });
        return messageOf(tx.db, record.id, messageId);
      });
    },
  };
}

export type ReplyService = ReturnType<typeof createReplyService>;
