import i18next from 'i18next';
import type { Alert, AlertList } from '../api/types.js';
import { currentLocale } from '../i18n/setup.js';
import { formatDuration } from './waiting-time.js';

/** How the bell (./alert-bell.tsx) words and keeps my alerts (DESIGN.md §8). */

/** Level 1 went to the holder (or every analyst); level 2 to the admins. */
export function alertLevelLabel(level: Alert['level']): string {
  return level === 1 ? i18next.t('cases:alerts.levelWaiting') : i18next.t('cases:alerts.levelEscalated');
}

/** `waited 35 min`: how long the case had waited when the alert fired. */
export function alertWaited(alert: Pick<Alert, 'waitedMinutes'>): string {
  return i18next.t('cases:alerts.waited', { duration: formatDuration(Math.max(0, alert.waitedMinutes) * 60_000) });
}

/** The bell's name for screen readers, with the count its badge shows. */
export function bellLabel(unread: number): string {
  return unread === 0 ? i18next.t('cases:alerts.bellNone') : i18next.t('cases:alerts.bell', { count: unread });
}

/** The badge: the count, capped so it stays one small circle. */
export function badgeText(unread: number): string {
  return unread > 99 ? `${formatNumber(99)}+` : formatNumber(unread);
}

const formatNumber = (n: number) => new Intl.NumberFormat(currentLocale()).format(n);

/** The list after I read alert `id` at `at`: that alert read, the count one lower if it was unread. */
export function withAlertRead(list: AlertList, id: string, at: string): AlertList {
  const target = list.items.find((alert) => alert.id === id);
  if (!target || target.readAt !== null) return list;
  return {
    ...list,
    items: list.items.map((alert) => (alert === target ? { ...alert, readAt: at } : alert)),
    unread: Math.max(0, list.unread - 1),
  };
}

/** The list after "mark all read": every alert read, none unread (those beyond this page too). */
export function withAllRead(list: AlertList, at: string): AlertList {
  return { ...list, items: list.items.map((alert) => (alert.readAt === null ? { ...alert, readAt: at } : alert)), unread: 0 };
}
