import { randomBytes } from 'node:crypto';
import { signTwilioWebhook, twilioInboundFields } from '../../test/support/fake-twilio.js';
import { OUR_NUMBER } from './caseline-setup.js';

/**
 * A pool of distinct, signed Twilio inbound webhooks, computed before the load starts so
 * the load generator only picks the next one. Every body has its own MessageSid (so none
 * is a duplicate), and all sids of a pool share a prefix, so the database check after a
 * run can find exactly this pool's messages by an index range.
 *
 * The mix is what a helpline sees: people writing for the first time, people writing again
 * into their open case, some quoting their case number (`#n`), a few quoting someone else's.
 */
export type WebhookKind = 'new-contact' | 'open-case' | 'own-reference' | 'foreign-reference';

export interface ExistingCase {
  contact: string;
  caseNumber: number;
}

export interface PoolMix {
  newContact: number;
  openCase: number;
  ownReference: number;
  foreignReference: number;
}

export const DEFAULT_MIX: PoolMix = { newContact: 0.4, openCase: 0.4, ownReference: 0.15, foreignReference: 0.05 };

export interface TwilioPool {
  /** The request path, `/webhooks/twilio/{token}`. */
  path: string;
  bodies: Buffer[];
  signatures: string[];
  sids: string[];
  kinds: WebhookKind[];
  /** `provider_message_id >= from and < to` selects exactly this pool's messages. */
  sidRange: { from: string; to: string };
  size: number;
}

const TEXTS = [
  'Hello, I need help with my housing benefit application',
  'Can someone call me back please? It is about my appointment',
  'I sent the documents yesterday, did you get them?',
  'Thank you. When will I hear back?',
  'My landlord has not fixed the heating and it is very cold',
  'Is the office open on Saturday?',
  'I do not understand the letter you sent me, can you explain',
  'ok',
];

/** A small deterministic generator, so two runs offer the same mix in the same order. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildTwilioPool(options: {
  /** The base URL the server believes it is reached on (PUBLIC_URL): signatures cover it. */
  publicUrl: string;
  /** The number's inbound webhook path, from the API's answer. */
  webhookPath: string;
  accountSid: string;
  authToken: string;
  size: number;
  existing: readonly ExistingCase[];
  /** New contacts are `newContactPrefix` (default `+4475`) and 8 digits counting up from here. */
  newContactStart: number;
  newContactPrefix?: string;
  mix?: PoolMix;
  seed?: number;
  /** Every webhook carries the media item this gives for it (`NumMedia=1`), as a photo sent with the text. */
  media?: (index: number) => { url: string; contentType: string };
}): TwilioPool {
  const mix = options.mix ?? DEFAULT_MIX;
  const next = random(options.seed ?? 1);
  const tag = randomBytes(4).toString('hex');
  const path = options.webhookPath;
  const url = `${options.publicUrl}${path}`;
  const pool: TwilioPool = {
    path,
    bodies: [],
    signatures: [],
    sids: [],
    kinds: [],
    sidRange: { from: `SM${tag}`, to: `SM${tag}g` },
    size: options.size,
  };
  let newContact = options.newContactStart;
  const existing = options.existing;
  for (let i = 0; i < options.size; i++) {
    const roll = next();
    let kind: WebhookKind =
      roll < mix.newContact
        ? 'new-contact'
        : roll < mix.newContact + mix.openCase
          ? 'open-case'
          : roll < mix.newContact + mix.openCase + mix.ownReference
            ? 'own-reference'
            : 'foreign-reference';
    if (existing.length < 2) kind = 'new-contact';
    let from: string;
    let text = TEXTS[Math.floor(next() * TEXTS.length)]!;
    if (kind === 'new-contact') {
      from = `${options.newContactPrefix ?? '+4475'}${String(newContact++).padStart(8, '0')}`;
    } else {
      const own = existing[Math.floor(next() * existing.length)]!;
      from = own.contact;
      if (kind === 'own-reference') text = `Re #${own.caseNumber}: ${text}`;
      if (kind === 'foreign-reference') {
        const other = existing[Math.floor(next() * existing.length)]!;
        text = `${text} (#${other.caseNumber === own.caseNumber ? own.caseNumber + 1 : other.caseNumber})`;
      }
    }
    const sid = `SM${tag}${i.toString(16).padStart(24, '0')}`;
    const fields = twilioInboundFields({
      from,
      to: OUR_NUMBER,
      text,
      accountSid: options.accountSid,
      messageSid: sid,
      media: options.media ? [options.media(i)] : undefined,
    });
    const delivery = signTwilioWebhook(url, fields, options.authToken);
    pool.bodies.push(Buffer.from(delivery.body));
    pool.signatures.push(delivery.headers['x-twilio-signature']!);
    pool.sids.push(sid);
    pool.kinds.push(kind);
  }
  return pool;
}

export const TWILIO_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded',
  'user-agent': 'TwilioProxy/1.1',
};
