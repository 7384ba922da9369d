import { useTranslation } from 'react-i18next';
import { useRoute, paths } from '../router.js';
import { canWorkCases, useApp } from '../session.js';
import { useStreamState } from '../server-events.js';
import { RoleBadge, ROLE_KEYS } from './components.js';
import { useShortcutHelp } from '../team/keyboard.js';
import { AlertBell } from '../team/alert-bell.js';
import { TeamMenu } from '../team/team-menu.js';

export function AppHeader() {
  const { t } = useTranslation();
  const { session, surveys, logout } = useApp();
  const route = useRoute();
  const stream = useStreamState();
  const isAdmin = session.user.role === 'admin';
  const current = (names: string[]) => (names.includes(route.name) ? 'page' : undefined);
  const firstSurvey = surveys[0];
  const showShortcuts = useShortcutHelp();

  return (
    <header className="app-header">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('header.skipToContent')}
      </a>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Caseline</span>
        <span className="org-name" title={t('header.organisation')}>
          {session.organisation.name}
        </span>
      </div>
      <nav className="app-nav" aria-label={t('header.mainNavigation')}>
        <a href={firstSurvey ? paths.cases(firstSurvey.id) : '#/'} aria-current={current(['cases', 'case', 'home'])}>
          {t('nav.cases')}
        </a>
        <a href={paths.reports()} aria-current={current(['reports'])}>
          {t('nav.reports')}
        </a>
        <a href={paths.simulator()} aria-current={current(['simulator'])}>
          {t('nav.simulator')}
        </a>
        {isAdmin && (
          <>
            <a href={paths.users()} aria-current={current(['users'])}>
              {t('nav.users')}
            </a>
            <a href={paths.surveys()} aria-current={current(['surveys', 'survey-edit', 'survey-time-rules'])}>
              {t('nav.surveys')}
            </a>
            <a href={paths.numbers()} aria-current={current(['numbers', 'number-edit'])}>
              {t('nav.numbers')}
            </a>
            <a href={paths.labels()} aria-current={current(['labels'])}>
              {t('nav.labels')}
            </a>
            <a href={paths.accessLog()} aria-current={current(['access-log'])}>
              {t('nav.accessLog')}
            </a>
            <a href={paths.privacy()} aria-current={current(['privacy'])}>
              {t('nav.privacy')}
            </a>
            <a href={paths.outboundWebhooks()} aria-current={current(['outbound-webhooks'])}>
              {t('nav.webhooks')}
            </a>
            <a href={paths.organisation()} aria-current={current(['organisation'])}>
              {t('nav.organisation')}
            </a>
          </>
        )}
        {canWorkCases(session) && (
          <a href={paths.savedReplies()} aria-current={current(['saved-replies'])}>
            {t('nav.savedReplies')}
          </a>
        )}
      </nav>
      <div className="header-user">
        <span className={`stream stream-${stream}`} role="status" title={t('header.liveUpdates')}>
          <span className="stream-dot" aria-hidden="true" />
          {stream === 'live' ? t('header.live') : stream === 'connecting' ? t('header.connecting') : t('header.reconnecting')}
        </span>
        <AlertBell />
        <TeamMenu />
        <button
          type="button"
          className="button-quiet"
          onClick={showShortcuts}
          aria-label={t('header.shortcuts')}
          title={t('header.shortcutsTitle')}
        >
          ?
        </button>
        <a
          className="current-user"
          href={paths.account()}
          aria-current={current(['account'])}
          aria-label={t('header.myAccount', { name: session.user.name, role: t(ROLE_KEYS[session.user.role]) })}
          title={t('header.myAccountTitle')}
        >
          <span className="current-user-name">{session.user.name}</span> <RoleBadge role={session.user.role} />
        </a>
        <button type="button" className="button-quiet" onClick={() => void logout()}>
          {t('header.logOut')}
        </button>
      </div>
    </header>
  );
}
