import type { RecordView } from '../contract/index.js';
import { findRecord } from '../db/queries/records.js';
import { recomputeWaitingSince } from '../db/queries/waiting.js';
import { DomainError } from '../domain/errors.js';
import { caseStatus, type Answers } from '../domain/survey.js';
import { lockCasePair, requireOpenAndFree } from './case-pair.js';
import { distributeWaitingCases } from './auto-assignment.js';
import { addHistory, requireWriter, type Actor, type ServiceContext, publishUpdated } from './context.js';
import { newId } from './ids.js';
import { requireLock } from './record-store.js';
import type { RecordService } from './records.js';
import { loadSurvey } from './surveys.js';
import { bookMovedCases } from './time-rules/case-timers.js';

/**
 * Merging two cases a person opened (DESIGN.md §7 "Merge"): every message and note of `n`
 * joins `m`, and `n` is closed with a note naming `#m`. A later `#n` from the person is a
 * reference to a closed case, ignored by rule 4, so they land in `m`.
 */
export function createMergeService(ctx: ServiceContext, records: RecordService) {
  const { db } = ctx;
  return {
    /**
     * The caller holds `n`'s lock; `m` must be open and unlocked or theirs. Answers `m` as
     * `GET /records/{m}` shows it.
     */
    async merge(actor: Actor, caseNumber: number, into: number): Promise<RecordView> {
      requireWriter(actor);
      return db.transaction(async (tx) => {
        const { source, target } = await lockCasePair(db, tx, actor.orgId, caseNumber, into);
        await requireLock(tx.db, source, actor);
        if (source.status === 'closed') {
          throw new DomainError('case_closed', `Case #${caseNumber} is already closed; there is nothing to merge`);
        }
        await requireOpenAndFree(tx.db, target, actor);
        const survey = await loadSurvey(tx.db, actor.orgId, source.survey_id);
        const cm = survey.caseManagement;
        if (!cm) throw new DomainError('no_case_management', 'Merging closes a case, and this survey has no case management');
        const now = ctx.now();

        // A message both cases hold (a message fanned out to each, rule 5) stays once in m.
        const moved = await tx.db
          .updateTable('record_messages')
          .set({ record_id: target.id })
          .where('record_id', '=', source.id)
          .where('message_id', 'not in', (eb) =>
            eb.selectFrom('record_messages as held').select('held.message_id').where('held.record_id', '=', target.id),
          )
          .executeTakeFirst();
        const shared = await tx.db.deleteFrom('record_messages').where('record_id', '=', source.id).executeTakeFirst();
        const notes = await tx.db.updateTable('notes').set({ record_id: target.id }).where('record_id', '=', source.id).executeTakeFirst();
        const counts = {
          messages: Number(moved.numUpdatedRows) + Number(shared.numDeletedRows),
          notes: Number(notes.numUpdatedRows),
        };

        // n is closed as the Close action closes it: its status answer set to the final status.
        const before = JSON.parse(source.answers) as Answers;
        const answers = { ...before, [cm.statusQuestion]: cm.finalStatus };
        const note = { id: newId(), record_id: source.id, author_id: actor.userId, text: `Merged into #${into}`, created_at: now };
        await tx.db.insertInto('notes').values(note).execute();
        await tx.db
          .updateTable('records')
          .set({
            answers: JSON.stringify(answers),
            status: caseStatus(cm, answers),
            closed_at: now,
            updated_at: now,
            version: Number(source.version) + 1,
          })
          .where('id', '=', source.id)
          .execute();
        await tx.db.updateTable('records').set({ updated_at: now }).where('id', '=', target.id).execute();
        await recomputeWaitingSince(tx.db, [source.id, target.id]);
        // m may start waiting, or hold a later message, with n's messages (n is closed).
        await bookMovedCases(tx, survey, [{ id: target.id, waitingBefore: target.waiting_since }], now);
        // The holder of n has room for another case now, as after any close (auto-assignment).
        await distributeWaitingCases(db, tx, actor.orgId, now);

        await addHistory(tx.db, [
          { recordId: source.id, userId: actor.userId, action: 'merged.into', detail: { into, ...counts }, at: now },
          {
            recordId: source.id,
            userId: actor.userId,
            action: 'answers.edited',
            detail: { changed: { [cm.statusQuestion]: { from: before[cm.statusQuestion] ?? null, to: cm.finalStatus } } },
            at: now,
          },
          { recordId: source.id, userId: actor.userId, action: 'closed', detail: { by: 'merge', into }, at: now },
          { recordId: source.id, userId: actor.userId, action: 'note.added', detail: { noteId: note.id }, at: now },
          { recordId: target.id, userId: actor.userId, action: 'merged.from', detail: { from: caseNumber, ...counts }, at: now },
        ]);
        // n was open (checked above): the merge closed it.
        publishUpdated(tx, [source], true);
        publishUpdated(tx, [target]);
        return records.view(tx.db, await findRecord(tx.db, actor.orgId, into), actor);
      });
    },
  };
}

export type MergeService = ReturnType<typeof createMergeService>;
