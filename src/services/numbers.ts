import type { Executor } from '../db/database.js';
import type { Channel, NumberTable, ProviderName } from '../db/schema.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { normalisePhone } from '../domain/phone.js';
import { questionOfType } from '../domain/survey.js';
import type { Credentials, ProviderAdapter, ProviderNumber, TemplateConfig } from '../providers/provider.js';
import { requireAdmin, type Actor, type ServiceContext } from './context.js';
import { randomToken } from './security.js';
import { loadSurvey } from './surveys.js';

export const PROVIDERS: readonly ProviderName[] = ['sandbox', 'twilio', 'vonage', 'whatsapp-cloud', 'africastalking'];

const CHANNELS_BY_PROVIDER: Record<ProviderName, readonly Channel[]> = {
  sandbox: ['sms', 'whatsapp'],
  twilio: ['sms', 'whatsapp'],
  vonage: ['sms', 'whatsapp'],
  'whatsapp-cloud': ['whatsapp'],
  africastalking: ['sms'],
};

/** What a number is: its provider and address, and where its messages go in the survey. */
interface NumberSettings {
  provider: ProviderName;
  channel: Channel;
  ourNumber: string;
  surveyId: string;
  theirNumberQuestion: string;
  conversationQuestion: string;
}

export interface NumberView extends NumberSettings {
  id: string;
  multiCaseReply: string | null;
  sendRatePerSecond: number;
  template: TemplateConfig | null;
  webhooks: { inbound: string; status: string };
}

export interface NumberInput extends NumberSettings {
  multiCaseReply?: string | null;
  /** Null means the default pace. */
  sendRatePerSecond?: number | null;
  template?: TemplateConfig | null;
  credentials?: unknown;
}

/** One send a second: Twilio's pace for a long code, and safe on every provider. */
export const DEFAULT_SEND_RATE = 1;

type NumberRow = NumberTable;

/** A live number with its credentials opened, as webhooks and the outbox need it. */
export interface LoadedNumber {
  row: NumberRow;
  provider: ProviderNumber;
  adapter: ProviderAdapter;
}

export function webhookUrls(publicUrl: string, provider: ProviderName, id: string) {
  const inbound = `${publicUrl}/webhooks/${provider}/${id}`;
  return { inbound, status: `${inbound}/status` };
}

