import { api, query } from './client.js';
import type { AlertList } from './types.js';

/** My alerts (DESIGN.md §8, §13 "alerts (mine)"): cases that waited past a survey's threshold. */
export const alertsApi = {
  /** The newest first, with how many of all mine are unread. */
  list: (limit = 20) => api<AlertList>('GET', `/alerts${query({ limit })}`),
  markRead: (id: string) => api<unknown>('POST', `/alerts/${encodeURIComponent(id)}/read`),
  markAllRead: () => api<unknown>('POST', '/alerts/read'),
};
