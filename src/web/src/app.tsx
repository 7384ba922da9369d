import i18next from 'i18next';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { TFunction } from 'i18next';
import { Trans, useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, setCsrfToken, setUnauthenticatedHandler } from './api/client.js';
import type { Page, Session, Survey } from './api/types.js';
import { navigate, paths, useRoute, type Route } from './router.js';
import { AppContext, canWorkCases, useApp, type AppContextValue } from './session.js';
import { changeLanguage } from './i18n/setup.js';
import { preferredLanguage } from './i18n/languages.js';
import { ServerEventsProvider } from './server-events.js';
import { ErrorAlert, Loading } from './ui/components.js';
import { useLoad } from './ui/use-load.js';
import { AppHeader } from './ui/app-header.js';
import { LoginScreen } from './screens/login-screen.js';
import { EnrolmentRequiredScreen } from './screens/enrolment-required-screen.js';
import { OrganisationScreen } from './screens/admin/organisation-screen.js';
import { CaseListScreen } from './screens/case-list-screen.js';
import { CaseWorkspace } from './team/case-workspace.js';
import { ConsoleShortcuts } from './team/keyboard.js';
import { MyCasesProvider, useUnreadMine } from './team/my-cases.js';
import { SimulatorScreen } from './screens/simulator-screen.js';
import { LazyReportsScreen } from './screens/reports/lazy-reports-screen.js';
import { UsersScreen } from './screens/admin/users-screen.js';
import { SurveysScreen } from './screens/admin/surveys-screen.js';
import { SurveyEditScreen } from './screens/admin/survey-edit-screen.js';
import { TimeRulesScreen } from './screens/admin/time-rules-screen.js';
import { NumbersScreen } from './screens/admin/numbers-screen.js';
import { NumberEditScreen } from './screens/admin/number-edit-screen.js';
import { AccountScreen } from './screens/account-screen.js';
import { AccessLogScreen } from './screens/admin/access-log-screen.js';
import { PrivacyScreen } from './screens/admin/privacy-screen.js';
import { WebhooksScreen } from './screens/admin/webhooks-screen.js';
import { LabelsScreen } from './screens/admin/labels-screen.js';
import { SavedRepliesScreen } from './screens/admin/saved-replies-screen.js';

type SessionState = { status: 'loading' } | { status: 'anonymous'; error?: string } | { status: 'ready'; session: Session };

export function App() {
  const { t } = useTranslation();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setCsrfToken(null);
      setState({ status: 'anonymous', error: i18next.t('common:sessionEnded') });
    });
    api<Session>('GET', '/session')
      .then((session) => {
        setCsrfToken(session.csrfToken);
        setState({ status: 'ready', session });
      })
      .catch((error: unknown) => {
        const expected = error instanceof ApiError && error.status === 401;
        setState({ status: 'anonymous', error: expected ? undefined : errorMessage(error) });
      });
    return () => setUnauthenticatedHandler(null);
  }, []);

  const onLoggedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'ready', session });
  }, []);

  // Signed in, the console speaks the user's chosen language, or their browser's.
  const userLanguage = state.status === 'ready' ? (state.session.user.language ?? preferredLanguage(navigator.languages)) : null;
  useEffect(() => {
    if (userLanguage) void changeLanguage(userLanguage);
  }, [userLanguage]);

  if (state.status === 'loading') return <Loading label={t('starting')} />;
  if (state.status === 'anonymous') return <LoginScreen notice={state.error} onLoggedIn={onLoggedIn} />;
  if (state.session.twoFactor.enrolmentRequired) {
    const loggedOut = () => {
      setCsrfToken(null);
      setState({ status: 'anonymous' });
    };
    return (
      <EnrolmentRequiredScreen
        session={state.session}
        onEnrolled={() => void api<Session>('GET', '/session').then(onLoggedIn, loggedOut)}
        onLogout={() => void api('DELETE', '/session').then(loggedOut, loggedOut)}
      />
    );
  }
  return (
    <LoggedIn
      session={state.session}
      onLoggedOut={() => {
        setCsrfToken(null);
        setState({ status: 'anonymous' });
      }}
    />
  );
}

const NO_SURVEYS: Survey[] = [];

function LoggedIn({ session, onLoggedOut }: { session: Session; onLoggedOut: () => void }) {
  const { data, error, reload: reloadSurveys } = useLoad(() => api<Page<Survey>>('GET', '/surveys'), []);
  // Without its surveys the console still opens, on the error.
  const surveys = data?.items ?? (error ? NO_SURVEYS : null);

  const logout = useCallback(async () => {
    try {
      await api('DELETE', '/session');
    } catch {
      // The session may already be gone; the login screen is right either way.
    }
    onLoggedOut();
  }, [onLoggedOut]);

  const context = useMemo<AppContextValue | null>(
    () => (surveys ? { session, surveys, reloadSurveys, logout } : null),
    [session, surveys, reloadSurveys, logout],
  );

  return (
    <ServerEventsProvider>
      {context ? (
        <AppContext.Provider value={context}>
          <MyCasesProvider>
            <ConsoleShortcuts>
              <AppHeader />
              <main id="main" className="main" tabIndex={-1}>
                <ErrorAlert error={error} />
                <RouteView />
              </main>
            </ConsoleShortcuts>
          </MyCasesProvider>
        </AppContext.Provider>
      ) : (
        <Loading />
      )}
    </ServerEventsProvider>
  );
}

