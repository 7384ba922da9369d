import { api, query } from './client.js';
import type { CaseRecord, CaseSummary, Page, PhoneNumber, RecordCreate } from './types.js';

/** Merge, move into a case, writing first and template sync (DESIGN.md §7). */
export const caseJoinApi = {
  /** A person's open cases in a survey, for choosing where a message or a case goes. */
  /** The open cases of case n's contact, by case: the contact may be shown masked (DESIGN.md §9). */
  openCasesOf: (surveyId: string, caseNumber: number) =>
    api<Page<CaseSummary>>(
      'GET',
      `/surveys/${encodeURIComponent(surveyId)}/records${query({ status: 'open', sameContactAs: caseNumber, limit: 50 })}`,
    ),
  /** Without `toCase`, into a new case (rule 9); with it, into that open case of the same person. */
  moveMessage: (caseNumber: number, messageId: string, comment: string, toCase?: number) =>
    api<CaseRecord>('POST', `/records/${caseNumber}/messages/${encodeURIComponent(messageId)}/move`, {
      comment,
      ...(toCase === undefined ? {} : { toCase }),
    }),
  /** Every message and note of the case joins `into`; the case is closed. Answers `into`. */
  merge: (caseNumber: number, into: number) => api<CaseRecord>('POST', `/records/${caseNumber}/merge`, { into }),
  writeFirst: (surveyId: string, body: RecordCreate) => api<CaseRecord>('POST', `/surveys/${encodeURIComponent(surveyId)}/records`, body),
  syncTemplates: (numberId: string) => api<PhoneNumber>('POST', `/numbers/${encodeURIComponent(numberId)}/templates/sync`),
};
