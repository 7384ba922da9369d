import { DomainError, notFound } from '../../domain/errors.js';
import { rememberWhatsAppAddress } from '../../db/queries/whatsapp-addresses.js';
import { contactSpellings, normaliseContact, normalisePhone } from '../../domain/phone.js';
import { storableText } from '../../domain/text.js';
import type { InboundMessage, ParsedWebhook, StatusUpdate, WebhookAnswer, WebhookRequest } from '../../providers/provider.js';
import type { ServiceContext } from '../context.js';
import { applyStatus as applyDeliveryStatus } from '../deliveries.js';
import { assertProvider, type LoadedNumber, type NumberService } from '../numbers.js';
import { loadSurvey } from '../surveys.js';
import { createBatcher } from './batcher.js';
import { startIngestThread } from './ingest-thread.js';
import { NumberCache, type RoutableNumber } from './routable-numbers.js';
import type { ReceiveResult } from './store-batch.js';

export type { ReceiveResult };

/**
 * The inbound path: webhooks authenticated and parsed, their messages batched and stored.
 * `ingestThread: false` keeps storing on the main connection even where the database has
 * a second writer (SQLite with a file).
 */
export function createInboundService(ctx: ServiceContext, numbers: NumberService, options: { ingestThread?: boolean } = {}) {
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

  const ingestThread = options.ingestThread === false ? null : startIngestThread(db);
  const ingest = createBatcher(ctx, ingestThread?.store);

  /** Stores one inbound message and routes it (DESIGN.md §2 rules 1–7); see ./store-batch.ts. */
  function receive(number: RoutableNumber, message: InboundMessage, contact: string): Promise<ReceiveResult> {
    return ingest.receive({ number, message, contact });
  }

  const applyStatus = (loaded: LoadedNumber, update: StatusUpdate) => applyDeliveryStatus(ctx, loaded, update);

  /**
   * Where a WhatsApp sender has two spellings, the one the provider used is the account's id,
   * and sends must use it (DESIGN.md §11). Kept beside the stored message, not in its
   * transaction: a lost update is mended by the person's next message.
   */
  async function rememberAddresses(loaded: RoutableNumber, messages: readonly InboundMessage[], contacts: readonly string[]) {
    for (const [i, message] of messages.entries()) {
      const contact = contacts[i]!;
      if (contactSpellings(contact).length === 1) continue;
      const address = normalisePhone(message.from, loaded.row.our_number);
      await rememberWhatsAppAddress(db.kysely, loaded.row.id, contact, address, ctx.now());
    }
  }

  /** When the last webhook arrived, on the monotonic clock (not `ctx.now`, which tests drive). */
  let lastWebhookAt = Number.NEGATIVE_INFINITY;

  return {
    receive,
    /**
     * Whether a webhook arrived within the last `ms`: background work (media fetches) gives
     * the webhooks the machine while they arrive, as a provider waits on each answer.
     */
    receivedWithin: (ms: number) => performance.now() - lastWebhookAt < ms,
    /**
     * Whether webhooks arrived faster than they could be stored within the last `ms`, and
     * waited in line: background work then all but stops until they are through.
     */
    backloggedWithin: ingest.backloggedWithin,
    /** SQLite with a database file: the thread that stores inbound batches. */
    ingestThread,
    applyStatus,
    /** A live number with its survey, by id. */
    routable: async (numberId: string) => withSurvey(await numbers.load(numberId)),

    /** A provider's webhook, addressed by the number's webhook token: authenticate, parse, store, then acknowledge (DESIGN.md §3). */
    async handleWebhook(provider: string, webhookToken: string, request: WebhookRequest): Promise<WebhookAnswer> {
      lastWebhookAt = performance.now();
      const loaded = await loadFor(provider, webhookToken);
      loaded.adapter.verify(request, loaded.provider);
      const parsed = sanitise(loaded.adapter.parse(request, loaded.provider));
      // Every sender is checked before anything is stored, so a bad batch stores nothing.
      const contacts = parsed.messages.map((m) => normaliseContact(m.from, loaded.row.channel, loaded.row.our_number));
      await Promise.all(parsed.messages.map((message, i) => receive(loaded, message, contacts[i]!)));
      if (loaded.row.channel === 'whatsapp') await rememberAddresses(loaded, parsed.messages, contacts);
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

/** Everything a webhook carried as it can be stored (see `storableText`). */
function sanitise(parsed: ParsedWebhook): ParsedWebhook {
  return {
    messages: parsed.messages.map((m) => ({
      ...m,
      providerMessageId: storableText(m.providerMessageId),
      from: storableText(m.from),
      text: storableText(m.text),
      profileName: m.profileName === undefined ? undefined : storableText(m.profileName),
      media: m.media.map((item) => ({
        ref: storableText(item.ref),
        contentType: item.contentType && storableText(item.contentType),
        name: item.name && storableText(item.name),
      })),
    })),
    statuses: parsed.statuses.map((s) => ({
      ...s,
      providerMessageId: storableText(s.providerMessageId),
      errorCode: s.errorCode === undefined ? undefined : storableText(s.errorCode),
      errorText: s.errorText === undefined ? undefined : storableText(s.errorText),
      recipient: s.recipient === undefined ? undefined : storableText(s.recipient),
    })),
  };
}
