import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { addressNotAllowed, isPublicAddress, literalAddress } from '../../domain/outbound-webhooks.js';

/** The one address a delivery connects to: resolved and checked once, so DNS cannot change it in between. */
export interface Destination {
  address: string;
  family: 4 | 6;
}

export class UnresolvableHost extends Error {}

/**
 * Resolves the URL's host and checks every address it has: one private address among
 * public ones is refused too, as a connection could land on either. Throws
 * `webhook_address_not_allowed` unless `allowPrivate`, and `UnresolvableHost` when the
 * name does not resolve.
 */
export async function resolveDestination(url: URL, allowPrivate: boolean): Promise<Destination> {
  const literal = literalAddress(url);
  let addresses: Destination[];
  if (literal !== null) addresses = [{ address: literal, family: isIP(literal) === 6 ? 6 : 4 }];
  else {
    try {
      const found = await lookup(url.hostname, { all: true, verbatim: true });
      addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
      throw new UnresolvableHost(`The host name does not resolve (${code})`);
    }
  }
  const first = addresses[0];
  if (!first) throw new UnresolvableHost('The host name does not resolve (no addresses)');
  if (!allowPrivate && addresses.some((a) => !isPublicAddress(a.address))) throw addressNotAllowed();
  return first;
}
