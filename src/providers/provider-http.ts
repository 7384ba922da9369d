import { DomainError } from '../domain/errors.js';
import { SendError, type TemplateConfig } from './provider.js';

/**
 * What every adapter does the same way on the wire: read a webhook body, call a provider
 * API with a deadline, and sort its failures into transient and permanent (DESIGN.md §3).
 */

export const DEFAULT_TIMEOUT_MS = 15_000;

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
}

/** One call to a provider API; a network failure or a missed deadline is a transient SendError. */
export async function callProvider(provider: string, url: string, init: RequestInit, timeoutMs: number): Promise<ProviderResponse> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJsonOrNull(text) };
  } catch (error) {
    if (signal.aborted) {
      throw new SendError('transient', `${provider} did not answer within ${timeoutMs} ms`, { code: 'timeout' });
    }
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    throw new SendError('transient', `${provider} could not be reached${cause ? `: ${cause}` : ''}`, {
      code: 'network',
    });
  }
}

/** `Retry-After` is either delay seconds or an HTTP date. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 429 and 5xx are a provider's way of saying "not now". */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** A failed HTTP answer without a provider code that says more. */
export function httpFailure(response: ProviderResponse, reason: string, code?: string): SendError {
  const kind = isTransientStatus(response.status) ? 'transient' : 'permanent';
  return new SendError(kind, reason, {
    code: code ?? String(response.status),
    retryAfterMs: kind === 'transient' ? retryAfterMs(response.headers) : undefined,
  });
}

/**
 * A form-encoded webhook body; repeated names keep their last value. Verifying the
 * signature and parsing the message both read the form, so it is decoded once per body.
 */
export function readForm(rawBody: Buffer): Readonly<Record<string, string>> {
  const known = formsRead.get(rawBody);
  if (known) return known;
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) fields[name] = value;
  Object.freeze(fields);
  formsRead.set(rawBody, fields);
  return fields;
}

const formsRead = new WeakMap<Buffer, Readonly<Record<string, string>>>();

/** A JSON webhook body that must be an object. */
export function readJsonObject(rawBody: Buffer): Record<string, unknown> {
  const body = parseJsonOrNull(rawBody.toString('utf8'));
  const object = asObject(body);
  if (!object) throw new DomainError('bad_request', 'The body is not a JSON object');
  return object;
}

export function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Numbers some providers send as JSON numbers and others as strings. */
export function asCode(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

/** Fills a template's body parameters with the text the case worker typed (rule 12). */
export function fillTemplateParameters(parameters: string[], text: string): string[] {
  return parameters.map((parameter) => parameter.replaceAll('{text}', text));
}

/** The body values a template send carries: those the worker chose, else the parameters filled from the text. */
export function templateValues(template: TemplateConfig, text: string): string[] {
  return template.values ?? fillTemplateParameters(template.parameters, text);
}

/** Digits only: what Vonage and Meta expect for an E.164 address. */
export function digitsOnly(address: string): string {
  return address.replace(/\D/g, '');
}

/** Vonage and Meta always write senders internationally without `+`; say so unambiguously. */
export function internationalSender(digits: string): string {
  return /^\d+$/.test(digits) ? `+${digits}` : digits;
}

function parseJsonOrNull(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
