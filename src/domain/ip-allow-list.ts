import { BlockList, isIP } from 'node:net';
import { validationFailed } from './errors.js';

/**
 * The addresses a provider without webhook signatures (Africa's Talking) may post from:
 * single addresses (`196.201.214.200`, `2001:db8::1`) and CIDR ranges (`196.201.214.0/24`).
 */
export const MAX_ALLOW_LIST_ENTRIES = 100;

/** Checks and tidies a list as an admin typed it; throws `validation_failed` naming the first bad entry. */
export function parseAllowList(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw validationFailed('allowedIps must be a list of IP addresses or CIDR ranges', { field: 'allowedIps' });
  if (raw.length > MAX_ALLOW_LIST_ENTRIES) {
    throw validationFailed(`allowedIps can hold at most ${MAX_ALLOW_LIST_ENTRIES} entries`, { field: 'allowedIps' });
  }
  const entries: string[] = [];
  for (const item of raw) {
    const entry = typeof item === 'string' ? item.trim() : '';
    if (!entry || !parseEntry(entry)) {
      throw validationFailed(`${JSON.stringify(String(item).slice(0, 60))} is not an IP address or CIDR range (e.g. 196.201.214.0/24)`, {
        field: 'allowedIps',
      });
    }
    if (!entries.includes(entry)) entries.push(entry);
  }
  return entries;
}

/** Whether `address` (as the socket or a trusted proxy reported it) is on the list. */
export function isAllowed(list: readonly string[], address: string): boolean {
  const blockList = new BlockList();
  for (const entry of list) {
    const parsed = parseEntry(entry);
    if (!parsed) continue;
    if (parsed.prefix === null) blockList.addAddress(parsed.address, parsed.family);
    else blockList.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const family = isIP(plain);
  if (family === 0) return false;
  return blockList.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

function parseEntry(entry: string): { address: string; prefix: number | null; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = entry.split('/');
  if (extra !== undefined) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, prefix: null, family };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > (version === 4 ? 32 : 128)) return null;
  return { address, prefix, family };
}
