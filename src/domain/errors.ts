/**
 * Errors the product can explain to a user. Each has a stable `code`; the HTTP layer maps
 * codes to statuses in one place (src/http/error-handler.ts), so nothing here knows HTTP.
 */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'invalid_phone_number',
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  'csrf_failed',
  'invalid_signature',
  'not_found',
  'lock_held',
  'lock_required',
  'stale_record',
  'case_closed',
  'conflict',
  'opted_out',
  'window_closed',
  'no_case_management',
  'not_retryable',
  'payload_too_large',
  'rate_limited',
  'too_many_streams',
  'wrong_current_password',
  'number_archived',
  /** A provider's API refused or failed a request that is not a send (a template sync). */
  'provider_failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes of the server's own faults (never a `DomainError`): an unexpected error, a database that does not answer. */
export const FAULT_CODES = ['internal', 'unavailable'] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);

export const validationFailed = (message: string, details?: Record<string, unknown>) =>
  new DomainError('validation_failed', message, details);

export const forbidden = (message = 'Your role does not allow this action') => new DomainError('forbidden', message);
