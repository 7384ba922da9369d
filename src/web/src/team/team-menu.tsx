import { useEffect, useRef, useState, type RefObject } from 'react';
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
      <summary aria-label={`My availability and notifications: ${available ? 'available' : 'not available'} for new cases`}>
        <span className={`availability-dot${available ? ' is-available' : ''}`} aria-hidden="true" />
        {available ? 'Available' : 'Not available'}
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
          Available for new cases
        </label>
        <p className="hint">Auto-assignment gives new cases only to people who are available.</p>
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
      <legend>New messages in my cases</legend>
      {permission === 'unsupported' ? (
        <p className="hint">This browser cannot show desktop notifications.</p>
      ) : permission === 'denied' ? (
        <p className="hint">Desktop notifications are blocked for Caseline in this browser&apos;s site settings.</p>
      ) : on ? (
        <p className="team-menu-row">
          <span role="status">Desktop notifications are on.</span>
          <button type="button" className="button-link" onClick={() => store.set((s) => ({ ...s, desktop: false }))}>
            Turn off
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => void turnOn()}>
          Turn on notifications
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
        Play a sound
      </label>
      <p className="hint">
        They name the case only, never the message or the person&apos;s number. The tab&apos;s title counts cases with new messages.
      </p>
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
