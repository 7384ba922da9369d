import { api, query } from './client.js';
import type { AccessLogPage } from './types.js';

export interface AccessLogFilters {
  userId?: string;
  caseNumber?: number;
  limit?: number;
  cursor?: string | null;
}

/** The access log (DESIGN.md §9): who read which case, media item or export; admins only. */
export const auditApi = {
  /** Newest first, a page at a time. */
  access: (filters: AccessLogFilters) => api<AccessLogPage>('GET', `/audit/access${query({ ...filters })}`),
};
