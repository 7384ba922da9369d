import { api, query } from './client.js';
import type { CaseRecord, CaseSummary, Colleague, Page, QueueCounts, User } from './types.js';

const survey = (surveyId: string) => `/surveys/${encodeURIComponent(surveyId)}`;

/** Team case work (DESIGN.md §7, §13): assignment, the queue, availability. */
export const teamApi = {
  /** Who a case can be handed to: active analysts and admins, for any signed-in user. */
  colleagues: () => api<Page<Colleague>>('GET', '/colleagues'),
  /** Gives the case (its lock) to a colleague; null releases it. */
  assign: (caseNumber: number, userId: string | null) => api<CaseRecord>('POST', `/records/${caseNumber}/assign`, { userId }),
  queue: (surveyId: string) => api<QueueCounts>('GET', `${survey(surveyId)}/queue`),
  me: () => api<User>('GET', '/users/me'),
  setAvailable: (available: boolean) => api<User>('PATCH', '/users/me', { available }),
  /** My open cases of a survey, for the title count and new-message alerts. */
  myOpenCases: (surveyId: string) =>
    api<Page<CaseSummary>>('GET', `${survey(surveyId)}/records${query({ status: 'open', assignee: 'me', limit: 200 })}`),
  /** Every case of one person in the survey, newest activity first. */
  casesOf: (surveyId: string, contact: string) =>
    api<Page<CaseSummary>>('GET', `${survey(surveyId)}/records${query({ status: 'all', contact, limit: 20 })}`),
};
