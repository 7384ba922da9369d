import { SendError, type FetchedMedia } from './provider.js';
import { asCode, asObject, asString, callProvider, isSuccess, isTransientStatus, retryAfterMs } from './provider-http.js';
import { downloadFailure, downloadMedia, getWithoutLeakingCredentials } from './media-download.js';

/**
 * Meta's two-step media download (DESIGN.md §6): `GET /{version}/{media-id}` with the access
 * token answers `{url, mime_type, sha256, file_size, id}`, and that short-lived `url` (on
 * Meta's own download host) is fetched with the same token. `phone_number_id` makes Meta
 * refuse a media id another number received.
 */
export interface MediaDownloadRequest {
  apiUrl: string;
  graphVersion: string;
  phoneNumberId: string;
  accessToken: string;
  mediaId: string;
}

export async function downloadWhatsAppMedia(request: MediaDownloadRequest, signal: AbortSignal): Promise<FetchedMedia> {
  const authorization = `Bearer ${request.accessToken}`;
  const query = new URLSearchParams({ phone_number_id: request.phoneNumberId });
  const metadataUrl = `${request.apiUrl}/${request.graphVersion}/${encodeURIComponent(request.mediaId)}?${query.toString()}`;
  const response = await getWithoutLeakingCredentials('WhatsApp', metadataUrl, { authorization, accept: 'application/json' }, signal);
  let answer: Record<string, unknown> | null;
  try {
    answer = asObject(JSON.parse(await response.text()));
  } catch {
    answer = null;
  }
  if (response.status < 200 || response.status >= 300) throw metadataFailure(response, answer);
  const url = asString(answer?.url);
  if (!url) throw new SendError('transient', 'WhatsApp answered without the file’s address', { code: 'no_url' });
  const size = Number(answer?.file_size);
  return downloadMedia('WhatsApp', url, { authorization }, signal, {
    contentType: asString(answer?.mime_type) ?? null,
    length: Number.isSafeInteger(size) && size >= 0 ? size : null,
  });
}

/**
 * Meta answers an expired or unknown media id with HTTP 400 and code 100 ("Unsupported get
 * request. Object with ID … does not exist"), and a bad token with code 190.
 */
function metadataFailure(response: Response, answer: Record<string, unknown> | null): SendError {
  const error = asObject(answer?.error);
  const code = asCode(error?.code);
  if (code === '190') {
    return new SendError('permanent', 'The WhatsApp access token is invalid or has expired (190)', { code });
  }
  if (code === '100' || response.status === 404 || response.status === 410) {
    return new SendError('permanent', `WhatsApp no longer has this file (${code ?? response.status})`, {
      code: code ?? String(response.status),
    });
  }
  if (code && isTransientStatus(response.status)) {
    return new SendError('transient', `WhatsApp could not send the file just now (${code})`, {
      code,
      retryAfterMs: retryAfterMs(response.headers),
    });
  }
  return downloadFailure('WhatsApp', response);
}

/** Meta's codes for "not now": rate limits and its own outages. */
const TRANSIENT_DELETE_CODES = new Set(['1', '2', '4', '80007', '130429', '131000', '133004']);

/**
 * `DELETE /{version}/{media-id}?phone_number_id=` (DESIGN.md §9), answered `{"success": true}`.
 * A media id Meta no longer knows (expired after its 30 days, or deleted before) is answered
 * 404 or 400 with code 100, and counts as deleted. The reason names the status and code only.
 */
export async function deleteWhatsAppMedia(request: MediaDownloadRequest & { timeoutMs: number }): Promise<void> {
  const query = new URLSearchParams({ phone_number_id: request.phoneNumberId });
  const url = `${request.apiUrl}/${request.graphVersion}/${encodeURIComponent(request.mediaId)}?${query.toString()}`;
  const response = await callProvider(
    'WhatsApp',
    url,
    { method: 'DELETE', headers: { authorization: `Bearer ${request.accessToken}`, accept: 'application/json' } },
    request.timeoutMs,
  );
  const answer = asObject(response.json);
  const code = asCode(asObject(answer?.error)?.code);
  if (isSuccess(response.status)) {
    if (answer?.success === true) return;
    throw new SendError('transient', 'WhatsApp did not confirm that the file was deleted', { code: 'unconfirmed' });
  }
  if (response.status === 404 || response.status === 410 || code === '100') return;
  const reason = `WhatsApp did not delete the file (${code ?? `HTTP ${response.status}`})`;
  if ((code !== undefined && TRANSIENT_DELETE_CODES.has(code)) || isTransientStatus(response.status)) {
    throw new SendError('transient', reason, { code: code ?? String(response.status), retryAfterMs: retryAfterMs(response.headers) });
  }
  throw new SendError('permanent', reason, { code: code ?? String(response.status) });
}
