import i18next from 'i18next';
import type { ApiToken, Page, User } from './types.js';

/**
 * The one way the console talks to the server: JSON under /api/v1, the session cookie, and
 * the CSRF token on every request that changes something.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401 after login, so the app can show the login screen. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  }
  return readAnswer(path, response.status, await response.text()) as T;
}

/** The answer's JSON, or the ApiError its error body describes. */
function readAnswer(path: string, status: number, text: string): unknown {
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (status < 200 || status > 299) {
    const error = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
    const message = typeof error?.message === 'string' && error.message ? error.message : `The server answered ${status}.`;
    if (status === 401 && path !== '/session') onUnauthenticated?.();
    throw new ApiError(status, code, message, error?.details);
  }
  return data;
}

/**
 * GETs a file the server sends as an attachment, with the session cookie, as a Blob and the
 * name the server gives it; an error answer becomes the ApiError its JSON body describes.
 */
export async function download(path: string): Promise<{ blob: Blob; fileName: string | null }> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  }
  if (!response.ok) readAnswer(path, response.status, await response.text());
  return { blob: await response.blob(), fileName: attachmentName(response.headers.get('Content-Disposition')) };
}

/** The file name of a `Content-Disposition` header, preferring its UTF-8 `filename*` form. */
export function attachmentName(header: string | null): string | null {
  if (!header) return null;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (encoded?.[1]) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
  return plain?.[1] ?? plain?.[2] ?? null;
}

export interface UploadOptions {
  /** Hears the share of the body sent so far, 0 to 1. */
  onProgress?: (sent: number) => void;
  signal?: AbortSignal;
}

/**
 * POSTs a multipart form, like `api` otherwise. XMLHttpRequest rather than fetch: only it
 * reports how much of the body has gone, for a progress bar on a large file.
 */
export function upload<T>(path: string, form: FormData, { onProgress, signal }: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
      return;
    }
    const request = new XMLHttpRequest();
    request.open('POST', `/api/v1${path}`);
    request.withCredentials = true;
    request.setRequestHeader('Accept', 'application/json');
    if (csrfToken) request.setRequestHeader('X-CSRF-Token', csrfToken);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      try {
        resolve(readAnswer(path, request.status, request.responseText) as T);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    request.onerror = () =>
      reject(new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.'));
    request.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}

/** Codes of errors the console makes itself, beside the server's (src/domain/errors.ts). */
export const CLIENT_ERROR_CODES = ['network_error', 'aborted'] as const;

/**
 * What to tell the user about a failure: the text for its code in the console's language
 * (src/web/src/i18n/locales/<language>/errors.json), which may carry the server's own
 * detail; the server's message for a code the console does not know.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const key = `errors:${error.code}`;
    return i18next.exists(key) ? i18next.t(key as 'errors:internal', { serverMessage: error.message }) : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Builds `?a=1&b=2`, leaving out empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** My own account: password and API tokens (DESIGN.md §13, "my password", "API tokens"). */
export const accountApi = {
  /** Ends my other sessions and API tokens; this session goes on. */
  changePassword: (currentPassword: string, password: string) => api<User>('PATCH', '/users/me', { currentPassword, password }),
  listTokens: () => api<Page<ApiToken>>('GET', '/tokens'),
  /** The secret is in this answer only. */
  createToken: (name: string, expiresInDays: number | null) =>
    api<{ id: string; token: string }>('POST', '/tokens', expiresInDays === null ? { name } : { name, expiresInDays }),
  revokeToken: (id: string) => api<null>('DELETE', `/tokens/${encodeURIComponent(id)}`),
};
