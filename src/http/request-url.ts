import type { FastifyRequest } from 'fastify';

/**
 * The URL a provider called, as the provider saw it: `PUBLIC_URL` when set, else the
 * `X-Forwarded-Proto`/`X-Forwarded-Host` of a reverse proxy, else the Host header.
 * Providers sign this URL (Twilio), so it must match byte for byte.
 */
export function publicUrlOf(request: FastifyRequest, publicUrl: string | null): string {
  if (publicUrl) return `${publicUrl}${request.url}`;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  const proto = first(request.headers['x-forwarded-proto']) ?? request.protocol;
  const host = first(request.headers['x-forwarded-host']) ?? request.headers.host ?? 'localhost';
  return `${proto}://${host}${request.url}`;
}
