/**
 * The console's keyboard shortcuts (DESIGN.md §7): single keys, never while the worker types.
 * `label` is the description's key in the `cases` namespace.
 */
export const SHORTCUTS = [
  { key: 'j', label: 'shortcuts.next' },
  { key: 'k', label: 'shortcuts.previous' },
  { key: 'r', label: 'shortcuts.reply' },
  { key: 'l', label: 'shortcuts.lock' },
  { key: '?', label: 'shortcuts.help' },
] as const;
export type ShortcutKey = (typeof SHORTCUTS)[number]['key'];

const KEYS = new Set<string>(SHORTCUTS.map((s) => s.key));

/** What a key press says to the shortcuts; only the parts they read, so tests can build one. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
  isComposing?: boolean;
  target: EventTarget | null;
}

/** A field the worker types into: shortcuts never fire there. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const element = target as HTMLElement;
  if (element.isContentEditable) return true;
  return element.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/** The shortcut a key press means, or null: modified keys, typing and presses already handled are not shortcuts. */
export function shortcutOf(press: KeyPress): ShortcutKey | null {
  if (press.defaultPrevented || press.ctrlKey || press.metaKey || press.altKey || press.isComposing) return null;
  if (!KEYS.has(press.key)) return null;
  if (isTypingTarget(press.target)) return null;
  return press.key as ShortcutKey;
}
