import { createContext, useContext, useEffect, useEffectEvent, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate, paths, useRoute } from '../router.js';
import { Dialog } from '../ui/components.js';
import { shortcutOf, SHORTCUTS, type ShortcutKey } from './shortcuts.js';
import { caseBeside } from './team-stores.js';

/**
 * Calls the handler of a shortcut key pressed anywhere on the page — unless the worker is
 * typing in a field, holds a modifier, or a dialog is open (its own keys come first then).
 */
export function useShortcuts(handlers: Partial<Record<ShortcutKey, () => void>>): void {
  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    const key = shortcutOf(event);
    if (key === null || document.querySelector('dialog[open]')) return;
    const handler = handlers[key];
    if (!handler) return;
    event.preventDefault();
    handler();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKeyDown(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}

const HelpContext = createContext<() => void>(() => undefined);

/** Opens the sheet of keyboard shortcuts (for a button that shows it). */
export function useShortcutHelp(): () => void {
  return useContext(HelpContext);
}

/**
 * The console-wide shortcuts: `j`/`k` walk the case list the worker came from (from the list
 * itself, `j` opens its first case) and `?` shows the sheet. The case screen adds `r` and `l`.
 */
export function ConsoleShortcuts({ children }: { children: ReactNode }) {
  const { t } = useTranslation(['cases', 'common']);
  const route = useRoute();
  const [helpOpen, setHelpOpen] = useState(false);
  const current = route.name === 'case' ? route.caseNumber : route.name === 'cases' ? null : undefined;
  const walk = (step: 1 | -1) => {
    if (current === undefined) return;
    const target = caseBeside(current, step);
    if (target !== null) navigate(paths.case(target));
  };
  useShortcuts({ j: () => walk(1), k: () => walk(-1), '?': () => setHelpOpen(true) });
  const open = useMemo(() => () => setHelpOpen(true), []);

  return (
    <HelpContext.Provider value={open}>
      {children}
      <Dialog title={t('shortcuts.title')} open={helpOpen} onClose={() => setHelpOpen(false)}>
        <dl className="shortcut-list">
          {SHORTCUTS.map((s) => (
            <div key={s.key} className="shortcut">
              <dt>
                <kbd>{s.key}</kbd>
              </dt>
              <dd>{t(s.label)}</dd>
            </div>
          ))}
        </dl>
        <p className="hint">{t('shortcuts.hint')}</p>
        <div className="dialog-actions">
          <button type="button" className="button-primary" onClick={() => setHelpOpen(false)}>
            {t('common:actions.close')}
          </button>
        </div>
      </Dialog>
    </HelpContext.Provider>
  );
}

/** The shortcuts of one screen's part, for where a hook cannot go (after a screen's early returns). */
export function ShortcutKeys({ handlers }: { handlers: Partial<Record<ShortcutKey, () => void>> }) {
  useShortcuts(handlers);
  return null;
}
