import { api, download, query } from './client.js';
import type { ErasureCounts, PrivacyAuditPage, RetentionCounts, RetentionSettings, RetentionStatus, Survey } from './types.js';

const surveyPath = (surveyId: string) => `/surveys/${encodeURIComponent(surveyId)}`;

/** One person, in every survey or in one (DESIGN.md §9). */
export interface PersonQuery {
  contact: string;
  surveyId?: string;
}

/** Retention, erasure, access exports and their audit trail (DESIGN.md §9); admins only. */
export const privacyApi = {
  retention: (surveyId: string) => api<RetentionStatus>('GET', `${surveyPath(surveyId)}/retention`),
  /** Null turns retention off. */
  setRetention: (surveyId: string, retention: RetentionSettings | null) => api<Survey>('PATCH', surveyPath(surveyId), { retention }),
  /** A dry run only counts what a run would redact. */
  runRetention: (surveyId: string, dryRun: boolean) => api<RetentionCounts>('POST', `${surveyPath(surveyId)}/retention/run`, { dryRun }),
  erase: (person: PersonQuery) => api<ErasureCounts>('POST', '/contacts/erase', person),
  /** The ZIP of everything held about the person. */
  exportPerson: (person: PersonQuery) => download(`/contacts/export${query({ contact: person.contact, surveyId: person.surveyId })}`),
  audit: (filters: { action?: string; cursor?: string | null; limit?: number }) =>
    api<PrivacyAuditPage>('GET', `/audit/privacy${query({ ...filters })}`),
};
