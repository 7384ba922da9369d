/**
 * Media (DESIGN.md §6): the states an item passes through and what the console may show
 * inline. An inbound item is `pending` until its fetch job stores it or gives up.
 */
export const MEDIA_STATUSES = ['pending', 'stored', 'failed', 'deleted'] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

export type MediaDirection = 'in' | 'out';

/** The job (src/jobs/job-worker.ts) that fetches one inbound item from its provider; its subject is the media id. */
export const MEDIA_FETCH_JOB = 'media.fetch';

/**
 * The job that books a `media.fetch` for each inbound item of one stored batch; its payload
 * lists their ids (src/services/media/fetch-booking.ts).
 */
export const MEDIA_FETCH_BOOKING_JOB = 'media.book-fetches';

/** The default largest item Caseline fetches or accepts (`CASELINE_MEDIA_MAX_BYTES`). */
export const DEFAULT_MEDIA_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Images, audio and video are shown in the page; anything else is served as a download
 * (`Content-Disposition: attachment`), so a document can never run as a page of ours.
 */
export function isInlineMediaType(contentType: string | null): boolean {
  return contentType !== null && /^(image|audio|video)\//.test(contentType) && contentType !== 'image/svg+xml';
}
