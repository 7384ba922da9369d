import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Executor } from './database.js';
import type { Dialect } from './dialect.js';
import * as initial from './migrations/001-initial.js';
import * as contactActivity from './migrations/002-contact-activity-index.js';
import * as leanerIndexes from './migrations/003-leaner-indexes.js';
import * as fewerRecordIndexes from './migrations/004-fewer-record-indexes.js';
import * as hardening from './migrations/005-hardening.js';
import * as teamCaseWork from './migrations/006-team-case-work.js';
import * as templateLibraries from './migrations/007-template-libraries.js';
import * as assignmentIndexes from './migrations/008-assignment-indexes.js';
import * as labelNameKey from './migrations/009-label-name-key.js';
import * as media from './migrations/010-media.js';
import * as timeRules from './migrations/011-time-rules.js';
import * as privacySignIn from './migrations/012-privacy-sign-in.js';
import * as retentionErasure from './migrations/013-retention-erasure.js';
import * as reportCounts from './migrations/014-report-counts.js';
import * as outboundWebhooks from './migrations/015-outbound-webhooks.js';
import * as whatsappSpellings from './migrations/016-whatsapp-spellings.js';
import * as userLanguage from './migrations/017-user-language.js';
import * as jobPayload from './migrations/018-job-payload.js';

const MIGRATIONS: Record<string, (dialect: Dialect) => Migration> = {
  '001-initial': (dialect) => ({ up: (db) => initial.up(db, dialect), down: (db) => initial.down(db) }),
  '002-contact-activity-index': () => contactActivity,
  '003-leaner-indexes': (dialect) => ({ up: (db) => leanerIndexes.up(db, dialect), down: (db) => leanerIndexes.down(db, dialect) }),
  '004-fewer-record-indexes': () => fewerRecordIndexes,
  '005-hardening': (dialect) => ({ up: (db) => hardening.up(db, dialect), down: (db) => hardening.down(db, dialect) }),
  '006-team-case-work': () => teamCaseWork,
  '007-template-libraries': () => templateLibraries,
  '008-assignment-indexes': () => assignmentIndexes,
  '009-label-name-key': () => labelNameKey,
  '010-media': (dialect) => ({ up: (db) => media.up(db, dialect), down: (db) => media.down(db) }),
  '011-time-rules': () => timeRules,
  '012-privacy-sign-in': () => privacySignIn,
  '013-retention-erasure': () => retentionErasure,
  '014-report-counts': (dialect) => ({ up: (db) => reportCounts.up(db, dialect), down: (db) => reportCounts.down(db, dialect) }),
  '015-outbound-webhooks': () => outboundWebhooks,
  '016-whatsapp-spellings': () => whatsappSpellings,
  '017-user-language': () => userLanguage,
  '018-job-payload': () => jobPayload,
};

export async function runMigrations(kysely: Executor, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(dialect)]))),
  };
  const { error, results } = await new Migrator({ db: kysely, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  }
}