export function createNumberService(ctx: ServiceContext) {
  const { db } = ctx;

  const view = (row: NumberRow): NumberView => ({
    id: row.id,
    provider: row.provider,
    channel: row.channel,
    ourNumber: row.our_number,
    surveyId: row.survey_id,
    theirNumberQuestion: row.their_number_question,
    conversationQuestion: row.conversation_question,
    multiCaseReply: row.multi_case_reply,
    sendRatePerSecond: Number(row.send_rate_per_second),
    template: row.template ? (JSON.parse(row.template) as TemplateConfig) : null,
    webhooks: webhookUrls(ctx.publicUrl, row.provider, row.id),
  });

  function adapterFor(provider: ProviderName): ProviderAdapter {
    const adapter = ctx.providers[provider] as ProviderAdapter | undefined;
    if (!adapter) throw validationFailed(`Provider ${provider} is not available on this server`);
    return adapter;
  }

  async function findRow(executor: Executor, orgId: string, id: string): Promise<NumberRow> {
    const row = await executor
      .selectFrom('numbers')
      .selectAll()
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw notFound('Number');
    return row;
  }

  /** Checks the parts of a number that refer to the survey and the provider. */
  async function validate(executor: Executor, orgId: string, input: NumberInput): Promise<{ ourNumber: string; credentials: Credentials }> {
    if (!PROVIDERS.includes(input.provider)) throw validationFailed(`Unknown provider ${input.provider}`);
    if (!CHANNELS_BY_PROVIDER[input.provider].includes(input.channel)) {
      throw validationFailed(`${input.provider} does not offer the ${input.channel} channel here`);
    }
    const survey = await loadSurvey(executor, orgId, input.surveyId);
    questionOfType(survey, input.theirNumberQuestion, 'phone');
    questionOfType(survey, input.conversationQuestion, 'conversation');
    if (input.sendRatePerSecond != null && !(input.sendRatePerSecond > 0 && input.sendRatePerSecond <= 1000)) {
      throw validationFailed('sendRatePerSecond must be above 0 and at most 1000');
    }
    const raw =
      input.provider === 'sandbox' && !input.credentials ? { webhookSecret: randomToken(24) } : input.credentials;
    if (raw === undefined) throw validationFailed(`${input.provider} numbers need credentials`);
    const credentials = adapterFor(input.provider).validateCredentials(raw) as Credentials;
    return { ourNumber: ourAddress(input.ourNumber), credentials };
  }

  return {
    view,

    async list(actor: Actor): Promise<NumberView[]> {
      const rows = await db.kysely
        .selectFrom('numbers')
        .selectAll()
        .where('org_id', '=', actor.orgId)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .execute();
      return rows.map(view);
    },

    async get(actor: Actor, id: string): Promise<NumberView> {
      return view(await findRow(db.kysely, actor.orgId, id));
    },

    async create(actor: Actor, input: NumberInput): Promise<NumberView> {
      requireAdmin(actor);
      const { ourNumber, credentials } = await validate(db.kysely, actor.orgId, input);
      const now = ctx.now();
      const row: NumberRow = {
        // The id is the secret part of the webhook path (DESIGN.md §3): unguessable.
        id: randomToken(18),
        org_id: actor.orgId,
        survey_id: input.surveyId,
        provider: input.provider,
        channel: input.channel,
        our_number: ourNumber,
        their_number_question: input.theirNumberQuestion,
        conversation_question: input.conversationQuestion,
        multi_case_reply: input.multiCaseReply?.trim() || null,
        credentials: ctx.secrets.seal(credentials),
        template: input.template ? JSON.stringify(input.template) : null,
        send_rate_per_second: input.sendRatePerSecond ?? DEFAULT_SEND_RATE,
        next_send_at: 0,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        webhook_token: randomToken(18),
      };
      await db.transaction(async (tx) => {
        await tx.db.insertInto('numbers').values(row).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
      });
      return view(row);
    },

    /** Credentials left out of a patch are kept; the provider cannot change. */
    async update(actor: Actor, id: string, patch: Partial<NumberInput>): Promise<NumberView> {
      requireAdmin(actor);
      return db.transaction(async (tx) => {
        const row = await findRow(tx.db, actor.orgId, id);
        if (patch.provider && patch.provider !== row.provider) {
          throw validationFailed('The provider of a number cannot change; add a new number instead');
        }
        const current = view(row);
        const merged: NumberInput = {
          ...current,
          ...patch,
          provider: row.provider,
          credentials: patch.credentials ?? ctx.secrets.open(row.credentials),
        };
        const { ourNumber, credentials } = await validate(tx.db, actor.orgId, merged);
        const next = {
          survey_id: merged.surveyId,
          channel: merged.channel,
          our_number: ourNumber,
          their_number_question: merged.theirNumberQuestion,
          conversation_question: merged.conversationQuestion,
          multi_case_reply: merged.multiCaseReply?.trim() || null,
          credentials: ctx.secrets.seal(credentials),
          template: merged.template ? JSON.stringify(merged.template) : null,
          send_rate_per_second:
            patch.sendRatePerSecond === null ? DEFAULT_SEND_RATE : (merged.sendRatePerSecond ?? row.send_rate_per_second),
          updated_at: ctx.now(),
        };
        await tx.db.updateTable('numbers').set(next).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        return view({ ...row, ...next });
      });
    },

    /** A deleted number stops receiving; its messages and cases stay. */
    async remove(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      await db.transaction(async (tx) => {
        await findRow(tx.db, actor.orgId, id);
        await tx.db.updateTable('numbers').set({ deleted_at: ctx.now() }).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
      });
    },

    /** For webhooks and the outbox: a number by id alone, across organisations. */
    async load(id: string, executor: Executor = db.kysely): Promise<LoadedNumber> {
      const row = await executor
        .selectFrom('numbers')
        .selectAll()
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!row) throw notFound('Number');
      const adapter = adapterFor(row.provider);
      return {
        row,
        adapter,
        provider: {
          id: row.id,
          provider: row.provider,
          channel: row.channel,
          ourNumber: row.our_number,
          credentials: ctx.secrets.open(row.credentials),
          template: row.template ? (JSON.parse(row.template) as TemplateConfig) : null,
        } as ProviderNumber,
      };
    },
  };
}

export type NumberService = ReturnType<typeof createNumberService>;

export function assertProvider(provider: string): asserts provider is ProviderName {
  if (!PROVIDERS.includes(provider as ProviderName)) throw new DomainError('not_found', 'Unknown provider');
}

/**
 * Our side of a number: a phone number in E.164, or a short code (Africa's Talking), an
 * alphanumeric sender id (Vonage) or a Twilio Messaging Service SID (`MG…`), kept as written.
 */
export function ourAddress(raw: string): string {
  try {
    return normalisePhone(raw);
  } catch (error) {
    const trimmed = raw.trim();
    if (/^[A-Za-z0-9]{3,34}$/.test(trimmed)) return trimmed;
    throw error;
  }
}
