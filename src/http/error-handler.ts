import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type ErrorCode, type FaultCode } from '../domain/errors.js';

/** The one place where error codes become HTTP statuses (STYLE.md habit 5). */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  invalid_phone_number: 400,
  lock_required: 400,
  opted_out: 400,
  window_closed: 400,
  no_case_management: 400,
  not_retryable: 400,
  webhook_address_not_allowed: 400,
  webhook_event_unknown: 400,
  invalid_xlsform: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  two_factor_required: 401,
  // 400, not 401: a signed-in user typing a wrong code is still signed in.
  invalid_two_factor_code: 400,
  two_factor_enrolment_required: 403,
  forbidden: 403,
  csrf_failed: 403,
  wrong_current_password: 403,
  invalid_signature: 403,
  not_found: 404,
  media_not_stored: 404,
  lock_held: 409,
  stale_record: 409,
  case_closed: 409,
  case_redacted: 409,
  conflict: 409,
  number_archived: 409,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  // The request is well formed, but the number's provider cannot carry these attachments.
  media_not_supported: 422,
  media_too_large: 422,
  media_type_not_supported: 422,
  too_many_media: 422,
  rate_limited: 429,
  too_many_streams: 429,
  provider_failed: 502,
};

/** Whether `code` is one of the product's error codes: a closed set, so it can label metrics. */
export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(STATUS_BY_CODE, code);

export function errorBody(code: ErrorCode | FaultCode, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/**
 * `serveShell` answers GETs outside the API and webhooks with the console's app shell, so
 * the console's own routes survive a reload.
 */
export function registerErrorHandler(app: FastifyInstance, options: { serveShell?: boolean } = {}): void {
  app.setErrorHandler((error: FastifyError | DomainError | Error, request, reply) => {
    if (error instanceof DomainError) {
      return reply.status(STATUS_BY_CODE[error.code]).send(errorBody(error.code, error.message, error.details));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return reply.status(400).send(errorBody('validation_failed', fastifyError.message));
    }
    const status = fastifyError.statusCode ?? 500;
    if (status === 413) return reply.status(413).send(errorBody('payload_too_large', 'The request body is too large'));
    if (status === 429) return reply.status(429).send(errorBody('rate_limited', fastifyError.message));
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody('bad_request', fastifyError.message));
    }
    // Unexpected: log everything, tell the client nothing about the internals.
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'Something went wrong on our side; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isAppRoute = !path.startsWith('/api/') && !path.startsWith('/webhooks/') && !path.startsWith('/assets/');
    if (options.serveShell && request.method === 'GET' && isAppRoute) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send(errorBody('not_found', `No route ${request.method} ${path}`));
  });
}
