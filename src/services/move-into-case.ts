import type { RecordView } from '../contract/index.js';
import { findRecord } from '../db/queries/records.js';
import { recomputeWaitingSince } from '../db/queries/waiting.js';
import { DomainError, notFound } from '../domain/errors.js';
import { lockCasePair, requireOpenAndFree } from './case-pair.js';
import { addHistory, type Actor, type HistoryEntry, type ServiceContext, publishUpdated } from './context.js';
import { newId } from './ids.js';
import { requireLock } from './record-store.js';
import type { RecordService } from './records.js';
import { loadSurvey } from './surveys.js';
import { bookMovedCases } from './time-rules/case-timers.js';

/**
 * Moving an inbound message into an existing case (DESIGN.md §7 "Move into an existing
 * case"): `toCase` is an open case of the same contact and survey that nobody else holds.
 * The message leaves this case and joins that one where it stands in time (its place in
 * this conversation is kept); the comment becomes a note of the receiving case; both
 * histories record the move. Answers the receiving case.
 */
export async function moveIntoCase(
  ctx: ServiceContext,
  records: RecordService,
  actor: Actor,
  move: { caseNumber: number; messageId: string; toCase: number; note: string },
): Promise<RecordView> {
  const { db } = ctx;
  const { caseNumber, messageId, toCase, note } = move;
  return db.transaction(async (tx) => {
    const { source, target } = await lockCasePair(db, tx, actor.orgId, caseNumber, toCase);
    await requireLock(tx.db, source, actor);
    await requireOpenAndFree(tx.db, target, actor);
    const link = await tx.db
      .selectFrom('record_messages as rm')
      .innerJoin('messages as m', 'm.id', 'rm.message_id')
      .select(['m.direction', 'rm.added_at'])
      .where('rm.record_id', '=', source.id)
      .where('m.id', '=', messageId)
      .executeTakeFirst();
    if (!link) throw notFound('Message');
    if (link.direction !== 'in') throw new DomainError('bad_request', 'Only a message from the contact can be moved to another case');
    const now = ctx.now();

    await tx.db.deleteFrom('record_messages').where('record_id', '=', source.id).where('message_id', '=', messageId).execute();
    // A message fanned out to both cases (rule 5) is already in the target: it only leaves this one.
    const held = await tx.db
      .selectFrom('record_messages')
      .select('message_id')
      .where('record_id', '=', target.id)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (!held) {
      await tx.db.insertInto('record_messages').values({ record_id: target.id, message_id: messageId, added_at: link.added_at }).execute();
    }
    const history: HistoryEntry[] = [
      {
        recordId: source.id,
        userId: actor.userId,
        action: 'message.moved.out',
        detail: { messageId, toCase, comment: note || null },
        at: now,
      },
      {
        recordId: target.id,
        userId: actor.userId,
        action: 'message.moved.in',
        detail: { messageId, fromCase: caseNumber, comment: note || null },
        at: now,
      },
    ];
    if (note) {
      const noteId = newId();
      await tx.db
        .insertInto('notes')
        .values({ id: noteId, record_id: target.id, author_id: actor.userId, text: note, created_at: now })
        .execute();
      history.push({ recordId: target.id, userId: actor.userId, action: 'note.added', detail: { noteId }, at: now });
    }
    await addHistory(tx.db, history);
    await tx.db.updateTable('records').set({ updated_at: now }).where('id', 'in', [source.id, target.id]).execute();
    await recomputeWaitingSince(tx.db, [source.id, target.id]);
    await bookMovedCases(
      tx,
      await loadSurvey(tx.db, actor.orgId, target.survey_id),
      [
        { id: source.id, waitingBefore: source.waiting_since },
        { id: target.id, waitingBefore: target.waiting_since },
      ],
      now,
    );
    publishUpdated(tx, [source, target]);
    return records.view(tx.db, await findRecord(tx.db, actor.orgId, toCase), actor);
  });
}
