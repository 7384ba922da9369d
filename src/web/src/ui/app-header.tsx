import { useRoute, paths } from '../router.js';
import { canWorkCases, useApp } from '../session.js';
import { useStreamState } from '../server-events.js';
import { RoleBadge } from './components.js';
import { useShortcutHelp } from '../team/keyboard.js';
import { AlertBell } from '../team/alert-bell.js';
import { TeamMenu } from '../team/team-menu.js';

export function AppHeader() {
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
        Skip to content
      </a>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Caseline</span>
        <span className="org-name" title="Organisation">
          {session.organisation.name}
        </span>
      </div>
      <nav className="app-nav" aria-label="Main">
        <a href={firstSurvey ? paths.cases(firstSurvey.id) : '#/'} aria-current={current(['cases', 'case', 'home'])}>
          Cases
        </a>
        <a href={paths.reports()} aria-current={current(['reports'])}>
          Reports
        </a>
        <a href={paths.simulator()} aria-current={current(['simulator'])}>
          Phone simulator
        </a>
        {isAdmin && (
          <>
            <a href={paths.users()} aria-current={current(['users'])}>
              Users
            </a>
            <a href={paths.surveys()} aria-current={current(['surveys', 'survey-edit', 'survey-time-rules'])}>
              Surveys
            </a>
            <a href={paths.numbers()} aria-current={current(['numbers', 'number-edit'])}>
              Numbers
            </a>
            <a href={paths.labels()} aria-current={current(['labels'])}>
              Labels
            </a>
            <a href={paths.accessLog()} aria-current={current(['access-log'])}>
              Access log
            </a>
            <a href={paths.privacy()} aria-current={current(['privacy'])}>
              Privacy
            </a>
            <a href={paths.outboundWebhooks()} aria-current={current(['outbound-webhooks'])}>
              Webhooks
            </a>
            <a href={paths.organisation()} aria-current={current(['organisation'])}>
              Organisation
            </a>
          </>
        )}
        {canWorkCases(session) && (
          <a href={paths.savedReplies()} aria-current={current(['saved-replies'])}>
            Saved replies
          </a>
        )}
      </nav>
      <div className="header-user">
        <span className={`stream stream-${stream}`} role="status" title="Live updates">
          <span className="stream-dot" aria-hidden="true" />
          {stream === 'live' ? 'Live' : stream === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        <AlertBell />
        <TeamMenu />
        <button
          type="button"
          className="button-quiet"
          onClick={showShortcuts}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
        >
          ?
        </button>
        <a
          className="current-user"
          href={paths.account()}
          aria-current={current(['account'])}
          aria-label={`My account: ${session.user.name} (${session.user.role})`}
          title="My account: password and API tokens"
        >
          <span className="current-user-name">{session.user.name}</span> <RoleBadge role={session.user.role} />
        </a>
        <button type="button" className="button-quiet" onClick={() => void logout()}>
          Log out
        </button>
      </div>
    </header>
  );
}
