import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Browser headers (docs/security.md): the console loads only its own scripts, styles and
 * data, and no other site may frame it (clickjacking).
 */
const BROWSER_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  // Same-origin by default already; the console needs no cross-origin isolation.
  crossOriginEmbedderPolicy: false,
  // The API is never framed or embedded; the console is served with the same headers.
  frameguard: { action: 'deny' },
  // HSTS belongs to the TLS proxy that terminates HTTPS, which knows the real host.
  hsts: false,
};

/**
 * Headers of the answers (docs/security.md). The console and the API carry the browser
 * headers; webhook answers go to providers' servers, never to a browser, so they carry only
 * `Cache-Control: no-store`, as API answers do: they hold personal data, so no proxy keeps
 * a copy. The browser headers never change, so they are worked out once here rather than
 * by Helmet on every request. A media item sets its own policy and caching over these
 * (src/http/routes/media.ts).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const browser = Object.entries(helmetHeaders(BROWSER_HEADERS));
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url;
    // Set on the raw answer, as Helmet does, so answers a route writes itself (the event
    // stream) carry them too; headers a route sets explicitly take precedence.
    const res = reply.raw;
    if (!path.startsWith('/webhooks/')) {
      for (const [name, value] of browser) res.setHeader(name, value);
    }
    if (path.startsWith('/api/') || path.startsWith('/webhooks/') || path === '/metrics' || path === '/healthz') {
      res.setHeader('cache-control', 'no-store');
    }
    done();
  });
}

/** The headers Helmet sets with these options, read once from a stand-in answer. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a header map keyed by name
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  // Helmet throws on options it refuses, and sets the headers before calling on.
  helmet(options)({} as never, response, () => {});
  return headers;
}
