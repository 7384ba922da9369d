import { newId } from './ids.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { addHistory, requireWriter, type Actor, type ServiceContext } from './context.js';
import type { RecordView } from '../contract/index.js';
import { findRecord, findRecordForChange } from '../db/queries/records.js';
import { recomputeWaitingSince } from '../db/queries/waiting.js';
import { createRecord, initialAnswers, linkMessage, requireLock } from './record-store.js';
import type { RecordService } from './records.js';
import { loadSurvey } from './surveys.js';
import { moveIntoCase } from './move-into-case.js';
import { bookMovedCases } from './time-rules/case-timers.js';

export function createMoveService(ctx: ServiceContext, records: RecordService) {
  const { db } = ctx;
  return {
    /**
     * Rule 9: an inbound message leaves this case and becomes the first message of a new
     * open case with the same contact and number; the comment becomes the new case's note.
     */
    async moveMessage(actor: Actor, caseNumber: number, messageId: string, comment: string, toCase?: number): Promise<RecordView> {
      requireWriter(actor);
      const note = comment.trim();
      if (note.length > 10_000) throw validationFailed('A comment can be at most 10,000 characters');
      // With `toCase`, into an existing case of the same person (DESIGN.md §7).
      if (toCase !== undefined) return moveIntoCase(ctx, records, actor, { caseNumber, messageId, toCase, note });
      return db.transaction(async (tx) => {
        const source = await findRecordForChange(tx, actor.orgId, caseNumber);
        await requireLock(tx.db, source, actor);
        const message = await tx.db
          .selectFrom('record_messages as rm')
          .innerJoin('messages as m', 'm.id', 'rm.message_id')
          .select(['m.id', 'm.direction', 'm.number_id', 'm.contact'])
          .where('rm.record_id', '=', source.id)
          .where('m.id', '=', messageId)
          .executeTakeFirst();
        if (!message) throw notFound('Message');
        if (message.direction !== 'in') {
          throw new DomainError('bad_request', 'Only a message from the contact can be moved to a new case');
        }
        const survey = await loadSurvey(tx.db, actor.orgId, source.survey_id);
        const number = await tx.db
          .selectFrom('numbers')
          .select('their_number_question')
          .where('id', '=', message.number_id)
          .executeTakeFirst();
        const now = ctx.now();
        const target = await createRecord(db, tx, {
          orgId: actor.orgId,
          survey,
          contact: message.contact,
          numberId: message.number_id,
          answers: initialAnswers(survey, number?.their_number_question ?? null, message.contact),
          userId: actor.userId,
          at: now,
          historyDetail: { by: 'move', fromCase: source.case_number, messageId },
          moreHistory: [
            { action: 'message.moved.in', detail: { messageId, fromCase: source.case_number, comment: note || null } },
            ...(note ? [{ action: 'note.added' }] : []),
          ],
        });
        await tx.db.deleteFrom('record_messages').where('record_id', '=', source.id).where('message_id', '=', messageId).execute();
        await linkMessage(tx.db, [target.id], messageId, now);
        // The moved message may be the one either case waits from (DESIGN.md §7).
        await recomputeWaitingSince(tx.db, [source.id, target.id]);
        await bookMovedCases(
          tx,
          survey,
          [
            { id: source.id, waitingBefore: source.waiting_since },
            { id: target.id, waitingBefore: null },
          ],
          now,
        );
        if (note) {
          await tx.db
            .insertInto('notes')
            .values({ id: newId(), record_id: target.id, author_id: actor.userId, text: note, created_at: now })
            .execute();
        }
        await addHistory(tx.db, {
          recordId: source.id,
          userId: actor.userId,
          action: 'message.moved.out',
          detail: { messageId, toCase: target.case_number, comment: note || null },
          at: now,
        });
        await tx.db.updateTable('records').set({ updated_at: now }).where('id', '=', source.id).execute();
        tx.publish({ type: 'record.updated', orgId: actor.orgId, caseNumber, surveyId: source.survey_id, recordId: source.id });
        tx.publish({
          type: 'record.created',
          orgId: actor.orgId,
          caseNumber: target.case_number,
          surveyId: target.survey_id,
          recordId: target.id,
        });
        return records.view(tx.db, await findRecord(tx.db, actor.orgId, target.case_number), actor);
      });
    },
  };
}
