import type { Transaction } from '../db/database.js';
import { recordOptOut } from '../db/opt-outs.js';
import { isStatusProgress } from '../domain/message-status.js';
import { DomainError, notFound } from '../domain/errors.js';
import { normalisePhone } from '../domain/phone.js';
import { withoutNul } from '../domain/text.js';
import type { InboundMessage, ParsedWebhook, StatusUpdate, WebhookAnswer, WebhookRequest } from '../providers/provider.js';
import type { ServiceContext } from './context.js';
import { NumberCache, type RoutableNumber } from './number-cache.js';
import { assertProvider, type LoadedNumber, type NumberService } from './numbers.js';
import { createIngest, type BatchStore, type ReceiveResult } from './ingest.js';
import { loadSurvey } from './surveys.js';

export type { ReceiveResult };

export function createInboundService(ctx: ServiceContext, numbers: NumberService, store?: BatchStore) {
  const { db } = ctx;
  const withSurvey = async (loaded: LoadedNumber): Promise<RoutableNumber> => ({
    ...loaded,
    survey: await loadSurvey(db.kysely, loaded.row.org_id, loaded.row.survey_id),
  });
  // Keyed by webhook token: the path segment, never the number's id (DESIGN.md §13).
  const cache = new NumberCache(async (webhookToken) => withSurvey(await numbers.loadByWebhookToken(webhookToken)), db);

  async function loadFor(provider: string, webhookToken: string): Promise<RoutableNumber> {
    assertProvider(provider);
    const loaded = await cache.get(webhookToken);
    if (loaded.row.provider !== provider) throw notFound('Number');
    return loaded;
  }

  const ingest = createIngest(ctx, store);

  /** Stores one inbound message and routes it (DESIGN.md §2 rules 1–7); see ./ingest.ts. */
  function receive(number: RoutableNumber, message: InboundMessage, contact: string): Promise<ReceiveResult> {
    return ingest.receive({ number, message, contact });
  }

  async function applyStatus(loaded: LoadedNumber, update: StatusUpdate): Promise<boolean> {
    return db.transaction(async (tx) => {
      const message = await tx.db
        .selectFrom('messages')
        .select(['id', 'status', 'org_id', 'contact'])
        .where('number_id', '=', loaded.row.id)
        .where('direction', '=', 'out')
        .where('provider_message_id', '=', update.providerMessageId)
        .executeTakeFirst();
      // An unsubscribe holds whatever the order of reports (rule 11), so before the status check.
      const optOutContact = update.optedOut ? (message?.contact ?? reportedRecipient(update, loaded.row.our_number)) : undefined;
      if (optOutContact) await recordOptOut(tx.db, loaded.row.id, optOutContact, ctx.now());
      if (!message) {
        // The report raced ahead of the worker recording the provider's id: keep it
        // until the send is recorded (src/outbox/outbox-worker.ts applies it then).
        await tx.db
          .insertInto('early_statuses')
          .values({
            number_id: loaded.row.id,
            provider_message_id: update.providerMessageId,
            status: update.status,
            error_code: update.errorCode ?? null,
            error_text: update.errorText ?? null,
            created_at: ctx.now(),
          })
          .execute();
        return false;
      }
      if (!isStatusProgress(message.status, update.status)) return true;
      await tx.db
        .updateTable('messages')
        .set({
          status: update.status,
          error_code: update.errorCode ?? null,
          error_text: update.errorText ?? null,
          updated_at: ctx.now(),
        })
        .where('id', '=', message.id)
        .execute();
      await publishStatus(tx, message.org_id, message.id);
      return true;
    });
  }

  return {
    receive,
    applyStatus,
    /** A live number with its survey, by id. */
    routable: async (numberId: string) => withSurvey(await numbers.load(numberId)),

    /** A provider's webhook, addressed by the number's webhook token: authenticate, parse, store, then acknowledge (DESIGN.md §3). */
    async handleWebhook(provider: string, webhookToken: string, request: WebhookRequest): Promise<WebhookAnswer> {
      const loaded = await loadFor(provider, webhookToken);
      loaded.adapter.verify(request, loaded.provider);
      const parsed = sanitise(loaded.adapter.parse(request, loaded.provider));
      // Every sender is checked before anything is stored, so a bad batch stores nothing.
      const contacts = parsed.messages.map((m) => normalisePhone(m.from, loaded.row.our_number));
      await Promise.all(parsed.messages.map((message, i) => receive(loaded, message, contacts[i]!)));
      for (const status of parsed.statuses) await applyStatus(loaded, status);
      return loaded.adapter.acknowledge();
    },

    async handshake(provider: string, webhookToken: string, request: WebhookRequest): Promise<WebhookAnswer> {
      const loaded = await loadFor(provider, webhookToken);
      if (!loaded.adapter.handshake) throw new DomainError('not_found', 'This provider has no verification handshake');
      return loaded.adapter.handshake(request, loaded.provider);
    },
  };
}

export type InboundService = ReturnType<typeof createInboundService>;

/** The recipient a status report names, as a contact; none when it is not a phone number. */
function reportedRecipient(update: StatusUpdate, ourNumber: string): string | undefined {
  if (!update.recipient) return undefined;
  try {
    return normalisePhone(update.recipient, ourNumber);
  } catch {
    return undefined;
  }
}

/** Replaces U+0000 in everything a webhook carried (see `withoutNul`). */
function sanitise(parsed: ParsedWebhook): ParsedWebhook {
  return {
    messages: parsed.messages.map((m) => ({
      ...m,
      providerMessageId: withoutNul(m.providerMessageId),
      from: withoutNul(m.from),
      text: withoutNul(m.text),
      profileName: m.profileName === undefined ? undefined : withoutNul(m.profileName),
      media: m.media.map((item) => ({ url: withoutNul(item.url), contentType: item.contentType && withoutNul(item.contentType) })),
    })),
    statuses: parsed.statuses.map((s) => ({
      ...s,
      providerMessageId: withoutNul(s.providerMessageId),
      errorCode: s.errorCode === undefined ? undefined : withoutNul(s.errorCode),
      errorText: s.errorText === undefined ? undefined : withoutNul(s.errorText),
      recipient: s.recipient === undefined ? undefined : withoutNul(s.recipient),
    })),
  };
}

/** Tells every record holding the message that its status moved. */
export async function publishStatus(tx: Transaction, orgId: string, messageId: string) {
  const records = await tx.db
    .selectFrom('record_messages as rm')
    .innerJoin('records as r', 'r.id', 'rm.record_id')
    .select(['r.case_number', 'r.survey_id'])
    .where('rm.message_id', '=', messageId)
    .execute();
  for (const r of records) {
    tx.publish({ type: 'message.status', orgId, caseNumber: Number(r.case_number), surveyId: r.survey_id, messageId });
  }
}
