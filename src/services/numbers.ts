import type { Acknowledgement, NumberCreate, NumberView } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import type { NumberTable } from '../db/schema.js';
import { DomainError, notFound, validationFailed } from '../domain/errors.js';
import { parseAllowList } from '../domain/ip-allow-list.js';
import { normalisePhone } from '../domain/phone.js';
import { isProviderName, type ProviderName } from '../domain/providers.js';
import { questionOfType } from '../domain/survey.js';
import { SendError, type Credentials, type ProviderAdapter, type ProviderNumber, type ProviderTemplate } from '../providers/provider.js';
import { syncedLibrary } from '../domain/templates.js';
import { validateAcknowledgement } from '../domain/time-rules.js';
import { requireAdmin, type Actor, type ServiceContext } from './context.js';
import { numberView } from './presenters.js';
import { randomToken } from './security.js';
import { firstTemplateConfig, libraryAfter, storedTemplates } from './template-library.js';
import { loadSurvey } from './surveys.js';

/** A number as `POST /numbers` takes it; credentials left unchecked until its adapter reads them. */
export type NumberInput = Omit<NumberCreate, 'credentials'> & { credentials?: unknown };

/** One send a second: Twilio's pace for a long code, and safe on every provider. */
export const DEFAULT_SEND_RATE = 1;

type NumberRow = NumberTable;

/** A live number with its credentials opened, as webhooks and the outbox need it. */
export interface LoadedNumber {
  row: NumberRow;
  provider: ProviderNumber;
  adapter: ProviderAdapter;
}

const archived = (row: NumberRow) =>
  new DomainError(
    'number_archived',
    `The number ${row.our_number} is archived, so it neither receives nor sends; an admin can restore it under Numbers`,
  );

