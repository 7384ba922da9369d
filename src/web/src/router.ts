import { useEffect, useState } from 'react';

/**
 * Hash routing (`#/cases/12`): the console works from any static host and a reload never
 * depends on the server's fallback.
 */
export type Route =
  | { name: 'home' }
  | { name: 'cases'; surveyId: string }
  | { name: 'case'; caseNumber: number }
  | { name: 'simulator'; numberId: string | null; contact: string | null }
  /** `search` holds the dashboard's filters, so a view can be shared and reloaded. */
  | { name: 'reports'; search: string }
  | { name: 'users' }
  | { name: 'surveys' }
  | { name: 'survey-edit'; surveyId: string | null }
  | { name: 'survey-time-rules'; surveyId: string }
  | { name: 'numbers' }
  | { name: 'number-edit'; numberId: string | null }
  | { name: 'account' }
  | { name: 'labels' }
  | { name: 'access-log' }
  | { name: 'privacy' }
  | { name: 'outbound-webhooks' }
  | { name: 'organisation' }
  | { name: 'saved-replies' }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?', 2);
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b, c, d] = parts;
  if (parts.length === 0) return { name: 'home' };
  if (a === 'surveys' && b && c === 'cases' && parts.length === 3) return { name: 'cases', surveyId: b };
  if (a === 'cases' && b && /^\d+$/.test(b) && parts.length === 2) return { name: 'case', caseNumber: Number(b) };
  if (a === 'simulator' && parts.length === 1) {
    return { name: 'simulator', numberId: params.get('number'), contact: params.get('contact') };
  }
  if (a === 'reports' && parts.length === 1) return { name: 'reports', search };
  if (a === 'account' && parts.length === 1) return { name: 'account' };
  if (a === 'saved-replies' && parts.length === 1) return { name: 'saved-replies' };
  if (a === 'admin') {
    if (b === 'users' && !c) return { name: 'users' };
    if (b === 'labels' && !c) return { name: 'labels' };
    if (b === 'access-log' && !c) return { name: 'access-log' };
    if (b === 'privacy' && !c) return { name: 'privacy' };
    if (b === 'webhooks' && !c) return { name: 'outbound-webhooks' };
    if (b === 'organisation' && !c) return { name: 'organisation' };
    if (b === 'surveys' && !c) return { name: 'surveys' };
    if (b === 'surveys' && c && c !== 'new' && d === 'time-rules' && parts.length === 4) return { name: 'survey-time-rules', surveyId: c };
    if (b === 'surveys' && c && parts.length === 3) return { name: 'survey-edit', surveyId: c === 'new' ? null : c };
    if (b === 'numbers' && !c) return { name: 'numbers' };
    if (b === 'numbers' && c) return { name: 'number-edit', numberId: c === 'new' ? null : c };
  }
  return { name: 'not-found', path };
}

export const paths = {
  cases: (surveyId: string | number) => `#/surveys/${encodeURIComponent(String(surveyId))}/cases`,
  case: (caseNumber: number) => `#/cases/${caseNumber}`,
  simulator: (numberId?: string | number, contact?: string) => {
    const params = new URLSearchParams();
    if (numberId !== undefined) params.set('number', String(numberId));
    if (contact) params.set('contact', contact);
    const search = params.toString();
    return `#/simulator${search ? `?${search}` : ''}`;
  },
  reports: (search = '') => `#/reports${search ? `?${search}` : ''}`,
  account: () => '#/account',
  labels: () => '#/admin/labels',
  accessLog: () => '#/admin/access-log',
  privacy: () => '#/admin/privacy',
  outboundWebhooks: () => '#/admin/webhooks',
  organisation: () => '#/admin/organisation',
  savedReplies: () => '#/saved-replies',
  users: () => '#/admin/users',
  surveys: () => '#/admin/surveys',
  survey: (surveyId: string | number | null) => `#/admin/surveys/${surveyId === null ? 'new' : encodeURIComponent(String(surveyId))}`,
  surveyTimeRules: (surveyId: string | number) => `#/admin/surveys/${encodeURIComponent(String(surveyId))}/time-rules`,
  numbers: () => '#/admin/numbers',
  number: (numberId: string | number | null) => `#/admin/numbers/${numberId === null ? 'new' : encodeURIComponent(String(numberId))}`,
};

export function navigate(hash: string, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    const url = new URL(window.location.href);
    url.hash = hash;
    window.location.replace(url.toString());
  } else {
    window.location.hash = hash;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
