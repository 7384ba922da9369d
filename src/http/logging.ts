import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

/**
 * What the server's logs may hold (DESIGN.md §9, docs/security.md): no message text, no
 * phone number, no query string, no webhook path token. Requests are logged by their route
 * pattern (`/webhooks/:provider/:token`), never their URL, and only at `debug`: at `info`
 * the log holds what an operator acts on, not one line per request.
 */
export function loggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
): Exclude<FastifyServerOptions['logger'], boolean | undefined | FastifyBaseLogger> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: ['req.headers', 'headers', 'body'],
    serializers: {
      req: (request: { method?: string; routeOptions?: { url?: string } }) => ({
        method: request.method,
        route: request.routeOptions?.url ?? 'unmatched',
      }),
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      // Database errors carry the offending values in `detail` and `where`; keep only what
      // identifies the failure.
      err: (error: Error & { code?: unknown }) => ({
        type: error.name,
        message: error.message,
        ...(error.code !== undefined ? { code: error.code } : {}),
        stack: error.stack ?? '',
      }),
    },
  };
}
