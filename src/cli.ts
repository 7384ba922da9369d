import { parseArgs } from 'node:util';
import { ConfigError, loadDotEnv, readConfig, type DatabaseConfig } from './config.js';
import { ROLES, type Role } from './domain/roles.js';
import { DomainError } from './domain/errors.js';
import { BackupRefused, backupSqlite, restoreSqlite } from './db/sqlite/backup.js';
import { createCaseline } from './server.js';
import { ensureDemo, ensureFirstAdmin, firstAdminActor, foundOrganisation } from './services/bootstrap.js';
import { randomToken } from './services/security.js';
import { insertUser } from './services/users.js';

const USAGE = `Usage: caseline <command>

Commands:
  migrate                               bring the database schema up to date
  org add --name NAME --email E [--password P]
                                        create an organisation with its first admin
  org list                              the organisations: id and name
  user add --email E [--name N] [--role admin|analyst|viewer] [--password P] [--org ID]
                                        add a user (a password is generated and printed if not given)
  demo [--email ADMIN_EMAIL]            create the demo survey and sandbox number for an admin's organisation
  backup FILE [--force]                 copy the SQLite database into FILE while the server runs
                                        (--force replaces FILE; PostgreSQL: use pg_dump)
  restore FILE                          put a backup in place of the database, with the server stopped;
                                        the database it replaces is kept as <name>.before-restore-<time>

Configuration comes from the environment and .env, as for the server (see README).`;

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return 0;
  }
  loadDotEnv();
  const config = readConfig();
  // These two must not open the database as a server does: restore needs it closed.
  if (command === 'backup' || command === 'restore') return backupOrRestore(command, argv.slice(1), config.database);
  const caseline = await createCaseline(config);
  try {
    const { services, db } = caseline;
    switch (command) {
      case 'migrate':
        console.log(`Database is up to date (${config.database.dialect}).`);
        return 0;
      case 'org': {
        if (sub === 'list') {
          const orgs = await db.kysely.selectFrom('organisations').select(['id', 'name']).orderBy('created_at').execute();
          for (const org of orgs) console.log(`${org.id}  ${org.name}`);
          return 0;
        }
        if (sub !== 'add') break;
        const { values } = parseArgs({
          args: rest,
          options: { name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' } },
        });
        if (!values.name) throw new DomainError('validation_failed', '--name is required');
        if (!values.email) throw new DomainError('validation_failed', '--email of its first admin is required');
        const founded = await foundOrganisation(services.ctx, {
          name: values.name,
          email: values.email,
          password: values.password ?? null,
        });
        console.log(`Created organisation "${founded.organisation.name}" (${founded.organisation.id}) with admin ${founded.admin.email}.`);
        if (founded.generatedPassword) console.log(`Password: ${founded.generatedPassword}  (shown once)`);
        return 0;
      }
      case 'user': {
        if (sub !== 'add') break;
        const { values } = parseArgs({
          args: rest,
          options: {
            email: { type: 'string' },
            name: { type: 'string' },
            role: { type: 'string' },
            password: { type: 'string' },
            org: { type: 'string' },
          },
        });
        if (!values.email) throw new DomainError('validation_failed', '--email is required');
        const role = (values.role ?? 'analyst') as Role;
        if (!ROLES.includes(role)) throw new DomainError('validation_failed', `--role must be one of ${ROLES.join(', ')}`);
        const password = values.password ?? randomToken(12);
        let orgId = values.org;
        if (!orgId) {
          const orgs = await db.kysely.selectFrom('organisations').select('id').execute();
          if (orgs.length > 1) throw new DomainError('validation_failed', 'There are several organisations: pass --org');
          orgId = orgs[0]?.id;
        }
        if (orgId) {
          const user = await insertUser(db.kysely, orgId, { email: values.email, name: values.name ?? '', role, password }, Date.now());
          console.log(`Added ${user.role} ${user.email}.`);
        } else {
          // An empty database: the first user founds the organisation and is its admin.
          const first = await ensureFirstAdmin(services.ctx, { email: values.email, password });
          console.log(`Created the first organisation with admin ${first?.admin.email}.`);
        }
        if (!values.password) console.log(`Password: ${password}  (shown once)`);
        return 0;
      }
      case 'demo': {
        const { values } = parseArgs({ args: sub ? [sub, ...rest] : rest, options: { email: { type: 'string' } } });
        const email = values.email ?? config.admin?.email;
        if (!email) throw new DomainError('validation_failed', '--email of an admin is required');
        const actor = await firstAdminActor(services.ctx, email);
        if (!actor) throw new DomainError('not_found', `No user ${email}`);
        const survey = await ensureDemo(services.ctx, services.numbers, actor);
        console.log(
          survey
            ? `Created the demo survey "${survey.name}" with a sandbox number.`
            : 'The organisation has surveys already; nothing to do.',
        );
        return 0;
      }
    }
    console.error(USAGE);
    return 2;
  } finally {
    await caseline.close();
  }
}

async function backupOrRestore(command: 'backup' | 'restore', args: string[], database: DatabaseConfig): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean' } }, allowPositionals: true });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0 || (command === 'restore' && values.force)) {
    console.error(USAGE);
    return 2;
  }
  if (command === 'backup') {
    const backup = await backupSqlite(database, file, { force: values.force });
    console.log(`Backed up the database to ${backup.path} (${backup.pages} pages, ${(backup.bytes / 1048576).toFixed(1)} MiB).`);
  } else {
    const restored = await restoreSqlite(database, file);
    console.log(
      `Restored ${file} into ${restored.path}.` +
        (restored.keptAs ? ` The database it replaced is kept as ${restored.keptAs}.` : '') +
        ' Start the server again.',
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`caseline: bad configuration: ${error.message}`);
    else if (error instanceof DomainError || error instanceof BackupRefused) console.error(`caseline: ${error.message}`);
    else console.error('caseline:', error);
    process.exit(1);
  },
);