function RouteView() {
  const { t } = useTranslation();
  const route = useRoute();
  const { session, surveys } = useApp();
  const isAdmin = session.user.role === 'admin';
  // "(3) Cases · Caseline": three of my cases hold messages I have not seen.
  const unread = useUnreadMine();

  useEffect(() => {
    const title = titleOf(route, surveys, t);
    document.title = unread > 0 ? t('pageTitle.withUnread', { count: unread, title }) : t('pageTitle.plain', { title });
  }, [route, surveys, unread, t]);

  switch (route.name) {
    case 'home':
      return <Home />;
    case 'cases':
      return <CaseListScreen key={route.surveyId} surveyId={route.surveyId} />;
    case 'case':
      // Not keyed by the case: beside it, the list stays as it is while j and k move on.
      return <CaseWorkspace caseNumber={route.caseNumber} />;
    case 'simulator':
      return <SimulatorScreen numberId={route.numberId} contact={route.contact} />;
    case 'reports':
      return <LazyReportsScreen search={route.search} />;
    case 'users':
      return isAdmin ? <UsersScreen /> : <AdminOnly />;
    case 'surveys':
      return isAdmin ? <SurveysScreen /> : <AdminOnly />;
    case 'survey-edit':
      return isAdmin ? <SurveyEditScreen key={route.surveyId ?? 'new'} surveyId={route.surveyId} /> : <AdminOnly />;
    case 'survey-time-rules':
      return isAdmin ? <TimeRulesScreen key={route.surveyId} surveyId={route.surveyId} /> : <AdminOnly />;
    case 'numbers':
      return isAdmin ? <NumbersScreen /> : <AdminOnly />;
    case 'number-edit':
      return isAdmin ? <NumberEditScreen key={route.numberId ?? 'new'} numberId={route.numberId} /> : <AdminOnly />;
    case 'account':
      return <AccountScreen />;
    case 'labels':
      return isAdmin ? <LabelsScreen /> : <AdminOnly />;
    case 'access-log':
      return isAdmin ? <AccessLogScreen /> : <AdminOnly />;
    case 'privacy':
      return isAdmin ? <PrivacyScreen /> : <AdminOnly />;
    case 'outbound-webhooks':
      return isAdmin ? <WebhooksScreen /> : <AdminOnly />;
    case 'organisation':
      return isAdmin ? <OrganisationScreen /> : <AdminOnly />;
    case 'saved-replies':
      return canWorkCases(session) ? <SavedRepliesScreen /> : <RepliersOnly />;
    case 'not-found':
      return (
        <section className="page">
          <h1>{t('notFound.title')}</h1>
          <p>
            <Trans t={t} i18nKey="notFound.body" values={{ path: route.path }} components={{ code: <code />, anchor: <a href="#/" /> }} />
          </p>
        </section>
      );
  }
}

function Home() {
  const { t } = useTranslation();
  const { surveys, session } = useApp();
  const first = surveys[0];
  useEffect(() => {
    if (first) navigate(paths.cases(first.id), { replace: true });
  }, [first]);
  if (first) return <Loading />;
  return (
    <section className="page">
      <h1>{t('home.noSurveys')}</h1>
      {session.user.role === 'admin' ? (
        <p>
          <Trans t={t} i18nKey="home.adminHint" components={{ anchor: <a href={paths.survey(null)} /> }} />
        </p>
      ) : (
        <p>{t('home.otherHint')}</p>
      )}
    </section>
  );
}

function AdminOnly() {
  const { t } = useTranslation();
  return (
    <section className="page">
      <h1>{t('adminOnly.title')}</h1>
      <p>{t('adminOnly.body')}</p>
    </section>
  );
}

function RepliersOnly() {
  const { t } = useTranslation();
  return (
    <section className="page">
      <h1>{t('repliersOnly.title')}</h1>
      <p>{t('repliersOnly.body')}</p>
    </section>
  );
}

function titleOf(route: Route, surveys: Survey[], t: TFunction): string {
  switch (route.name) {
    case 'cases':
      return surveys.find((s) => String(s.id) === route.surveyId)?.name ?? t('nav.cases');
    case 'case':
      return t('pageTitle.case', { caseNumber: route.caseNumber });
    case 'simulator':
      return t('nav.simulator');
    case 'reports':
      return t('nav.reports');
    case 'users':
      return t('nav.users');
    case 'surveys':
    case 'survey-edit':
    case 'survey-time-rules':
      return t('nav.surveys');
    case 'numbers':
    case 'number-edit':
      return t('nav.numbers');
    case 'account':
      return t('nav.account');
    case 'labels':
      return t('nav.labels');
    case 'access-log':
      return t('nav.accessLog');
    case 'privacy':
      return t('nav.privacy');
    case 'outbound-webhooks':
      return t('nav.webhooks');
    case 'organisation':
      return t('nav.organisation');
    case 'saved-replies':
      return t('nav.savedReplies');
    default:
      return t('nav.cases');
  }
}
