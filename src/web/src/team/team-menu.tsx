import { useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import { teamApi } from '../api/team.js';
import { canWorkCases, useApp } from '../session.js';
import { useLoad } from '../ui/use-load.js';
import { askDesktopPermission, desktopPermission, unlockChime, type DesktopPermission } from './new-message-alert.js';
import { useStored } from './stored.js';
import { alertSettingsStore } from './team-stores.js';

/**
 * The header's menu of a case worker's own settings: whether they take new cases (availability
 * for auto-assignment, DESIGN.md §13) and how they hear of new messages in their cases. The
 * summary shows their availability, so it is seen without opening the menu.
 */
export function TeamMenu() {
  const { t } = useTranslation('cases');
  const { session } = useApp();
  const me = useLoad(() => teamApi.me(), [session.user.id]);
  // What the switch shows while a change is saved, so it answers the click at once.
  const [pending, setPending] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const menu = useRef<HTMLDetailsElement>(null);
  useMenuDismissal(menu);
  if (!canWorkCases(session)) return null;
  const available = pending ?? me.data?.available ?? false;

  const setAvailable = async (next: boolean) => {
    setPending(next);
    setError(null);
    try {
      const user = await teamApi.setAvailable(next);
      me.update(() => user);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(null);
    }
  };

  return (
    <details ref={menu} className="team-menu">
      <summary aria-label={available ? t('teamMenu.summaryAvailable') : t('teamMenu.summaryNotAvailable')}>
        <span className={`availability-dot${available ? ' is-available' : ''}`} aria-hidden="true" />
        {available ? t('teamMenu.available') : t('teamMenu.notAvailable')}
      </summary>
      <div className="team-menu-panel">
        <label className="check">
          <input
            type="checkbox"
            role="switch"
            checked={available}
            disabled={pending !== null || me.data === undefined}
            onChange={(e) => void setAvailable(e.target.checked)}
          />
          {t('teamMenu.availableForNew')}
        </label>
        <p className="hint">{t('teamMenu.autoHint')}</p>
        {(error ?? me.error) && (
          <p className="team-menu-error" role="alert">
            {error ?? me.error}
          </p>
        )}
        <AlertControls />
      </div>
    </details>
  );
}

function AlertControls() {
  const { t } = useTranslation('cases');
  const { session } = useApp();
  const store = alertSettingsStore(session.user.id);
  const settings = useStored(store);
  const [permission, setPermission] = useState<DesktopPermission>(desktopPermission);
  const on = settings.desktop && permission === 'granted';

  const turnOn = async () => {
    const answer = permission === 'granted' ? permission : await askDesktopPermission();
    setPermission(answer);
    if (answer === 'granted') store.set((s) => ({ ...s, desktop: true }));
  };

  return (
    <fieldset className="team-menu-alerts">
      <legend>{t('teamMenu.alertsLegend')}</legend>
      {permission === 'unsupported' ? (
        <p className="hint">{t('teamMenu.unsupported')}</p>
      ) : permission === 'denied' ? (
        <p className="hint">{t('teamMenu.blocked')}</p>
      ) : on ? (
        <p className="team-menu-row">
          <span role="status">{t('teamMenu.on')}</span>
          <button type="button" className="button-link" onClick={() => store.set((s) => ({ ...s, desktop: false }))}>
            {t('teamMenu.turnOff')}
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => void turnOn()}>
          {t('teamMenu.turnOn')}
        </button>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={settings.sound}
          onChange={(e) => {
            const sound = e.target.checked;
            if (sound) unlockChime();
            store.set((s) => ({ ...s, sound }));
          }}
        />
        {t('teamMenu.sound')}
      </label>
      <p className="hint">{t('teamMenu.privacyHint')}</p>
    </fieldset>
  );
}

/** A menu on a <details> closes when the worker clicks elsewhere or presses Escape (focus returns to its summary). */
export function useMenuDismissal(ref: RefObject<HTMLDetailsElement | null>) {
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const menu = ref.current;
      // The path as dispatched: a click that re-rendered its own button is still inside.
      if (menu?.open && !event.composedPath().includes(menu)) menu.open = false;
    };
    const onKeyDown = (event: KeyboardEvent) => {
      const menu = ref.current;
      // A dialog over the page has its own Escape.
      if (event.key !== 'Escape' || !menu?.open || document.querySelector('dialog[open]')) return;
      menu.open = false;
      menu.querySelector('summary')?.focus();
    };
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [ref]);
}
