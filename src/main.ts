import { ConfigError, loadDotEnv, readConfig, type Config } from './config.js';
import { loggerOptions } from './http/logging.js';
import { createCaseline } from './server.js';
import { ensureDemo, ensureFirstAdmin, firstAdminActor } from './services/bootstrap.js';
import { currentScryptParams } from './services/security.js';

/** `npm start`: migrate, create the first admin and the demo, serve, send, and stop cleanly. */
async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = readConfig();
    // Read here so a bad CASELINE_SCRYPT_COST_LOG2 stops the start, not the first login.
    currentScryptParams();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`caseline: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }

  const caseline = await createCaseline(config, { logger: loggerOptions(config.logLevel) });
  const { app, services } = caseline;

  const first = await ensureFirstAdmin(services.ctx, config.admin);
  if (first) {
    app.log.info({ email: first.admin.email }, 'created the first organisation and its admin');
    if (first.generatedPassword) {
      // Printed once, to the terminal only; it is stored as a hash.
      const rule = '='.repeat(64);
      console.log(
        `\n${rule}\n  First admin: ${first.admin.email}\n  Password:    ${first.generatedPassword}\n` +
          `  Shown once and stored only as a hash: note it now, change it after logging in.\n${rule}\n`,
      );
    }
    const actor = await firstAdminActor(services.ctx, first.admin.email);
    if (config.demo && actor) {
      const survey = await ensureDemo(services.ctx, services.numbers, actor);
      if (survey) app.log.info('created the demo survey "%s" with a sandbox number', survey.name);
    }
  }

  if (!config.mail) app.log.info('alerts reach the console only: set CASELINE_SMTP_URL and CASELINE_MAIL_FROM to email them too');
  caseline.outbox.start();
  caseline.jobs.start();
  // Media housekeeping runs hourly from now on (and at once after a restart).
  await caseline.services.mediaHousekeeping.schedule(Date.now());
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Caseline is serving on http://localhost:${port} (${config.database.dialect})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests and sends in flight');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await caseline.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`caseline: bad configuration: ${error.message}`);
    process.exit(1);
  }
  console.error('caseline: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
