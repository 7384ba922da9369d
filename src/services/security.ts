import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../config.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet (2023–): scrypt with N=2^17, r=8, p=1 — 128 MiB and
 * about 0.3 s of one core per hash on a small server. `CASELINE_SCRYPT_COST_LOG2` (14 at
 * least) exists so test suites that create many users can hash faster; production leaves it
 * unset. Read on first use, after `.env` is loaded.
 */
export const DEFAULT_SCRYPT_COST_LOG2 = 17;
export const MIN_SCRYPT_COST_LOG2 = 14;
const MAX_SCRYPT_COST_LOG2 = 20;
let current: ScryptParams | null = null;

export function scryptParamsFrom(env: Record<string, string | undefined>): ScryptParams {
  const raw = env.CASELINE_SCRYPT_COST_LOG2;
  if (raw === undefined || raw === '') return { N: 2 ** DEFAULT_SCRYPT_COST_LOG2, r: 8, p: 1 };
  const log2 = Number(raw);
  if (!/^\d+$/.test(raw) || log2 < MIN_SCRYPT_COST_LOG2 || log2 > MAX_SCRYPT_COST_LOG2) {
    throw new ConfigError(
      'CASELINE_SCRYPT_COST_LOG2',
      `must be a whole number from ${MIN_SCRYPT_COST_LOG2} to ${MAX_SCRYPT_COST_LOG2}, got ${JSON.stringify(raw)}`,
    );
  }
  return { N: 2 ** log2, r: 8, p: 1 };
}

export function currentScryptParams(): ScryptParams {
  return (current ??= scryptParamsFrom(process.env));
}

/** OpenSSL's own accounting: V takes 128·r·(N+2) bytes and B 128·r·p, so 2^17 needs just over 128 MiB. */
const maxmemFor = ({ N, r, p }: ScryptParams) => 128 * r * (N + p + 2);

export async function hashPassword(password: string, params: ScryptParams = currentScryptParams()): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, { ...params, maxmem: maxmemFor(params) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function parseHash(stored: string): (ScryptParams & { salt: Buffer; hash: Buffer }) | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a damaged or hostile row from asking for gigabytes.
  if (!Number.isInteger(Math.log2(params.N)) || params.N < 2 || params.N > 2 ** MAX_SCRYPT_COST_LOG2) return null;
  if (!(params.r >= 1 && params.r <= 32 && params.p >= 1 && params.p <= 16)) return null;
  return { ...params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p } = parsed;
  const actual = await scryptAsync(password, parsed.salt, parsed.hash.length, { N, r, p, maxmem: maxmemFor(parsed) });
  return timingSafeEqual(actual, parsed.hash);
}

/** Whether a stored hash was made with less work than today's parameters ask for. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const target = currentScryptParams();
  return parsed.N < target.N || parsed.r < target.r || parsed.p < target.p;
}

let dummy: Promise<string> | null = null;
/** A hash at today's cost to check against when no user matches, so timing reveals nothing. */
export function dummyPasswordHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('base64')));
}

/** A random token for sessions, API tokens and unguessable webhook ids. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are stored as hashes, so a database leak does not leak live sessions. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Seals provider credentials at rest with AES-256-GCM under a key derived from
 * `CASELINE_SECRET_KEY`, or from a key generated once into the data folder.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly fingerprintKey: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`caseline-credentials:${secret}`).digest();
    this.fingerprintKey = createHash('sha256').update(`caseline-fingerprint:${secret}`).digest();
  }

  static fromConfig(secretKey: string | null, dataDir: string): SecretBox {
    if (secretKey) return new SecretBox(secretKey);
    const path = join(dataDir, 'secret.key');
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    return new SecretBox(readFileSync(path, 'utf8').trim());
  }

  /**
   * A keyed hash of `value` (HMAC-SHA256 under a key of its own): the same person gives
   * the same fingerprint, and a phone number cannot be recovered by trying every number
   * without the server's secret. Privacy tombstones keep this, never the number.
   */
  fingerprint(value: string): string {
    return createHmac('sha256', this.fingerprintKey).update(value, 'utf8').digest('hex');
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  /** The sealed value, as JSON gave it: callers check its shape (adapters validate credentials). */
  open(sealed: string): unknown {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || !data) throw new Error('Unknown credential format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  }
}
