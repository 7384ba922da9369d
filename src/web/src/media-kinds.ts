/** How the console shows a media item (DESIGN.md §6): which player, and words for its size and type. */
import i18next from 'i18next';
import { currentLocale } from './i18n/setup.js';

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

const UNITS = ['numbers:media.kilobytes', 'numbers:media.megabytes', 'numbers:media.gigabytes'] as const;

/** A size's number as the console's language writes it (`1.5`, `1,5`), without grouping as before. */
function sizeNumber(value: number): string {
  return new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: 1, useGrouping: false }).format(value);
}

/**
 * `532 bytes`, `1.2 MB`, `16 MB`: in units of 1024, as phones and file managers count
 * them, so the limit a worker reads is the limit the server applies.
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return i18next.t('numbers:media.bytes', { count: bytes, size: sizeNumber(bytes) });
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.9 KB rounds to 1024: say 1 MB instead.
  if (rounded >= 1024 && unit < UNITS.length - 1) return i18next.t(UNITS[unit + 1]!, { size: sizeNumber(1) });
  return i18next.t(UNITS[unit]!, { size: sizeNumber(rounded) });
}

/** Formats named by their abbreviation alone, the same in every language. */
const TYPE_ABBREVIATIONS: Record<string, string> = {
  'application/pdf': 'PDF',
  'text/csv': 'CSV',
};

type TypeNameKey =
  | 'numbers:media.types.word'
  | 'numbers:media.types.excel'
  | 'numbers:media.types.powerpoint'
  | 'numbers:media.types.openDocument'
  | 'numbers:media.types.zip'
  | 'numbers:media.types.text'
  | 'numbers:media.types.contactCard'
  | 'numbers:media.types.svg';

const TYPE_NAMES: Record<string, TypeNameKey> = {
  'application/msword': 'numbers:media.types.word',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'numbers:media.types.word',
  'application/vnd.ms-excel': 'numbers:media.types.excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'numbers:media.types.excel',
  'application/vnd.ms-powerpoint': 'numbers:media.types.powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'numbers:media.types.powerpoint',
  'application/vnd.oasis.opendocument.text': 'numbers:media.types.openDocument',
  'application/zip': 'numbers:media.types.zip',
  'text/plain': 'numbers:media.types.text',
  'text/vcard': 'numbers:media.types.contactCard',
  'image/svg+xml': 'numbers:media.types.svg',
};

/** `PDF`, `Word document`, `JPEG image`; the content type itself when it has no name here. */
export function describeType(contentType: string | null): string {
  if (!contentType) return i18next.t('numbers:media.file');
  const type = contentType.toLowerCase().split(';', 1)[0]!.trim();
  const abbreviation = TYPE_ABBREVIATIONS[type];
  if (abbreviation) return abbreviation;
  const named = TYPE_NAMES[type];
  if (named) return i18next.t(named);
  const [family, subtype = ''] = type.split('/');
  const short = subtype.replace(/^(x-|vnd\.)/, '').toUpperCase();
  if (family === 'image') return i18next.t('numbers:media.types.image', { type: short });
  if (family === 'audio') return i18next.t('numbers:media.types.audio', { type: short });
  if (family === 'video') return i18next.t('numbers:media.types.video', { type: short });
  return type;
}
