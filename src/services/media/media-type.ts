import { fileTypeFromBuffer } from 'file-type';

/**
 * A file's type is taken from its bytes, not from what a provider or browser declared
 * (DESIGN.md §6): a page of HTML declared `image/png` must never be served as either.
 * Text formats have no signature to read, so a declared text type is kept only when the
 * bytes look like text; anything unrecognised is `application/octet-stream`, which the
 * media route serves only as a download.
 */
const TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/vcard', 'text/x-vcard', 'text/calendar']);

export interface ResolvedType {
  contentType: string;
  /** The declared type named something else than the bytes are. */
  mismatch: boolean;
}

export async function resolveMediaType(head: Buffer, declared: string | null): Promise<ResolvedType> {
  const declaredBase = declared?.split(';')[0]?.trim().toLowerCase() || null;
  const detected = (await fileTypeFromBuffer(head))?.mime ?? null;
  if (detected) return { contentType: detected, mismatch: declaredBase !== null && !sameType(declaredBase, detected) };
  if (declaredBase && TEXT_TYPES.has(declaredBase) && looksLikeText(head)) return { contentType: declaredBase, mismatch: false };
  return { contentType: 'application/octet-stream', mismatch: declaredBase !== null && declaredBase !== 'application/octet-stream' };
}

/** Providers and browsers name some types by an alias of what file-type reads. */
function sameType(declared: string, detected: string): boolean {
  if (declared === detected) return true;
  const aliases: Record<string, string[]> = {
    'audio/ogg': ['audio/opus', 'application/ogg'],
    'audio/opus': ['audio/ogg'],
    'audio/mpeg': ['audio/mp3'],
    'audio/mp4': ['audio/x-m4a', 'audio/aac', 'video/mp4'],
    'audio/aac': ['audio/x-m4a', 'audio/mp4'],
    'audio/amr': ['audio/amr-nb'],
    'image/jpg': ['image/jpeg'],
    'video/3gpp': ['video/3gp'],
  };
  return (aliases[detected] ?? []).includes(declared) || (aliases[declared] ?? []).includes(detected);
}

/** Valid UTF-8 without control characters other than whitespace. */
function looksLikeText(head: Buffer): boolean {
  // The head may end in the middle of a character: drop up to three trailing bytes.
  for (let cut = 0; cut <= Math.min(3, head.length); cut += 1) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      // eslint-disable-next-line no-control-regex -- control characters are exactly what tells binary from text
      return !/[\u0000-\u0008\u000e-\u001f]/.test(text);
    } catch {
      // try a shorter head
    }
  }
  return false;
}
