import { randomUUID } from 'node:crypto';
import { DomainError, validationFailed } from '../domain/errors.js';
import type { MediaLimits } from '../domain/media-limits.js';
import type { MediaItem, ProviderAdapter } from './provider.js';
import { hmacHex, headerValue, safeEqual } from './signatures.js';

/**
 * The built-in provider for trying Caseline without an account (DESIGN.md §3): a signed
 * JSON webhook in, and sends that are "delivered" at once and read back by the phone
 * simulator from the conversation itself.
 */
export const SIGNATURE_HEADER = 'x-caseline-signature';

const ANYTHING: MediaLimits = { maxItems: 10, types: [{ kind: 'document', types: ['*/*'], maxBytes: Number.POSITIVE_INFINITY }] };

export function signSandboxBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${hmacHex('sha256', secret, rawBody)}`;
}

export const sandboxProvider: ProviderAdapter<'sandbox'> = {
  name: 'sandbox',
  channels: ['sms', 'whatsapp'],
  // The simulator shows whatever was sent: anything up to the server's own limit (CASELINE_MEDIA_MAX_BYTES).
  media: { sms: ANYTHING, whatsapp: ANYTHING },

  validateCredentials(raw) {
    const secret = (raw as { webhookSecret?: unknown } | null)?.webhookSecret;
    if (typeof secret !== 'string' || secret.length < 16) {
      throw validationFailed('sandbox credentials need a webhookSecret of at least 16 characters');
    }
    return { webhookSecret: secret };
  },

  verify(request, number) {
    const given = headerValue(request.headers, SIGNATURE_HEADER) ?? '';
    const expected = signSandboxBody(number.credentials.webhookSecret, request.rawBody);
    if (!safeEqual(given, expected)) {
      throw new DomainError('invalid_signature', 'The X-Caseline-Signature header does not match the body');
    }
  },

  parse(request) {
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new DomainError('bad_request', 'The body is not JSON');
    }
    const { id, from, text, media } = (body ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !id || id.length > 200) {
      throw new DomainError('bad_request', 'id must be a non-empty string');
    }
    if (typeof from !== 'string' || !from) throw new DomainError('bad_request', 'from must be a phone number');
    if (typeof text !== 'string') throw new DomainError('bad_request', 'text must be a string');
    return { messages: [{ providerMessageId: id, from, text, media: sandboxMedia(media) }], statuses: [] };
  },

  acknowledge() {
    return { status: 200, contentType: 'application/json', body: '{"ok":true}' };
  },

  send() {
    return Promise.resolve({ providerMessageId: `sandbox-${randomUUID()}`, status: 'delivered' as const });
  },
};

/** The most items one simulated message may carry, as a notification's `media`. */
const MAX_SANDBOX_MEDIA = 10;

/**
 * The simulator uploads a file first (`POST /media`) and names the upload in `media:
 * [{id}]`; the fetch job links the upload's bytes to the message instead of downloading.
 * Bodies without `media` are text alone, as before.
 */
function sandboxMedia(raw: unknown): MediaItem[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > MAX_SANDBOX_MEDIA) {
    throw new DomainError('bad_request', `media must be a list of at most ${MAX_SANDBOX_MEDIA} uploads`);
  }
  return raw.map((item: unknown) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !id || id.length > 200) throw new DomainError('bad_request', 'each media item needs the id of an upload');
    return { ref: id, contentType: null, name: null };
  });
}
