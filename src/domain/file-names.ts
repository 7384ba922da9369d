/**
 * The name an uploaded file keeps (DESIGN.md §6): shown in the console and sent in
 * `Content-Disposition`, so it carries no path, no control characters and no bidirectional
 * overrides (U+202E makes `invoice<U+202E>fdp.exe` read as a PDF), and fits in
 * 200 characters, keeping its extension when it is cut.
 */
export const MAX_FILE_NAME_LENGTH = 200;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNWANTED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function sanitiseFileName(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const base = raw.split(/[/\\]/).pop() ?? '';
  const name = base.replace(/\s/g, ' ').replace(UNWANTED, '').replace(/ +/g, ' ').trim();
  if (name === '' || name === '.' || name === '..') return null;
  // Counted in what a reader sees as characters, so a cut never splits one.
  const characters = graphemes(name);
  if (characters.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? graphemes(name.slice(dot)) : [];
  const kept = extension.length > 0 && extension.length <= 16 ? extension : [];
  return (
    characters
      .slice(0, MAX_FILE_NAME_LENGTH - kept.length)
      .join('')
      .trimEnd() + kept.join('')
  ).trim();
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string): string[] => Array.from(segmenter.segment(text), (part) => part.segment);
