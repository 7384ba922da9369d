import type { QueueCounts, RecordView } from '../contract/index.js';
import { findRecord, findRecordForChange } from '../db/queries/records.js';
import { QUEUE_COUNT_LIMIT, queueCounts } from '../db/queries/waiting.js';
import { decideAssign, HOLDER_ROLES } from '../domain/assignment.js';
import { forbidden, validationFailed } from '../domain/errors.js';
import { distributeWaitingCases } from './auto-assignment.js';
import { addHistory, requireWriter, type Actor, type ServiceContext } from './context.js';
import { lockHeldError } from './record-store.js';
import type { RecordService } from './records.js';
import { loadSurvey } from './surveys.js';

/** Assignment is the lock (DESIGN.md §7): `POST /records/{n}/assign`, and the queue's counts. */
export function createAssignmentService(ctx: ServiceContext, records: RecordService) {
  const { db } = ctx;
  return {
    /**
     * Gives the case's lock to `userId` (src/domain/assignment.ts says who may), or releases
     * it (`null`, as `POST /records/{n}/release`). The one who held it before has room for
     * another case, which auto-assignment may fill.
     */
    async assign(actor: Actor, caseNumber: number, userId: string | null): Promise<RecordView> {
      if (userId === null) return records.release(actor, caseNumber);
      requireWriter(actor);
      return db.transaction(async (tx) => {
        const record = await findRecordForChange(tx, actor.orgId, caseNumber);
        // One answer for an unknown id, another organisation's user, a viewer or a deactivated user.
        const target = await tx.db
          .selectFrom('users')
          .select('id')
          .where('id', '=', userId)
          .where('org_id', '=', actor.orgId)
          .where('active', '=', 1)
          .where('role', 'in', HOLDER_ROLES)
          .executeTakeFirst();
        if (!target) throw validationFailed('userId must be an active analyst or admin of your organisation');
        const decision = decideAssign({ actorId: actor.userId, actorRole: actor.role, holderId: record.locked_by, targetId: target.id });
        if (decision.kind === 'refused') {
          throw decision.code === 'lock_held'
            ? await lockHeldError(tx.db, record)
            : forbidden('An analyst may take an unassigned case for themself; only an admin gives one to someone else');
        }
        if (decision.kind === 'assign') {
          const now = ctx.now();
          await tx.db.updateTable('records').set({ locked_by: target.id, locked_at: now }).where('id', '=', record.id).execute();
          await addHistory(tx.db, {
            recordId: record.id,
            userId: actor.userId,
            action: 'assigned',
            detail: { from: record.locked_by, to: target.id },
            at: now,
          });
          tx.publish({ type: 'record.updated', orgId: actor.orgId, caseNumber, surveyId: record.survey_id, recordId: record.id });
          if (record.locked_by !== null && record.status === 'open') await distributeWaitingCases(db, tx, actor.orgId, now);
        }
        return records.view(tx.db, await findRecord(tx.db, actor.orgId, caseNumber), actor);
      });
    },

    /** `GET /surveys/{id}/queue`: the console header's counts of the survey's open cases. */
    async queueCounts(actor: Actor, surveyId: string): Promise<QueueCounts> {
      await loadSurvey(db.kysely, actor.orgId, surveyId);
      return { ...(await queueCounts(db.kysely, surveyId, actor.userId)), limit: QUEUE_COUNT_LIMIT };
    },
  };
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
