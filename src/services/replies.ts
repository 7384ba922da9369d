import type { Message, Notification } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import { selectRecordMessages } from '../db/queries/messages.js';
import { findRecordForChange, type RecordRow } from '../db/queries/records.js';
import { recordPersonsAnswer } from '../db/queries/waiting.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { addHistory, requireWriter, type Actor, type ServiceContext } from './context.js';
import { attachUploads, prepareAttachments } from './media/outbound-attachments.js';
import { publishStatus } from './deliveries.js';
import { checkNumberCanSend, checkTypedText, prepareSend } from './send-checks.js';
import { queueOutbound } from './outbound.js';
import { messageViews } from './presenters.js';
import { requireLock } from './record-store.js';

/** A reply from a case (rule 8): `POST /records/{n}/notifications`. */
export type ReplyInput = Notification;

export { MAX_REPLY_LENGTH } from './send-checks.js';

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
    const [message] = await messageViews(executor, [row]);
    return message!;
  }

  return {
    /** Rule 8: record the reply as queued and put it in the outbox, in one transaction. */
    async reply(actor: Actor, caseNumber: number, input: ReplyInput): Promise<Message> {
      requireWriter(actor);
      checkTypedText(input);
      return db.transaction(async (tx) => {
        const record = await findRecordForChange(tx, actor.orgId, caseNumber);
        await requireLock(tx.db, record, actor);
        refuseClosed(record);
        if (!record.contact || !record.number_id) {
          throw validationFailed('This record has no contact to message');
        }
        const now = ctx.now();
        const prepared = await prepareSend(tx.db, {
          numberId: record.number_id,
          contact: record.contact,
          request: input,
          now,
        });
        const uploads = await prepareAttachments(tx.db, ctx.providers, {
          orgId: actor.orgId,
          numberId: record.number_id,
          ids: input.media,
        });
        const messageId = await queueOutbound(tx, {
          orgId: actor.orgId,
          numberId: record.number_id,
          contact: record.contact,
          text: prepared.textFor(record.case_number),
          authorId: actor.userId,
          recordIds: [record.id],
          template: prepared.template,
          mediaCount: uploads.length,
          at: now,
        });
        await attachUploads(tx, { orgId: actor.orgId, messageId, uploads, at: now });
        await recordPersonsAnswer(tx.db, record.id, actor.userId, now);
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
        await checkNumberCanSend(tx.db, { numberId: row.number_id, contact: row.contact, templated: wantsTemplate, now: ctx.now() });
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
