import { SendError, type FetchedMedia } from './provider.js';
import { isTransientStatus, retryAfterMs } from './provider-http.js';

/**
 * What every adapter does the same way when it downloads an inbound media item (DESIGN.md
 * §6): a GET with the number's credentials that follows redirects by hand, so credentials
 * never travel to another origin (Twilio answers with a redirect to its storage host), and
 * a provider's answer sorted into a file to read, a failure to retry, or one to give up on.
 * Reasons are shown to case workers and logged: they never carry the URL, whose query may
 * hold a signature.
 */

/** Enough for any provider's chain (Twilio uses one); a loop guard. */
const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A GET of `url` with `headers`, following redirects itself: headers go only to the origin
 * of `url`, never to another one a redirect names. A network failure is a transient
 * `SendError`; so is an abort of `signal` (the caller's deadline).
 */
export async function getWithoutLeakingCredentials(
  provider: string,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  const origin = webAddress(provider, url).origin;
  let next = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const target = webAddress(provider, next);
    const response = await attempt(provider, target, target.origin === origin ? headers : {}, signal);
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || !location) return response;
    // The redirect's own body is not the file.
    await response.body?.cancel().catch(() => {});
    next = new URL(location, target).toString();
  }
  throw new SendError('permanent', `${provider} redirected the download too many times`, { code: 'redirects' });
}

/** The failure a provider's non-2xx answer to a download means, with a reason a case worker can read. */
export function downloadFailure(provider: string, response: Response): SendError {
  const { status } = response;
  const code = String(status);
  if (status === 404 || status === 410) {
    return new SendError('permanent', `${provider} no longer has this file (${status})`, { code });
  }
  if (status === 401) return new SendError('permanent', `${provider} refused the number’s credentials for this file (401)`, { code });
  if (status === 403) return new SendError('permanent', `${provider} refused access to this file (403)`, { code });
  if (isTransientStatus(status)) {
    return new SendError('transient', `${provider} could not send the file just now (HTTP ${status})`, {
      code,
      retryAfterMs: retryAfterMs(response.headers),
    });
  }
  return new SendError('permanent', `${provider} refused the download (HTTP ${status})`, { code });
}

/** A successful answer as the file to read; `known` fills what its headers do not say. */
export function fetchedMedia(response: Response, known: Partial<Omit<FetchedMedia, 'body'>> = {}): FetchedMedia {
  if (!response.body) throw new SendError('transient', 'The download carried no body', { code: 'empty' });
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  return {
    // Node's web streams are async iterable; the DOM typings fetch's types come from do not say so.
    body: response.body as unknown as AsyncIterable<Uint8Array>,
    contentType: response.headers.get('content-type') ?? known.contentType ?? null,
    name: fileNameOf(response.headers.get('content-disposition')) ?? known.name ?? null,
    length: Number.isSafeInteger(length) && length >= 0 ? length : (known.length ?? null),
  };
}

/** Downloads `url` with `headers` (see `getWithoutLeakingCredentials`): the file, or the failure its answer means. */
export async function downloadMedia(
  provider: string,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  known: Partial<Omit<FetchedMedia, 'body'>> = {},
): Promise<FetchedMedia> {
  const response = await getWithoutLeakingCredentials(provider, url, headers, signal);
  if (response.status < 200 || response.status >= 300) {
    await response.body?.cancel().catch(() => {});
    throw downloadFailure(provider, response);
  }
  return fetchedMedia(response, known);
}

async function attempt(provider: string, url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { method: 'GET', headers, redirect: 'manual', signal });
  } catch (error) {
    if (signal.aborted) throw new SendError('transient', `${provider} did not send the file in time`, { code: 'timeout' });
    // The cause's code (ECONNREFUSED, ENOTFOUND…) says what happened without naming the URL.
    const cause = error instanceof Error && error.cause instanceof Error ? (error.cause as NodeJS.ErrnoException).code : undefined;
    throw new SendError('transient', `${provider} could not be reached${cause ? ` (${cause})` : ''}`, { code: 'network' });
  }
}

function webAddress(provider: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SendError('permanent', `${provider} gave a media address that is not a web address`, { code: 'bad_url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SendError('permanent', `${provider} gave a media address that is not a web address`, { code: 'bad_url' });
  }
  return url;
}

/** `attachment; filename="scan.pdf"` or RFC 5987's `filename*=UTF-8''scan%20one.pdf`. */
function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[2]!.trim());
    } catch {
      // fall back to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  return name || null;
}
