import type { MediaKind } from '../domain/media-limits.js';
import type { OutboundMedia } from './provider.js';
import { SendError } from './provider.js';
import { asObject, asString, callProvider, isSuccess, type ProviderResponse } from './provider-http.js';

/**
 * Attachments through Meta's WhatsApp Cloud API (DESIGN.md §6): Meta does not fetch a link
 * of ours; the file is uploaded to the number's `/media` endpoint first, and the message
 * names the media id Meta answers with. A retried send uploads again: an id is cheap, and a
 * fresh one never depends on how long Meta keeps the last.
 */
export interface WhatsAppMediaTarget {
  apiUrl: string;
  graphVersion: string;
  timeoutMs: number;
  phoneNumberId: string;
  accessToken: string;
}

/**
 * `POST /{version}/{phone-number-id}/media`, multipart: `messaging_product=whatsapp`, the
 * file's `type`, and the `file` itself. `failure` reads Meta's error answer as a send's.
 */
export async function uploadWhatsAppMedia(
  target: WhatsAppMediaTarget,
  item: OutboundMedia,
  failure: (response: ProviderResponse) => SendError,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await item.open()) chunks.push(chunk);
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', item.contentType);
  form.set('file', new Blob([Buffer.concat(chunks)], { type: item.contentType }), item.name ?? 'attachment');
  const response = await callProvider(
    'WhatsApp',
    `${target.apiUrl}/${target.graphVersion}/${encodeURIComponent(target.phoneNumberId)}/media`,
    // fetch writes the multipart boundary into Content-Type itself.
    { method: 'POST', headers: { authorization: `Bearer ${target.accessToken}`, accept: 'application/json' }, body: form },
    // An upload of several megabytes takes longer than a send.
    target.timeoutMs * 4,
  );
  if (!isSuccess(response.status)) throw failure(response);
  const id = asString(asObject(response.json)?.id);
  if (!id) throw new SendError('transient', 'WhatsApp accepted the attachment but returned no media id', { code: 'upload' });
  return id;
}

/**
 * The `type` and content of a media message sent by id. A document carries its file name,
 * which WhatsApp shows and uses to pick the file's icon; audio takes no caption.
 */
export function whatsappMediaMessage(kind: MediaKind, mediaId: string, caption: string | undefined, name: string | null) {
  const content: Record<string, string> = { id: mediaId };
  if (caption && kind !== 'audio') content.caption = caption;
  if (kind === 'document' && name) content.filename = name;
  return { type: kind, [kind]: content };
}
