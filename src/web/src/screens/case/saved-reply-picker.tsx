import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject, type SyntheticEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { savedRepliesApi } from '../../api/labels.js';
import type { CaseRecord, SavedReply } from '../../api/types.js';
import { shorten } from '../../format.js';
import { paths } from '../../router.js';
import { useApp } from '../../session.js';
import { fillPlaceholders, insertAtSearch, matchSavedReplies, slashSearch } from '../../saved-replies.js';
import { useLoad } from '../../ui/use-load.js';

interface PickerOptions {
  record: CaseRecord;
  text: string;
  setText: (text: string) => void;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** The box cannot be typed in (no lock, a viewer, …): no search either. */
  disabled: boolean;
}

export interface SavedReplyPicker {
  /** Call from the box's onChange and onSelect, so the picker knows where the caret is. */
  onCaret: (event: SyntheticEvent<HTMLTextAreaElement>) => void;
  /** Call first in the box's onKeyDown; true when the picker used the key. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** ARIA for the box: it controls the list and points at the highlighted reply. */
  inputProps: { 'aria-autocomplete': 'list'; 'aria-controls'?: string; 'aria-activedescendant'?: string };
  /** The list, while a `/` search is open; null otherwise. */
  popup: ReactNode;
}

/**
 * `/` in the reply box (DESIGN.md §7): typed at the start of the box or after a space, it
 * opens a list of the organisation's saved replies, narrowed by what follows it. Arrow keys
 * choose, Enter (or a click) inserts the reply in place of the search with `{case}`,
 * `{contact}` and `{worker}` filled in, Escape closes the list and keeps the text.
 */
export function useSavedReplyPicker({ record, text, setText, inputRef, disabled }: PickerOptions): SavedReplyPicker {
  const { t } = useTranslation('case');
  const { session } = useApp();
  const listId = useId();
  const [caret, setCaret] = useState(0);
  // The `/` whose search Escape closed: it stays closed until another `/` is typed.
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [highlight, setHighlight] = useState({ key: '', index: 0 });
  const pendingCaret = useRef<number | null>(null);

  const search = disabled ? null : slashSearch(text, caret);
  const searching = search !== null && search.start !== dismissed;
  // Loaded afresh each time a search opens, so a reply a colleague just saved is there.
  const loaded = useLoad<SavedReply[] | null>(
    async ({ shown }) => (searching ? (await savedRepliesApi.list()).items : (shown ?? null)),
    [searching],
    { keepPreviousData: true },
  );
  const replies = searching ? (loaded.data ?? null) : null;
  const matches = replies && search ? matchSavedReplies(replies, search.query) : [];
  // A search with a space that finds nothing was a sentence ("and / or"), not a search.
  const open = searching && !(replies !== null && matches.length === 0 && search.query.includes(' '));
  const key = search ? `${search.start}:${search.query}` : '';
  const index = highlight.key === key ? Math.min(highlight.index, Math.max(matches.length - 1, 0)) : 0;
  const optionId = (i: number) => `${listId}-option-${i}`;

  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null) return;
    pendingCaret.current = null;
    inputRef.current?.focus();
    inputRef.current?.setSelectionRange(at, at);
  });

  const fill = (reply: SavedReply) =>
    fillPlaceholders(reply.text, { caseNumber: record.caseNumber, contact: record.contact, worker: session.user.name });

  const insert = (reply: SavedReply) => {
    if (!search) return;
    const next = insertAtSearch(text, search, caret, fill(reply));
    setText(next.text);
    setCaret(next.caret);
    // A `/` inside the inserted text ("9 / 5") is not a new search.
    setDismissed(slashSearch(next.text, next.caret)?.start ?? null);
    pendingCaret.current = next.caret;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    const move = (step: number) => {
      event.preventDefault();
      if (matches.length > 0) setHighlight({ key, index: (index + step + matches.length) % matches.length });
      return true;
    };
    switch (event.key) {
      case 'ArrowDown':
        return move(1);
      case 'ArrowUp':
        return move(-1);
      case 'Enter': {
        const chosen = matches[index];
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || !chosen) return false;
        event.preventDefault();
        insert(chosen);
        return true;
      }
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        setDismissed(search.start);
        return true;
      default:
        return false;
    }
  };

  const onCaret = (event: SyntheticEvent<HTMLTextAreaElement>) => {
    const box = event.currentTarget;
    setCaret(box.selectionStart);
    // The dismissed `/` was deleted: a `/` typed there again opens a new search.
    if (dismissed !== null && box.value.charAt(dismissed) !== '/') setDismissed(null);
  };

  let popup: ReactNode = null;
  if (open) {
    const query = search.query.trim();
    popup = (
      <div className="popover saved-reply-picker">
        <p className="picker-hint">
          {query ? (
            <Trans t={t} i18nKey="picker.hintMatching" values={{ query }} components={{ strong: <strong />, kbd: <kbd /> }} />
          ) : (
            <Trans t={t} i18nKey="picker.hint" components={{ strong: <strong />, kbd: <kbd /> }} />
          )}
        </p>
        {replies === null ? (
          <p className="picker-empty" role="status">
            {loaded.error ?? t('picker.loading')}
          </p>
        ) : matches.length === 0 ? (
          <p className="picker-empty" role="status">
            {replies.length === 0 ? (
              <Trans t={t} i18nKey="picker.noneYet" components={{ anchor: <a href={paths.savedReplies()} /> }} />
            ) : (
              t('picker.noMatch', { query })
            )}
          </p>
        ) : (
          <>
            <p className="visually-hidden" role="status">
              {t('picker.count', { count: matches.length })}
            </p>
            <ul className="picker-options" role="listbox" id={listId} aria-label={t('picker.list')}>
              {matches.map((reply, i) => (
                <li
                  key={reply.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === index}
                  className={i === index ? 'is-active' : undefined}
                  // Keeps focus (and the caret) in the reply box.
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => insert(reply)}
                >
                  <span className="picker-title" dir="auto">
                    {reply.title}
                    {reply.language && <span className="muted"> · {reply.language}</span>}
                  </span>
                  <span className="picker-text" dir="auto">
                    {shorten(fill(reply), 140)}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }

  const listed = open && matches.length > 0;
  return {
    onCaret,
    onKeyDown,
    inputProps: {
      'aria-autocomplete': 'list',
      ...(listed ? { 'aria-controls': listId, 'aria-activedescendant': optionId(index) } : {}),
    },
    popup,
  };
}
