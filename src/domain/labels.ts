import { validationFailed } from './errors.js';

/** The longest label name (DESIGN.md §7, "Labels"); chips stay short. */
export const MAX_LABEL_NAME = 60;

/**
 * A label's name as stored: trimmed, runs of white space made one space, Unicode in its
 * composed form (so "é" typed two ways is one name).
 */
export function labelName(name: string): string {
  const clean = name.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (!clean) throw validationFailed('A label needs a name');
  // Counted in code points, as the API's schema counts `maxLength`.
  if (Array.from(clean).length > MAX_LABEL_NAME) throw validationFailed(`A label name can be at most ${MAX_LABEL_NAME} characters`);
  return clean;
}

/**
 * What makes two names the same label: names are unique per organisation regardless of
 * case, so "Urgent" and "urgent" cannot both exist. Computed here, not with SQL `lower()`,
 * which on SQLite folds ASCII only: both dialects must agree.
 */
export function labelNameKey(name: string): string {
  return labelName(name).normalize('NFKC').toLowerCase();
}

/** `#rrggbb`, stored in lower case so one colour is written one way. */
export function labelColor(color: string): string {
  if (!/^#[0-9a-f]{6}$/i.test(color)) throw validationFailed('A label colour is #rrggbb, e.g. #1f77b4');
  return color.toLowerCase();
}

export interface LabelRef {
  id: string;
  name: string;
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * Labels are shown in name order, whatever their case or accents ("Ärger" before
 * "Housing"), the same on both dialects: sorted here, not by a database collation.
 */
export function byLabelName(a: LabelRef, b: LabelRef): number {
  return collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A case's labels replaced by `requested` (ids, duplicates allowed): which to add and which
 * to remove, given the labels it carries now and the organisation's labels that `requested`
 * named and were found. An id not found is another organisation's or none at all: the
 * whole change is refused.
 */
export function planLabelChange(
  current: readonly LabelRef[],
  requested: readonly string[],
  found: readonly LabelRef[],
): { add: LabelRef[]; remove: LabelRef[] } {
  const wanted = [...new Set(requested)];
  const byId = new Map(found.map((label) => [label.id, label]));
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw validationFailed('Unknown label', { labelIds: unknown });
  const have = new Set(current.map((label) => label.id));
  const keep = new Set(wanted);
  return {
    add: wanted
      .filter((id) => !have.has(id))
      .map((id) => byId.get(id)!)
      .sort(byLabelName),
    remove: current.filter((label) => !keep.has(label.id)).sort(byLabelName),
  };
}
