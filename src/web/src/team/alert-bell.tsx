import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { alertsApi } from '../api/alerts.js';
import { errorMessage } from '../api/client.js';
import type { Alert } from '../api/types.js';
import { paths } from '../router.js';
import { useServerEvents } from '../server-events.js';
import { canWorkCases, useApp } from '../session.js';
import { Loading, Time } from '../ui/components.js';
import { BellIcon } from '../ui/icons.js';
import { useLoad } from '../ui/use-load.js';
import { alertLevelLabel, alertWaited, badgeText, bellLabel, withAlertRead, withAllRead } from './alert-list.js';
import { notifyAboutCase } from './new-message-alert.js';
import { useMenuDismissal } from './team-menu.js';
import { alertSettingsStore } from './team-stores.js';

/**
 * The header's bell (DESIGN.md §8): my unread alerts about cases that waited too long, live
 * (`alert.created` reaches only my streams), and a list of them that leads to each case. Viewers
 * hold no cases and get no alerts, so they have no bell.
 */
export function AlertBell() {
  const { session } = useApp();
  return canWorkCases(session) ? <Bell userId={session.user.id} /> : null;
}

function Bell({ userId }: { userId: string }) {
  const { t } = useTranslation('cases');
  const alerts = useLoad(() => alertsApi.list(), [userId], { reloadOn: (event) => event.type === 'alert.created' });
  const menu = useRef<HTMLDetailsElement>(null);
  useMenuDismissal(menu);
  const [error, setError] = useState<string | null>(null);
  // Read out once per new alert; the bell's own name changes silently.
  const [announcement, setAnnouncement] = useState('');
  useServerEvents((event) => {
    if (event.type !== 'alert.created' || event.caseNumber === null) return;
    const text = t('alerts.waitedTooLong', { caseNumber: String(event.caseNumber) });
    setAnnouncement(t('alerts.announcement', { text }));
    notifyAboutCase(event.caseNumber, text, alertSettingsStore(userId).get());
  });
  const list = alerts.data;
  const unread = list?.unread ?? 0;

  const markRead = (alert: Alert) => {
    if (alert.readAt !== null) return;
    alerts.update((current) => withAlertRead(current, alert.id, new Date().toISOString()));
    alertsApi.markRead(alert.id).catch((e: unknown) => {
      setError(errorMessage(e));
      void alerts.reload();
    });
  };
  const markAllRead = async () => {
    setError(null);
    alerts.update((current) => withAllRead(current, new Date().toISOString()));
    try {
      await alertsApi.markAllRead();
    } catch (e) {
      setError(errorMessage(e));
    }
    await alerts.reload();
  };

  return (
    <>
      <details
        ref={menu}
        className="alert-bell"
        onToggle={(event) => {
          if (event.currentTarget.open) void alerts.reload();
        }}
      >
        <summary aria-label={bellLabel(unread)} title={t('alerts.title')}>
          <BellIcon />
          {unread > 0 && (
            <span className="alert-count" aria-hidden="true" data-testid="alert-count">
              {badgeText(unread)}
            </span>
          )}
        </summary>
        <div className="alert-panel">
          <div className="alert-panel-head">
            <h2 className="alert-panel-title">{t('alerts.title')}</h2>
            <button type="button" className="button-link" disabled={unread === 0} onClick={() => void markAllRead()}>
              {t('alerts.markAllRead')}
            </button>
          </div>
          {(error ?? alerts.error) && (
            <p className="team-menu-error" role="alert">
              {error ?? alerts.error}
            </p>
          )}
          {list === undefined ? (
            !alerts.error && <Loading />
          ) : list.items.length === 0 ? (
            <p className="empty">{t('alerts.empty')}</p>
          ) : (
            <ul className="alert-items" aria-label={t('alerts.title')}>
              {list.items.map((alert) => (
                <li key={alert.id} className={alert.readAt === null ? 'alert-item is-unread' : 'alert-item'}>
                  <a
                    href={paths.case(alert.caseNumber)}
                    onClick={() => {
                      markRead(alert);
                      if (menu.current) menu.current.open = false;
                    }}
                  >
                    <span className="alert-item-title">
                      <strong>{t('alerts.caseTitle', { caseNumber: String(alert.caseNumber) })}</strong>{' '}
                      <span className={`badge alert-level alert-level-${alert.level}`}>{alertLevelLabel(alert.level)}</span>
                      {alert.readAt === null && <span className="visually-hidden"> {t('alerts.unread')}</span>}
                    </span>
                    <span className="alert-item-meta">
                      {alertWaited(alert)} · <Time at={alert.at} />
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      </details>
      <span className="visually-hidden" role="status">
        {announcement}
      </span>
    </>
  );
}
