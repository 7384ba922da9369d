import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { buildApp } from './http/app.js';
import { JobWorker, type JobWorkerOptions } from './jobs/job-worker.js';
import { OutboxWorker, type OutboxOptions } from './outbox/outbox-worker.js';
import type { ProviderRegistry } from './providers/provider.js';
import { createProviderRegistry } from './providers/registry.js';
import { createServices, type Services } from './services/index.js';
import type { IngestThread } from './services/inbound/ingest-thread.js';
import { SecretBox } from './services/security.js';
import { createSmtpMailer, type Mailer } from './mail/mailer.js';
import { openMediaStore } from './storage/open-media-store.js';

/**
 * The project's folder: the nearest above this module with a package.json. This module runs
 * from src/ (tests, `npm run dev`), from dist/compiled/ or packed into dist/ (`npm start`).
 */
export const PROJECT_ROOT = nearestPackageFolder(dirname(fileURLToPath(import.meta.url)));

function nearestPackageFolder(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) return dirname(start);
  }
}

/** Background jobs run one at a time while webhooks arrived this recently. */
const WEBHOOKS_FIRST_MS = 1000;

export interface Caseline {
  config: Config;
  db: Db;
  services: Services;
  app: FastifyInstance;
  outbox: OutboxWorker;
  /** Durable work besides sending: media fetches (src/jobs/job-worker.ts). */
  jobs: JobWorker;
  /** SQLite with a database file: the thread that stores inbound messages. */
  ingestThread: IngestThread | null;
  close(): Promise<void>;
}

/**
 * Wires the parts together: database (migrated), services, HTTP app and outbox worker.
 * `main.ts`, the CLI and the integration tests all start Caseline through here.
 */
export async function createCaseline(
  config: Config,
  options: {
    logger?: boolean | object;
    providers?: ProviderRegistry;
    outbox?: Partial<OutboxOptions>;
    jobs?: Partial<JobWorkerOptions>;
    now?: () => number;
    /** Replaces the SMTP mailer of `config.mail`. */
    mailer?: Mailer | null;
    /** SQLite with a database file: store inbound batches on their own thread (default true). */
    ingestThread?: boolean;
  } = {},
): Promise<Caseline> {
  const db = await openDatabase(config.database);
  await db.migrate();
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const now = options.now ?? Date.now;
  const mailer = options.mailer !== undefined ? options.mailer : config.mail ? createSmtpMailer(config.mail) : null;
  const services = createServices(
    {
      db,
      providers: options.providers ?? createProviderRegistry(config.providerApiUrls),
      secrets: SecretBox.fromConfig(config.secretKey, config.dataDir),
      publicUrl,
      now,
      media: { store: openMediaStore(config.mediaStore, db, now), maxBytes: config.mediaMaxBytes },
      mailer,
    },
    { ingestThread: options.ingestThread, webhooksAllowPrivate: config.webhooksAllowPrivate },
  );
  const { ingestThread } = services.inbound;
  if (!(await services.operations.secretKeyFits())) {
    await db.close();
    throw new ConfigError(
      'CASELINE_SECRET_KEY',
      config.secretKey
        ? 'this key cannot open the provider credentials stored in the database; start with the key they were sealed with (every server sharing a database needs the same key)'
        : `the key in ${config.dataDir}/secret.key cannot open the provider credentials stored in the database; set CASELINE_SECRET_KEY to the key they were sealed with`,
    );
  }
  const app = await buildApp({
    changes: db.changes,
    services,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    metricsToken: config.metricsToken,
    webRoot: join(PROJECT_ROOT, 'dist', 'web'),
    logger: options.logger ?? false,
  });
  ingestThread?.onStopped((error) => {
    // The cause's type and code say what failed (a module not found, an exit); its message
    // might quote what the thread was storing, so it stays out of the log.
    const cause = error.cause instanceof Error ? { type: error.cause.name, code: (error.cause as NodeJS.ErrnoException).code } : null;
    app.log.warn({ cause }, 'the ingest thread stopped: inbound messages are stored on the main thread from now on, more slowly');
  });
  const outbox = new OutboxWorker(
    { db, deliveries: services.deliveries, now, logger: app.log },
    { claimMs: config.outboxClaimSeconds * 1000, ...options.outbox },
  );
  const jobs = new JobWorker(
    {
      db,
      now,
      logger: app.log,
      busy: () => services.inbound.receivedWithin(WEBHOOKS_FIRST_MS),
      backlogged: () => services.inbound.backloggedWithin(WEBHOOKS_FIRST_MS),
    },
    services.jobHandlers,
    options.jobs,
  );
  return {
    config,
    db,
    services,
    app,
    outbox,
    jobs,
    ingestThread,
    async close() {
      await jobs.stop();
      await outbox.stop();
      await app.close();
      await ingestThread?.close();
      mailer?.close();
      await db.close();
    },
  };
}
