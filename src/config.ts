import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_MEDIA_MAX_BYTES } from './domain/media.js';

/**
 * Configuration, read once from the environment (and `.env`). The database is a tagged
 * union so code that needs a dialect cannot be handed a half-configured one. A bad value
 * stops the process at start with one line naming the variable (DESIGN.md §4).
 */
export type DatabaseConfig = { dialect: 'sqlite'; path: string } | { dialect: 'pg'; url: string };

export interface ProviderApiUrls {
  twilio: string;
  vonage: string;
  whatsapp: string;
  africastalking: string;
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** The address providers reach us on; webhook URLs and Twilio signatures use it. */
  publicUrl: string | null;
  /** 32+ characters; when absent, a key is generated into the data folder. */
  secretKey: string | null;
  dataDir: string;
  admin: { email: string; password: string } | null;
  providerApiUrls: ProviderApiUrls;
  logLevel: string;
  /** Whether to create the demo survey and sandbox number on first start. */
  demo: boolean;
  /** A send claimed longer ago than this is taken to belong to a crashed process. */
  outboxClaimSeconds: number;
  /**
   * Which proxies may set `X-Forwarded-For` (Fastify's `trustProxy`): false (none), true
   * (any), a hop count, or addresses and CIDR ranges. Client addresses feed the login
   * throttle and Africa's Talking's IP allow-list, so the default trusts none.
   */
  trustProxy: boolean | number | string[];
  /** When set, `/metrics` requires `Authorization: Bearer <token>`; when null, it is open. */
  metricsToken: string | null;
  /** Where media bytes are kept (DESIGN.md §6): in the database (default) or in a folder. */
  mediaStore: MediaStoreConfig;
  /** The largest media item fetched or accepted, in bytes (`CASELINE_MEDIA_MAX_BYTES`). */
  mediaMaxBytes: number;
  /** Where alert emails go out (DESIGN.md §8); null: alerts reach the console only. */
  mail: MailConfig | null;
  /**
   * Whether outbound webhooks may go to private, loopback and link-local addresses
   * (`CASELINE_WEBHOOKS_ALLOW_PRIVATE`, default false): a receiver on the same network.
   */
  webhooksAllowPrivate: boolean;
}

/** An SMTP server (`smtp://` or `smtps://`, user and password in the URL) and the sender address. */
export interface MailConfig {
  smtpUrl: string;
  from: string;
}

