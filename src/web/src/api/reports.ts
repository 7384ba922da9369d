import { api, query } from './client.js';
import type { SummaryQuery, SummaryReport } from './types.js';

/** The summary report (DESIGN.md §10 "Report"); every role may read it. */
export const reportsApi = {
  summary: (filters: SummaryQuery) => api<SummaryReport>('GET', `/reports/summary${query({ ...filters })}`),
};
