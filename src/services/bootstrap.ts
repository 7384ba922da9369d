import { newId } from './ids.js';
import { validationFailed } from '../domain/errors.js';
import type { Question } from '../domain/survey.js';
import type { Actor, ServiceContext } from './context.js';
import type { NumberService } from './numbers.js';
import { randomToken } from './security.js';
import type { Survey } from './surveys.js';
import { createSurveyService } from './surveys.js';
import type { User } from '../contract/index.js';
import { insertUser } from './users.js';

export const DEMO_SURVEY_NAME = 'Helpline demo';
export const DEMO_NUMBER = '+15550100000';

export const DEMO_QUESTIONS: Question[] = [
  { name: 'phone', label: 'Their number', type: 'phone' },
  { name: 'conversation', label: 'Conversation', type: 'conversation' },
  {
    name: 'status',
    label: 'Status',
    type: 'select_one',
    choices: [
      { value: 'new', label: 'New' },
      { value: 'in_progress', label: 'In progress' },
      { value: 'closed', label: 'Closed' },
    ],
  },
  { name: 'topic', label: 'Topic', type: 'text' },
  { name: 'follow_up', label: 'Follow up on', type: 'date' },
];

export interface FirstStart {
  admin: User;
  /** Set when the password was generated; print it once. */
  generatedPassword: string | null;
}

/**
 * With no users at all, creates the first organisation and its admin (DESIGN.md §4 "First
 * start"). Returns null when the database has users already.
 */
export async function ensureFirstAdmin(
  ctx: ServiceContext,
  admin: { email: string; password: string } | null,
  orgName = 'My organisation',
): Promise<FirstStart | null> {
  const anyUser = await ctx.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null;
  const { admin: created, generatedPassword } = await foundOrganisation(ctx, {
    name: orgName,
    email: admin?.email ?? 'admin@localhost',
    password: admin?.password ?? null,
  });
  return { admin: created, generatedPassword };
}

/**
 * Creates an organisation with its first admin (`npx caseline org add`, DESIGN.md §13), in
 * one transaction: a failure, such as a password too short, leaves no organisation behind.
 */
export async function foundOrganisation(
  ctx: ServiceContext,
  input: { name: string; email: string; password: string | null },
): Promise<FirstStart & { organisation: { id: string; name: string } }> {
  const name = input.name.trim();
  if (!name) throw validationFailed('An organisation needs a name');
  const generatedPassword = input.password === null ? randomToken(12) : null;
  const password = input.password ?? generatedPassword!;
  const orgId = newId();
  const admin = await ctx.db.transaction(async (tx) => {
    await ctx.db.createOrganisation(tx, { id: orgId, name, createdAt: ctx.now() });
    return insertUser(tx.db, orgId, { email: input.email, name: 'Administrator', role: 'admin', password }, ctx.now());
  });
  return { admin, generatedPassword, organisation: { id: orgId, name } };
}

/** Creates the demo survey and its sandbox number unless the organisation has a survey. */
export async function ensureDemo(ctx: ServiceContext, numbers: NumberService, actor: Actor): Promise<Survey | null> {
  const surveys = createSurveyService(ctx);
  if ((await surveys.list(actor)).length > 0) return null;
  const survey = await surveys.create(actor, {
    name: DEMO_SURVEY_NAME,
    questions: DEMO_QUESTIONS,
    caseManagement: { statusQuestion: 'status', finalStatus: 'closed' },
  });
  await numbers.create(actor, {
    provider: 'sandbox',
    channel: 'sms',
    ourNumber: DEMO_NUMBER,
    surveyId: survey.id,
    theirNumberQuestion: 'phone',
    conversationQuestion: 'conversation',
    multiCaseReply:
      'You have {count} open cases with us:\n{cases}\nPut the case number, like #12, in your message so it reaches the right one.',
    sendRatePerSecond: 10,
  });
  return survey;
}

export async function firstAdminActor(ctx: ServiceContext, email: string): Promise<Actor | null> {
  const row = await ctx.db.kysely.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  return row ? { userId: row.id, orgId: row.org_id, role: row.role, name: row.name } : null;
}
