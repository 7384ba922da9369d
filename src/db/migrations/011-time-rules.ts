import { sql, type Kysely } from 'kysely';

/**
 * Time rules (DESIGN.md §8):
 * - `surveys.business_hours`, `surveys.alerts`, `surveys.auto_close`: JSON settings, null when off.
 * - `numbers.acknowledgement`: JSON `{text, outOfHoursText}`, null when off.
 * - `messages.automatic`: 1 when the system wrote the message (acknowledgement, closing
 *   text, multi-case reply); such a message never answers a waiting case.
 * - `alert_firings`: one row per case, level and waiting period that crossed its threshold;
 *   its unique key is what makes an alert fire at most once, whatever runs the timer twice.
 * - `alerts`: one row per recipient user of a firing, read and unread (the console's bell).
 *
 * Timers are `jobs` rows (010): a case's timers have ids derived from the case, so
 * scheduling one twice keeps one row. With a hundred thousand timers waiting, the worker's
 * claim must not scan them: a running job's `due_at` becomes its claim's end, and the partial
 * index `jobs_ready` on `due_at` over pending and running jobs gives the claim one ordered
 * range (it replaces 010's `jobs_due`). `jobs_subject` leads with the subject now: led by the
 * kind, it drew SQLite's planner to it for the claim's `kind IN (…)` and a sort of every timer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ due_at: sql`claimed_until` })
    .where('state', '=', 'running')
    .execute();
  await db.schema.dropIndex('jobs_due').execute();
  await db.schema
    .createIndex('jobs_ready')
    .on('jobs')
    .column('due_at')
    .where(sql<boolean>`state in ('pending', 'running')`)
    .execute();
  await db.schema.dropIndex('jobs_subject').execute();
  await db.schema.createIndex('jobs_subject').on('jobs').columns(['subject_id', 'kind']).execute();
  await db.schema.alterTable('surveys').addColumn('business_hours', 'text').execute();
  await db.schema.alterTable('surveys').addColumn('alerts', 'text').execute();
  await db.schema.alterTable('surveys').addColumn('auto_close', 'text').execute();
  await db.schema.alterTable('numbers').addColumn('acknowledgement', 'text').execute();
  await db.schema
    .alterTable('messages')
    .addColumn('automatic', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Multi-case replies were the one automatic message before: outbound with no author.
  await db.updateTable('messages').set({ automatic: 1 }).where('direction', '=', 'out').where('author_id', 'is', null).execute();

  await db.schema
    .createTable('alert_firings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
    .addColumn('survey_id', 'text', (c) => c.notNull())
    .addColumn('case_number', 'bigint', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('waiting_since', 'bigint', (c) => c.notNull())
    .addColumn('waited_ms', 'bigint', (c) => c.notNull())
    .addColumn('emails', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_firings_once').on('alert_firings').columns(['record_id', 'level', 'waiting_since']).unique().execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('firing_id', 'text', (c) => c.notNull().references('alert_firings.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('case_number', 'bigint', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .execute();
  await db.schema.createIndex('alerts_inbox').on('alerts').columns(['user_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('alerts_firing').on('alerts').columns(['firing_id', 'user_id']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alerts').execute();
  await db.schema.dropTable('alert_firings').execute();
  await db.schema.alterTable('messages').dropColumn('automatic').execute();
  await db.schema.alterTable('numbers').dropColumn('acknowledgement').execute();
  await db.schema.alterTable('surveys').dropColumn('auto_close').execute();
  await db.schema.alterTable('surveys').dropColumn('alerts').execute();
  await db.schema.alterTable('surveys').dropColumn('business_hours').execute();
  await db.schema.dropIndex('jobs_ready').execute();
  await db.schema.dropIndex('jobs_subject').execute();
  await db.schema.createIndex('jobs_subject').on('jobs').columns(['kind', 'subject_id']).execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'due_at']).execute();
}
