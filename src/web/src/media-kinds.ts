/** How the console shows a media item (DESIGN.md §6): which player, and words for its size and type. */

export type MediaKind = 'image' | 'audio' | 'video' | 'document';

/**
 * Images, audio and video play in the page; everything else is a download. SVG is a
 * document: it can carry script, so the server never serves it inline either.
 */
export function mediaKind(contentType: string | null): MediaKind {
  const type = (contentType ?? '').toLowerCase().split(';', 1)[0]!.trim();
  if (type === 'image/svg+xml') return 'document';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  return 'document';
}

const UNITS = ['KB', 'MB', 'GB'] as const;

/**
 * `532 bytes`, `1.2 MB`, `16 MB`: in units of 1024, as phones and file managers count
 * them, so the limit a worker reads is the limit the server applies.
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.9 KB rounds to 1024: say 1 MB instead.
  if (rounded >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${rounded} ${UNITS[unit]}`;
}

const TYPE_NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/msword': 'Word document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word document',
  'application/vnd.ms-excel': 'Excel spreadsheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel spreadsheet',
  'application/vnd.ms-powerpoint': 'PowerPoint presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint presentation',
  'application/vnd.oasis.opendocument.text': 'OpenDocument text',
  'application/zip': 'ZIP archive',
  'text/plain': 'Text',
  'text/csv': 'CSV',
  'text/vcard': 'Contact card',
  'image/svg+xml': 'SVG image',
};

/** `PDF`, `Word document`, `JPEG image`; the content type itself when it has no name here. */
export function describeType(contentType: string | null): string {
  if (!contentType) return 'File';
  const type = contentType.toLowerCase().split(';', 1)[0]!.trim();
  const named = TYPE_NAMES[type];
  if (named) return named;
  const [family, subtype = ''] = type.split('/');
  const short = subtype.replace(/^(x-|vnd\.)/, '').toUpperCase();
  if (family === 'image') return `${short} image`;
  if (family === 'audio') return `${short} audio`;
  if (family === 'video') return `${short} video`;
  return type;
}