export type MediaStoreConfig = { kind: 'database' } | { kind: 'filesystem'; path: string };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Loads `.env` from the working directory, without overriding the real environment. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function readConfig(env: Env = process.env): Config {
  const dataDir = resolve(env.CASELINE_DATA_DIR ?? './data');
  return {
    port: readPort(env.PORT),
    host: env.HOST?.trim() || '0.0.0.0',
    database: readDatabase(env.DATABASE_URL, dataDir),
    publicUrl: readUrl('PUBLIC_URL', env.PUBLIC_URL),
    secretKey: readSecretKey(env.CASELINE_SECRET_KEY),
    dataDir,
    admin: readAdmin(env),
    providerApiUrls: {
      twilio: readUrl('CASELINE_TWILIO_API_URL', env.CASELINE_TWILIO_API_URL) ?? 'https://api.twilio.com',
      vonage: readUrl('CASELINE_VONAGE_API_URL', env.CASELINE_VONAGE_API_URL) ?? 'https://api.nexmo.com',
      whatsapp: readUrl('CASELINE_WHATSAPP_API_URL', env.CASELINE_WHATSAPP_API_URL) ?? 'https://graph.facebook.com',
      africastalking: readUrl('CASELINE_AFRICASTALKING_API_URL', env.CASELINE_AFRICASTALKING_API_URL) ?? 'https://api.africastalking.com',
    },
    logLevel: readLogLevel(env.LOG_LEVEL),
    demo: env.CASELINE_DEMO !== 'false',
    outboxClaimSeconds: readSeconds('CASELINE_OUTBOX_CLAIM_SECONDS', env.CASELINE_OUTBOX_CLAIM_SECONDS, 60),
    trustProxy: readTrustProxy(env.CASELINE_TRUST_PROXY),
    metricsToken: readMetricsToken(env.CASELINE_METRICS_TOKEN),
    mediaStore: readMediaStore(env.CASELINE_MEDIA_STORE),
    mediaMaxBytes: readMediaMaxBytes(env.CASELINE_MEDIA_MAX_BYTES),
    mail: readMail(env.CASELINE_SMTP_URL, env.CASELINE_MAIL_FROM),
    webhooksAllowPrivate: readFlag('CASELINE_WEBHOOKS_ALLOW_PRIVATE', env.CASELINE_WEBHOOKS_ALLOW_PRIVATE),
  };
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port > 65535) {
    throw new ConfigError('PORT', `must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

function readDatabase(raw: string | undefined, dataDir: string): DatabaseConfig {
  if (raw === undefined || raw === '') return { dialect: 'sqlite', path: resolve(dataDir, 'caseline.db') };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path || /^\/*$/.test(path)) throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/caseline.db');
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    if (!url.hostname) throw new ConfigError('DATABASE_URL', 'needs a host, e.g. postgres://user@127.0.0.1:5432/caseline');
    return { dialect: 'pg', url: raw };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://');
}

function readUrl(variable: string, raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(variable, 'must be an http:// or https:// URL');
  }
  return raw.replace(/\/+$/, '');
}

function readSecretKey(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.length < 32) throw new ConfigError('CASELINE_SECRET_KEY', 'must be at least 32 characters');
  return raw;
}

function readAdmin(env: Env): Config['admin'] {
  const email = env.CASELINE_ADMIN_EMAIL?.trim();
  const password = env.CASELINE_ADMIN_PASSWORD;
  if (!email && !password) return null;
  if (!email) throw new ConfigError('CASELINE_ADMIN_EMAIL', 'must be set when CASELINE_ADMIN_PASSWORD is');
  if (!password) throw new ConfigError('CASELINE_ADMIN_PASSWORD', 'must be set when CASELINE_ADMIN_EMAIL is');
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new ConfigError('CASELINE_ADMIN_EMAIL', 'is not an email address');
  if (password.length < 10) throw new ConfigError('CASELINE_ADMIN_PASSWORD', 'must be at least 10 characters');
  return { email, password };
}

function readSeconds(variable: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) throw new ConfigError(variable, 'must be a whole number of seconds, at least 1');
  return Number(raw);
}

function readTrustProxy(raw: string | undefined): Config['trustProxy'] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)(\/\d{1,3})?$/i;
  const bad = entries.find((e) => !address.test(e) && !['loopback', 'linklocal', 'uniquelocal'].includes(e));
  if (bad) throw new ConfigError('CASELINE_TRUST_PROXY', `${JSON.stringify(bad)} is not an address, CIDR range, hop count, true or false`);
  return entries;
}

function readMetricsToken(raw: string | undefined): string | null {
  const token = raw?.trim() ?? '';
  if (token === '') return null;
  if (token.length < 16) throw new ConfigError('CASELINE_METRICS_TOKEN', 'must be at least 16 characters');
  return token;
}

function readMediaStore(raw: string | undefined): MediaStoreConfig {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'database') return { kind: 'database' };
  if (value.startsWith('filesystem:') && value.length > 'filesystem:'.length) {
    return { kind: 'filesystem', path: resolve(value.slice('filesystem:'.length)) };
  }
  throw new ConfigError('CASELINE_MEDIA_STORE', 'must be database or filesystem:/path/to/folder');
}

function readMediaMaxBytes(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_MEDIA_MAX_BYTES;
  const value = raw.trim();
  // Up to 1 GiB: a larger item would hold a provider's fetch and a worker's download for minutes.
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 1024 ** 3) {
    throw new ConfigError('CASELINE_MEDIA_MAX_BYTES', 'must be a whole number of bytes from 1 to 1073741824');
  }
  return Number(value);
}

function readMail(rawUrl: string | undefined, rawFrom: string | undefined): MailConfig | null {
  const smtpUrl = rawUrl?.trim() ?? '';
  if (smtpUrl === '') return null;
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new ConfigError('CASELINE_SMTP_URL', 'is not a URL; use smtp://user:password@host:587 or smtps://…');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new ConfigError('CASELINE_SMTP_URL', 'must start with smtp:// or smtps://');
  const from = rawFrom?.trim() ?? '';
  // The sender is the helpline's to choose: a relay refuses mail from an address it does not know.
  if (from === '')
    throw new ConfigError('CASELINE_MAIL_FROM', 'must be set when CASELINE_SMTP_URL is, e.g. "Helpline alerts <alerts@example.org>"');
  if (!/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(from)) throw new ConfigError('CASELINE_MAIL_FROM', 'is not an email address');
  return { smtpUrl, from };
}

function readFlag(variable: string, raw: string | undefined): boolean {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigError(variable, 'must be true or false');
}

function readLogLevel(raw: string | undefined): string {
  const level = raw?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new ConfigError('LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }
  return level;
}