export function createNumberService(ctx: ServiceContext) {
  const { db } = ctx;

  const view = (row: NumberRow, actor: Actor): NumberView =>
    numberView(row, { admin: actor.role === 'admin', publicUrl: ctx.publicUrl, allowedIps: () => storedAllowList(row) });

  function storedAllowList(row: NumberRow): string[] {
    return (ctx.secrets.open(row.credentials) as { allowedIps?: string[] }).allowedIps ?? [];
  }

  function adapterFor(provider: ProviderName): ProviderAdapter {
    const adapter = ctx.providers[provider] as ProviderAdapter | undefined;
    if (!adapter) throw validationFailed(`Provider ${provider} is not available on this server`);
    return adapter;
  }

  /** A number of the organisation, archived or not. */
  async function findRow(executor: Executor, orgId: string, id: string): Promise<NumberRow> {
    const row = await executor.selectFrom('numbers').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!row) throw notFound('Number');
    return row;
  }

  /** A number that may change: an archived one must be restored first. */
  async function findLiveRow(executor: Executor, orgId: string, id: string): Promise<NumberRow> {
    const row = await findRow(executor, orgId, id);
    if (row.deleted_at !== null) throw archived(row);
    return row;
  }

  function loaded(row: NumberRow): LoadedNumber {
    return {
      row,
      adapter: adapterFor(row.provider),
      provider: {
        id: row.id,
        provider: row.provider,
        channel: row.channel,
        ourNumber: row.our_number,
        // Sealed only after the adapter validated them (`validate` below).
        credentials: ctx.secrets.open(row.credentials) as Credentials,
        template: firstTemplateConfig(row),
      },
    };
  }

  /** Checks the parts of a number that refer to the survey and the provider. */
  async function validate(executor: Executor, orgId: string, input: NumberInput): Promise<{ ourNumber: string; credentials: Credentials }> {
    // Callers outside the API (the CLI, scripts) are not held to the contract's list.
    const provider: string = input.provider;
    if (!isProviderName(provider)) throw validationFailed(`Unknown provider ${provider}`);
    if (!adapterFor(input.provider).channels.includes(input.channel)) {
      throw validationFailed(`${input.provider} does not offer the ${input.channel} channel here`);
    }
    const survey = await loadSurvey(executor, orgId, input.surveyId);
    questionOfType(survey, input.theirNumberQuestion, 'phone');
    questionOfType(survey, input.conversationQuestion, 'conversation');
    if (input.sendRatePerSecond != null && !(input.sendRatePerSecond > 0 && input.sendRatePerSecond <= 1000)) {
      throw validationFailed('sendRatePerSecond must be above 0 and at most 1000');
    }
    let raw = input.provider === 'sandbox' && !input.credentials ? { webhookSecret: randomToken(24) } : input.credentials;
    if (raw === undefined) throw validationFailed(`${input.provider} numbers need credentials`);
    if (input.allowedIps !== undefined) {
      if (input.provider !== 'africastalking') {
        if (input.allowedIps?.length)
          throw validationFailed('allowedIps applies to Africa’s Talking numbers only', { field: 'allowedIps' });
      } else {
        // Kept with the sealed credentials, where lists saved before it was a setting already are.
        raw = {
          ...(typeof raw === 'object' && raw !== null ? raw : {}),
          allowedIps: input.allowedIps === null ? null : parseAllowList(input.allowedIps),
        };
      }
    }
    const credentials = adapterFor(input.provider).validateCredentials(raw);
    return { ourNumber: ourAddress(input.ourNumber), credentials };
  }

  return {
    view,

    /** Live numbers; with `archived`, only the archived ones (admins only), most recently archived first. */
    async list(actor: Actor, options: { archived?: boolean } = {}): Promise<NumberView[]> {
      if (options.archived) requireAdmin(actor);
      const rows = await db.kysely
        .selectFrom('numbers')
        .selectAll()
        .where('org_id', '=', actor.orgId)
        .where('deleted_at', options.archived ? 'is not' : 'is', null)
        .orderBy(options.archived ? 'deleted_at' : 'created_at', options.archived ? 'desc' : 'asc')
        .execute();
      return rows.map((row) => view(row, actor));
    },

    /** Archived numbers too: their cases stay readable and name them. */
    async get(actor: Actor, id: string): Promise<NumberView> {
      return view(await findRow(db.kysely, actor.orgId, id), actor);
    },

    async create(actor: Actor, input: NumberInput): Promise<NumberView> {
      requireAdmin(actor);
      const { ourNumber, credentials } = await validate(db.kysely, actor.orgId, input);
      const templates = libraryAfter(input, []);
      const now = ctx.now();
      const row: NumberRow = {
        // The id is shown to every user; the webhook paths use `webhook_token` (DESIGN.md §13).
        id: randomToken(18),
        org_id: actor.orgId,
        survey_id: input.surveyId,
        provider: input.provider,
        channel: input.channel,
        our_number: ourNumber,
        their_number_question: input.theirNumberQuestion,
        conversation_question: input.conversationQuestion,
        multi_case_reply: input.multiCaseReply?.trim() || null,
        acknowledgement: storedAcknowledgement(input.acknowledgement ?? null),
        credentials: ctx.secrets.seal(credentials),
        templates: JSON.stringify(templates),
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
      return view(row, actor);
    },

    /** Credentials left out of a patch are kept; the provider cannot change. */
    async update(actor: Actor, id: string, patch: Partial<NumberInput>): Promise<NumberView> {
      requireAdmin(actor);
      return db.transaction(async (tx) => {
        const row = await findLiveRow(tx.db, actor.orgId, id);
        if (patch.provider && patch.provider !== row.provider) {
          throw validationFailed('The provider of a number cannot change; add a new number instead');
        }
        const current = view(row, actor);
        const stored = ctx.secrets.open(row.credentials) as { allowedIps?: string[] };
        const given = patch.credentials as { allowedIps?: string[] } | undefined;
        const merged: NumberInput = {
          ...current,
          ...patch,
          provider: row.provider,
          credentials: patch.credentials ?? stored,
          // New credentials without a list keep the stored list; only `allowedIps` (or a list inside them) changes it.
          allowedIps: patch.allowedIps !== undefined ? patch.allowedIps : (given?.allowedIps ?? stored.allowedIps ?? null),
        };
        const { ourNumber, credentials } = await validate(tx.db, actor.orgId, merged);
        const next = {
          survey_id: merged.surveyId,
          channel: merged.channel,
          our_number: ourNumber,
          their_number_question: merged.theirNumberQuestion,
          conversation_question: merged.conversationQuestion,
          multi_case_reply: merged.multiCaseReply?.trim() || null,
          acknowledgement: storedAcknowledgement(merged.acknowledgement ?? null),
          credentials: ctx.secrets.seal(credentials),
          templates: JSON.stringify(libraryAfter(patch, storedTemplates(row))),
          send_rate_per_second:
            patch.sendRatePerSecond === null ? DEFAULT_SEND_RATE : (merged.sendRatePerSecond ?? row.send_rate_per_second),
          updated_at: ctx.now(),
        };
        await tx.db.updateTable('numbers').set(next).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        return view({ ...row, ...next }, actor);
      });
    },

    /**
     * Replaces a WhatsApp Cloud number's library with the templates Meta has approved
     * (DESIGN.md §7 "Templates"). Meta is asked before the transaction, so no write waits on it.
     */
    async syncTemplates(actor: Actor, id: string): Promise<NumberView> {
      requireAdmin(actor);
      const before = await findLiveRow(db.kysely, actor.orgId, id);
      const { adapter, provider } = loaded(before);
      if (before.provider !== 'whatsapp-cloud' || !adapter.listTemplates) {
        throw validationFailed('Only WhatsApp Cloud API numbers read their templates from the provider; edit this number’s list instead');
      }
      let fetched: ProviderTemplate[];
      try {
        fetched = await adapter.listTemplates(provider);
      } catch (error) {
        if (error instanceof SendError) throw new DomainError('provider_failed', error.reason, { code: error.options.code ?? null });
        throw error;
      }
      return db.transaction(async (tx) => {
        const row = await findLiveRow(tx.db, actor.orgId, id);
        const next = { templates: JSON.stringify(syncedLibrary(storedTemplates(row), fetched)), updated_at: ctx.now() };
        await tx.db.updateTable('numbers').set(next).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        return view({ ...row, ...next }, actor);
      });
    },

    /**
     * Gives the number a new webhook path secret; the old URLs answer 404 from then on, so
     * the new ones must be pasted into the provider's console.
     */
    async rotateWebhookToken(actor: Actor, id: string): Promise<NumberView> {
      requireAdmin(actor);
      return db.transaction(async (tx) => {
        const row = await findLiveRow(tx.db, actor.orgId, id);
        const next = { webhook_token: randomToken(18), updated_at: ctx.now() };
        await tx.db.updateTable('numbers').set(next).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        return view({ ...row, ...next }, actor);
      });
    },

    /** An archived number neither receives (its webhooks answer 404) nor sends; its cases stay. */
    async archive(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      await db.transaction(async (tx) => {
        const row = await findRow(tx.db, actor.orgId, id);
        if (row.deleted_at !== null) return;
        await tx.db.updateTable('numbers').set({ deleted_at: ctx.now() }).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
      });
    },

    /** Brings an archived number's webhooks and replies back, at the URLs it had. */
    async restore(actor: Actor, id: string): Promise<NumberView> {
      requireAdmin(actor);
      return db.transaction(async (tx) => {
        const row = await findRow(tx.db, actor.orgId, id);
        if (row.deleted_at === null) return view(row, actor);
        const next = { deleted_at: null, updated_at: ctx.now() };
        await tx.db.updateTable('numbers').set(next).where('id', '=', id).execute();
        tx.publish({ type: 'config.changed', orgId: actor.orgId });
        return view({ ...row, ...next }, actor);
      });
    },

    /** For the outbox and the simulator: a number by id alone, across organisations; `number_archived` if archived. */
    async load(id: string, executor: Executor = db.kysely): Promise<LoadedNumber> {
      const row = await executor.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('Number');
      if (row.deleted_at !== null) throw archived(row);
      return loaded(row);
    },

    /**
     * For deleting the provider's copies of redacted messages (DESIGN.md §9): a number by id
     * alone, archived or not, since archiving a number does not end what is owed at its provider.
     */
    async loadIncludingArchived(id: string): Promise<LoadedNumber> {
      const row = await db.kysely.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('Number');
      return loaded(row);
    },

    /** For webhooks: a live number by its webhook token; an archived or unknown one is `not_found` alike. */
    async loadByWebhookToken(token: string): Promise<LoadedNumber> {
      const row = await db.kysely
        .selectFrom('numbers')
        .selectAll()
        .where('webhook_token', '=', token)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!row) throw notFound('Number');
      return loaded(row);
    },
  };
}

export type NumberService = ReturnType<typeof createNumberService>;

export function assertProvider(provider: string): asserts provider is ProviderName {
  if (!isProviderName(provider)) throw new DomainError('not_found', 'Unknown provider');
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

/** An acknowledgement as stored (DESIGN.md §8), after its rules; null when off. */
function storedAcknowledgement(ack: Acknowledgement | null): string | null {
  if (ack === null) return null;
  validateAcknowledgement(ack);
  return JSON.stringify(ack);
}
