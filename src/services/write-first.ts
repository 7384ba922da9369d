import type { RecordCreate, RecordView } from '../contract/index.js';
import { findRecord } from '../db/queries/records.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { normaliseContact } from '../domain/phone.js';
import { addHistory, requireWriter, type Actor, type ServiceContext } from './context.js';
import { attachUploads, prepareAttachments } from './media/outbound-attachments.js';
import { queueOutbound } from './outbound.js';
import { createRecord, initialAnswers } from './record-store.js';
import type { RecordService } from './records.js';
import { checkTypedText, prepareSend } from './send-checks.js';
import { loadSurvey } from './surveys.js';
import { bookOpenedCase } from './time-rules/case-timers.js';

/**
 * Writing first (DESIGN.md §7): `POST /surveys/{id}/records` opens a case for a contact who
 * has not written (a callback, a follow-up), locked by the worker, and queues its first
 * message through the outbox exactly as a reply is queued. What a reply would refuse is
 * refused before the case exists: an opted-out contact, free text outside WhatsApp's window.
 */
export function createWriteFirstService(ctx: ServiceContext, records: RecordService) {
  const { db } = ctx;
  return {
    async writeFirst(actor: Actor, surveyId: string, input: RecordCreate): Promise<RecordView> {
      requireWriter(actor);
      const request = { text: input.text, template: input.template, media: input.media };
      checkTypedText(request);
      return db.transaction(async (tx) => {
        const survey = await loadSurvey(tx.db, actor.orgId, surveyId);
        const number = await tx.db
          .selectFrom('numbers')
          .select(['id', 'survey_id', 'our_number', 'channel', 'their_number_question', 'deleted_at'])
          .where('id', '=', input.numberId)
          .where('org_id', '=', actor.orgId)
          .executeTakeFirst();
        if (!number) throw notFound('Number');
        if (number.survey_id !== survey.id) {
          throw validationFailed(`The number ${number.our_number} belongs to another survey`, { field: 'numberId' });
        }
        if (number.deleted_at !== null) {
          throw new DomainError('number_archived', `The number ${number.our_number} is archived, so it cannot send`);
        }
        // A national number is read in the country of the number it is written from (rule 2);
        // on WhatsApp, in the spelling an inbound message from the person gets (§11).
        const contact = normaliseContact(input.contact, number.channel, number.our_number);
        // As inbound storing does (rule 7), so a first message from the person arriving now
        // sees this case or is seen by it, never half of it.
        await db.lockRoutingKeys(tx, [`${survey.id}:${contact}`]);
        const now = ctx.now();
        const prepared = await prepareSend(tx.db, { numberId: number.id, contact, request, now });
        const uploads = await prepareAttachments(tx.db, ctx.providers, { orgId: actor.orgId, numberId: number.id, ids: input.media });

        const record = await createRecord(db, tx, {
          orgId: actor.orgId,
          survey,
          contact,
          numberId: number.id,
          answers: initialAnswers(survey, number.their_number_question, contact),
          userId: actor.userId,
          at: now,
          // Nobody waits: the case starts with our message.
          waitingSince: null,
          historyDetail: { by: 'write-first', numberId: number.id },
          moreHistory: [{ action: 'locked' }],
        });
        await tx.db.updateTable('records').set({ locked_by: actor.userId, locked_at: now }).where('id', '=', record.id).execute();
        if (record.status === 'open') await bookOpenedCase(tx, survey, record, now);
        const messageId = await queueOutbound(tx, {
          orgId: actor.orgId,
          numberId: number.id,
          contact,
          text: prepared.textFor(record.case_number),
          authorId: actor.userId,
          recordIds: [record.id],
          template: prepared.template,
          mediaCount: uploads.length,
          at: now,
        });
        await attachUploads(tx, { orgId: actor.orgId, messageId, uploads, at: now });
        await addHistory(tx.db, { recordId: record.id, userId: actor.userId, action: 'message.out', detail: { messageId }, at: now });
        const event = { orgId: actor.orgId, caseNumber: record.case_number, surveyId: survey.id };
        tx.publish({ type: 'record.created', ...event, recordId: record.id });
        tx.publish({ type: 'message.added', ...event, messageId });
        return records.view(tx.db, await findRecord(tx.db, actor.orgId, record.case_number), actor);
      });
    },
  };
}

export type WriteFirstService = ReturnType<typeof createWriteFirstService>;
