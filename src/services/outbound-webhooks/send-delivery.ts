import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Destination } from './destination.js';

/** How long a receiver has to answer, connection included. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of the receiver's answer the log keeps. */
const EXCERPT_CHARS = 200;

export interface AttemptResult {
  statusCode: number | null;
  /** Why there was no answer (`timeout`, `connection refused`, …), or null when there was one. */
  error: string | null;
  responseExcerpt: string | null;
  durationMs: number;
}

/**
 * POSTs `body` to `url`, connecting to `destination` only (the address checked before), with
 * the URL's host name for the Host header and TLS. Redirects are not followed: a redirect
 * could lead to an address never checked. Never throws.
 */
export function postDelivery(
  url: URL,
  destination: Destination,
  headers: Record<string, string>,
  body: string,
  timeoutMs = DELIVERY_TIMEOUT_MS,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...result, durationMs: elapsed() });
    };
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          if (length < EXCERPT_CHARS * 4) chunks.push(chunk);
          length += chunk.length;
        });
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
          finish({ statusCode: response.statusCode ?? null, error: null, responseExcerpt: text || null });
        });
        response.on('error', () => finish({ statusCode: response.statusCode ?? null, error: null, responseExcerpt: null }));
      },
    );
    const deadline = setTimeout(() => {
      finish({ statusCode: null, error: `timeout: no answer within ${timeoutMs} ms`, responseExcerpt: null });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ statusCode: null, error: describeFailure(error), responseExcerpt: null }),
    );
    request.end(body);
  });
}

function describeFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return error.code ? `network error (${error.code})` : 'network error';
  }
}
