import type { SurveyCreate } from '../contract/index.js';
import { newId } from './ids.js';
import type { Executor } from '../db/database.js';
import type { SurveyTable } from '../db/schema.js';
import { validateBusinessHours, type BusinessHours } from '../domain/business-hours.js';
import { notFound } from '../domain/errors.js';
import { validateSurvey, type CaseManagement, type Question, type SurveyDefinition } from '../domain/survey.js';
import { validateAlertSettings, validateAutoClose, type AlertSettings, type AutoCloseSettings } from '../domain/time-rules.js';
import { distributeWaitingCases } from './auto-assignment.js';
import { requireAdmin, type Actor, type ServiceContext } from './context.js';
import { validateRetention, type RetentionSettings } from '../domain/retention.js';
import { scheduleRetention } from './privacy/retention.js';
import { scheduleSurveyRetiming, timeRulesChanged } from './time-rules/timers.js';

export interface Survey extends SurveyDefinition {
  id: string;
  autoAssign: boolean;
  /** Time rules (DESIGN.md §8); each null when off. */
  businessHours: BusinessHours | null;
  alerts: AlertSettings | null;
  autoClose: AutoCloseSettings | null;
  /** Privacy (DESIGN.md §9); null when off. */
  retention: RetentionSettings | null;
}

const SURVEY_COLUMNS = [
  'id',
  'name',
  'questions',
  'case_management',
  'auto_assign',
  'business_hours',
  'alerts',
  'auto_close',
  'retention',
] as const;
type SurveyRow = Pick<SurveyTable, (typeof SURVEY_COLUMNS)[number]>;

const parsed = (json: string | null): unknown => (json === null ? null : JSON.parse(json));
const stored = (value: object | null): string | null => (value === null ? null : JSON.stringify(value));

/** A survey as `POST /surveys` takes it. */
export type SurveyInput = SurveyCreate;

export function surveyFromRow(row: SurveyRow): Survey {
  return {
    id: row.id,
    autoAssign: Number(row.auto_assign) === 1,
    name: row.name,
    questions: JSON.parse(row.questions) as Question[],
    caseManagement: parsed(row.case_management) as CaseManagement | null,
    businessHours: parsed(row.business_hours) as BusinessHours | null,
    alerts: parsed(row.alerts) as AlertSettings | null,
    autoClose: parsed(row.auto_close) as AutoCloseSettings | null,
    retention: parsed(row.retention) as RetentionSettings | null,
  };
}

/** The survey's own rules and its time rules' (DESIGN.md §8), each refused with `validation_failed`. */
function validateSurveySettings(survey: Survey): void {
  validateSurvey(survey);
  if (survey.businessHours) validateBusinessHours(survey.businessHours);
  if (survey.alerts) validateAlertSettings(survey.alerts);
  if (survey.autoClose) validateAutoClose(survey.autoClose);
  if (survey.retention) validateRetention(survey.retention);
}

function surveyColumns(survey: Survey) {
  return {
    name: survey.name,
    questions: JSON.stringify(survey.questions),
    case_management: stored(survey.caseManagement),
    auto_assign: survey.autoAssign ? 1 : 0,
    business_hours: stored(survey.businessHours),
    alerts: stored(survey.alerts),
    auto_close: stored(survey.autoClose),
    retention: stored(survey.retention),
  };
}

export async function loadSurvey(db: Executor, orgId: string, surveyId: string): Promise<Survey> {
  const row = await db
    .selectFrom('surveys')
    .select(SURVEY_COLUMNS)
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
      const rows = await db.kysely.selectFrom('surveys').select(SURVEY_COLUMNS).where('org_id', '=', actor.orgId).orderBy('name').execute();
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
        businessHours: input.businessHours ?? null,
        alerts: input.alerts ?? null,
        autoClose: input.autoClose ?? null,
        retention: input.retention ?? null,
      };
      validateSurveySettings(survey);
      const now = ctx.now();
      await db.transaction(async (tx) => {
        await tx.db
          .insertInto('surveys')
          .values({ id: survey.id, org_id: actor.orgId, ...surveyColumns(survey), created_at: now, updated_at: now })
          .execute();
        if (survey.retention) await scheduleRetention(tx, actor.orgId, survey.id, now);
      });
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
          businessHours: patch.businessHours === undefined ? current.businessHours : patch.businessHours,
          alerts: patch.alerts === undefined ? current.alerts : patch.alerts,
          autoClose: patch.autoClose === undefined ? current.autoClose : patch.autoClose,
          retention: patch.retention === undefined ? current.retention : patch.retention,
        };
        validateSurveySettings(next);
        const now = ctx.now();
        await tx.db
          .updateTable('surveys')
          .set({ ...surveyColumns(next), updated_at: now })
          .where('id', '=', surveyId)
          .execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        // Turned on: the cases already waiting go to whoever has room (DESIGN.md §7).
        if (next.autoAssign && !current.autoAssign) await distributeWaitingCases(db, tx, actor.orgId, now);
        // The open cases' timers follow the new rules, from a job so a large survey does not hold this request.
        if (timeRulesChanged(current, next)) await scheduleSurveyRetiming(tx, actor.orgId, surveyId, now);
        // A new or shorter retention runs at once; its run then books the next, a day later.
        if (next.retention && JSON.stringify(next.retention) !== JSON.stringify(current.retention)) {
          await scheduleRetention(tx, actor.orgId, surveyId, now);
        }
        return next;
      });
    },
  };
}
