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
  /** Retention or an erasure emptied the case (DESIGN.md §9): it is kept for reports and changes no more. */
  'case_redacted',
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
  /** The number's provider and channel carry no attachments (Africa's Talking SMS). */
  'media_not_supported',
  /** An attachment is larger than the provider sends (DESIGN.md §6). */
  'media_too_large',
  /** An attachment's type (from its bytes) is one the provider does not send. */
  'media_type_not_supported',
  /** More attachments than the provider carries in one message. */
  'too_many_media',
  /** A media item that is not (or no longer) stored: still being fetched, failed, or deleted. */
  'media_not_stored',
  /** A `Range` header names no byte of the item. */
  'range_not_satisfiable',
  /** The password was right, but the account signs in with a second factor too: send `code`. */
  'two_factor_required',
  /** A two-factor or recovery code that is wrong, already used, or outside its time window. */
  'invalid_two_factor_code',
  /** The organisation's policy asks this user for two-factor sign-in, and they have not enrolled. */
  'two_factor_enrolment_required',
  /** An outbound webhook URL that is, or resolves to, a private, loopback or link-local address. */
  'webhook_address_not_allowed',
  /** An outbound webhook subscription names an event there is no such webhook for. */
  'webhook_event_unknown',
  /** An upload that is not an XLSForm workbook (.xlsx with a `survey` sheet) or holds no question Caseline can use. */
  'invalid_xlsform',
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
