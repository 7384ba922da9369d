import { api } from './client.js';
import type { CaseRecord, Label, Page, SavedReply } from './types.js';

const one = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

/** Labels (DESIGN.md §7): admins keep the list; analysts and admins put them on cases. */
export const labelsApi = {
  list: () => api<Page<Label>>('GET', '/labels'),
  create: (label: { name: string; color: string }) => api<Label>('POST', '/labels', label),
  update: (id: string, patch: { name?: string; color?: string }) => api<Label>('PATCH', one('/labels', id), patch),
  /** Also takes the label off every case that carries it. */
  remove: (id: string) => api<null>('DELETE', one('/labels', id)),
  /** Replaces a case's labels; answers the case. */
  setOnCase: (caseNumber: number, labelIds: string[]) => api<CaseRecord>('PUT', `/records/${caseNumber}/labels`, { labelIds }),
};

export interface SavedReplyInput {
  title: string;
  text: string;
  language: string | null;
}

/** Saved replies (DESIGN.md §7), for analysts and admins. */
export const savedRepliesApi = {
  list: () => api<Page<SavedReply>>('GET', '/saved-replies'),
  create: (reply: SavedReplyInput) => api<SavedReply>('POST', '/saved-replies', reply),
  update: (id: string, patch: Partial<SavedReplyInput>) => api<SavedReply>('PATCH', one('/saved-replies', id), patch),
  remove: (id: string) => api<null>('DELETE', one('/saved-replies', id)),
};
