import type { SurveyCreate } from '../contract/index.js';
import { newId } from './ids.js';
import type { Executor } from '../db/database.js';
import type { SurveyTable } from '../db/schema.js';
import { notFound } from '../domain/errors.js';
import { validateSurvey, type CaseManagement, type Question, type SurveyDefinition } from '../domain/survey.js';
import { distributeWaitingCases } from './auto-assignment.js';
import { requireAdmin, type Actor, type ServiceContext } from './context.js';

export interface Survey extends SurveyDefinition {
  id: string;
  autoAssign: boolean;
}

/** A survey as `POST /surveys` takes it. */
export type SurveyInput = SurveyCreate;

export function surveyFromRow(row: Pick<SurveyTable, 'id' | 'name' | 'questions' | 'case_management' | 'auto_assign'>): Survey {
  return {
    id: row.id,
    autoAssign: Number(row.auto_assign) === 1,
    name: row.name,
    questions: JSON.parse(row.questions) as Question[],
    caseManagement: row.case_management ? (JSON.parse(row.case_management) as CaseManagement) : null,
  };
}

export async function loadSurvey(db: Executor, orgId: string, surveyId: string): Promise<Survey> {
  const row = await db
    .selectFrom('surveys')
    .select(['id', 'name', 'questions', 'case_management', 'auto_assign'])
    .where('id', '=', surveyId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!row) throw notFound('Survey');
  return surveyFromRow(row);
}

export function createSurveyService(ctx: ServiceContext) {
  const { db } = ctx;
  return {
    async list(actor: Actor): Promise<Survey[]> {
      const rows = await db.kysely
        .selectFrom('surveys')
        .select(['id', 'name', 'questions', 'case_management', 'auto_assign'])
        .where('org_id', '=', actor.orgId)
        .orderBy('name')
        .execute();
      return rows.map(surveyFromRow);
    },

    get: (actor: Actor, surveyId: string) => loadSurvey(db.kysely, actor.orgId, surveyId),

    async create(actor: Actor, input: SurveyInput): Promise<Survey> {
      requireAdmin(actor);
      const survey: Survey = {
        id: newId(),
        name: input.name.trim(),
        questions: input.questions,
        caseManagement: input.caseManagement ?? null,
        autoAssign: input.autoAssign ?? false,
      };
      validateSurvey(survey);
      const now = ctx.now();
      await db.kysely
        .insertInto('surveys')
        .values({
          id: survey.id,
          org_id: actor.orgId,
          name: survey.name,
          questions: JSON.stringify(survey.questions),
          case_management: survey.caseManagement ? JSON.stringify(survey.caseManagement) : null,
          auto_assign: survey.autoAssign ? 1 : 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return survey;
    },

    /**
     * Changes a survey. Records keep their stored status until their next change: a new
     * final status does not silently close or reopen existing cases.
     */
    async update(actor: Actor, surveyId: string, patch: Partial<SurveyInput>): Promise<Survey> {
      requireAdmin(actor);
      return db.transaction(async (tx) => {
        const current = await loadSurvey(tx.db, actor.orgId, surveyId);
        const next: Survey = {
          id: current.id,
          name: patch.name?.trim() ?? current.name,
          questions: patch.questions ?? current.questions,
          caseManagement: patch.caseManagement === undefined ? current.caseManagement : patch.caseManagement,
          autoAssign: patch.autoAssign ?? current.autoAssign,
        };
        validateSurvey(next);
        await tx.db
          .updateTable('surveys')
          .set({
            name: next.name,
            questions: JSON.stringify(next.questions),
            case_management: next.caseManagement ? JSON.stringify(next.caseManagement) : null,
            auto_assign: next.autoAssign ? 1 : 0,
            updated_at: ctx.now(),
          })
          .where('id', '=', surveyId)
          .execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        // Turned on: the cases already waiting go to whoever has room (DESIGN.md §7).
        if (next.autoAssign && !current.autoAssign) await distributeWaitingCases(db, tx, actor.orgId, ctx.now());
        return next;
      });
    },
  };
}
