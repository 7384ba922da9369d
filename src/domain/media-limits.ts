import { DomainError } from './errors.js';
import type { Channel } from './providers.js';

/**
 * What a provider can carry as attachments (DESIGN.md §6): each adapter declares, per
 * channel, how many items one message may hold and which types up to which size, from the
 * provider's documentation. Attachments are checked against it before a send is queued, so
 * a worker hears at once what the provider would refuse a minute later.
 */

/** How a provider shows an item; the adapters of one-media-per-message APIs send by kind. */
export type MediaKind = 'image' | 'audio' | 'video' | 'document';

export interface MediaTypeLimit {
  kind: MediaKind;
  /** Content types, lower case; `image/*` stands for every image type, `*\/*` for anything. */
  types: readonly string[];
  maxBytes: number;
}

export interface MediaLimits {
  /** Items one message may carry. */
  maxItems: number;
  /** The items of one message together (Twilio counts the whole message). */
  maxTotalBytes?: number;
  types: readonly MediaTypeLimit[];
}

/** Per channel; a channel that is absent carries no media at all. */
export type MediaCapabilities = Readonly<Partial<Record<Channel, MediaLimits>>>;

/** Providers write sizes in decimal megabytes; the stricter reading is the safe one. */
export const MB = 1000 * 1000;

/** An attachment as the check needs it: what its bytes are, and how many. */
export interface OutgoingMedia {
  contentType: string | null;
  size: number;
  name: string | null;
}

/** The rule a content type falls under, if the provider sends it at all. */
export function mediaRuleFor(limits: MediaLimits, contentType: string | null): MediaTypeLimit | undefined {
  const type = (contentType ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  const family = `${type.split('/')[0]}/*`;
  return limits.types.find((rule) => rule.types.includes(type) || rule.types.includes(family) || rule.types.includes('*/*'));
}

/**
 * Refuses attachments the provider would refuse, with a code a client can act on:
 * `media_not_supported` (none at all on this channel), `too_many_media`,
 * `media_type_not_supported`, `media_too_large`. `sender` names the number's provider and
 * channel in the message, e.g. "Africa’s Talking SMS".
 */
export function checkOutgoingMedia(limits: MediaLimits | undefined, items: readonly OutgoingMedia[], sender: string): void {
  if (items.length === 0) return;
  if (!limits) {
    throw new DomainError('media_not_supported', `${sender} cannot carry attachments: send the text alone, or write on another number`);
  }
  if (items.length > limits.maxItems) {
    throw new DomainError(
      'too_many_media',
      limits.maxItems === 1
        ? `${sender} carries one attachment per message: send the others in further replies`
        : `${sender} carries at most ${limits.maxItems} attachments per message`,
    );
  }
  let total = 0;
  for (const item of items) {
    const label = item.name ? `“${item.name}”` : 'The attachment';
    const rule = mediaRuleFor(limits, item.contentType);
    if (!rule) {
      throw new DomainError(
        'media_type_not_supported',
        `${label} is ${item.contentType ?? 'of an unknown type'}, which ${sender} cannot send`,
        { contentType: item.contentType },
      );
    }
    if (item.size > rule.maxBytes) {
      throw new DomainError(
        'media_too_large',
        `${label} is ${megabytes(item.size)}; ${sender} sends ${rule.kind}s up to ${megabytes(rule.maxBytes)}`,
        {
          maxBytes: rule.maxBytes,
        },
      );
    }
    total += item.size;
  }
  if (limits.maxTotalBytes !== undefined && total > limits.maxTotalBytes) {
    throw new DomainError(
      'media_too_large',
      `The attachments come to ${megabytes(total)}; ${sender} sends up to ${megabytes(limits.maxTotalBytes)} per message`,
      { maxBytes: limits.maxTotalBytes },
    );
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes < MB ? 2 : 1)} MB`;
}

/**
 * WhatsApp Business media as Meta's Cloud API documents it ("Supported media types"): one
 * item per message; JPEG and PNG images up to 5 MB; AAC, AMR, MP3, M4A and OGG (Opus) audio
 * and MP4 or 3GPP video up to 16 MB; text, PDF and Office documents up to 100 MB. Vonage's
 * WhatsApp channel relays to the same API, so it shares these limits.
 */
export const WHATSAPP_BUSINESS_MEDIA: MediaLimits = {
  maxItems: 1,
  types: [
    { kind: 'image', types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
    {
      kind: 'audio',
      types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/x-m4a', 'audio/ogg', 'audio/opus'],
      maxBytes: 16 * MB,
    },
    { kind: 'video', types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
    {
      kind: 'document',
      types: [
        'text/plain',
        'application/pdf',
        'application/msword',
        'application/vnd.ms-excel',
        'application/vnd.ms-powerpoint',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      ],
      maxBytes: 100 * MB,
    },
  ],
};

/** A WhatsApp caption's length limit (Meta: "Maximum 1024 characters"). */
export const WHATSAPP_CAPTION_MAX = 1024;

/**
 * How the text of a one-attachment WhatsApp message travels. An image, video or document
 * carries it as its caption. A voice note has no caption in WhatsApp (Meta's and Vonage's
 * audio objects take none), and a text longer than a caption goes whole, not cut: either
 * way the text is sent as a text message of its own just before the attachment, so the
 * person reads it first, and the message's delivery status follows the attachment.
 */
export function whatsappCaption(kind: MediaKind, text: string): { caption?: string; textFirst?: string } {
  if (!text) return {};
  if (kind === 'audio' || text.length > WHATSAPP_CAPTION_MAX) return { textFirst: text };
  return { caption: text };
}
