import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The summary report (DESIGN.md §10, docs/reports.md):
 * - `report_counts`: per survey, number, worker and quarter hour (UTC), how many messages
 *   came in and went out, and how many cases were created, closed and reopened. Kept by
 *   triggers, so every change that inserts a message, a case or a close counts in its own
 *   transaction, whatever code path made it. A quarter hour because every time zone's
 *   offset is a whole number of quarter hours, so any zone's day, week or month is a run
 *   of whole slots. `shard` spreads PostgreSQL's concurrent writers over a few rows of a
 *   slot (by connection), so two ingest transactions seldom wait on one counter's lock;
 *   the report sums the shards. SQLite has one writer and one shard.
 * - `records.first_response_at/_ms/_by`: when a person first answered the case, how long
 *   after the inbound message that made it wait, and who; set by the reply that answered.
 * - `records_first_responses`, `records_closes`: partial indexes holding every column the
 *   report reads about responses and closes, so its per-case figures are index-only.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  let table = db.schema
    .createTable('report_counts')
    .addColumn('survey_id', 'text', (c) => c.notNull())
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('slot', 'bigint', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('inbound', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('outbound', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('new_cases', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('closed_cases', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reopened_cases', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('report_counts_key', ['survey_id', 'slot', 'number_id', 'user_id', 'shard']);
  if (dialect === 'sqlite') table = table.modifyEnd(sql`without rowid`);
  await table.execute();

  await db.schema.alterTable('records').addColumn('first_response_at', 'bigint').execute();
  await db.schema.alterTable('records').addColumn('first_response_ms', 'bigint').execute();
  await db.schema.alterTable('records').addColumn('first_response_by', 'text').execute();

  await backfill(db);

  await db.schema
    .createIndex('records_first_responses')
    .on('records')
    .columns(['survey_id', 'first_response_at', 'first_response_ms', 'first_response_by', 'number_id'])
    .where(sql.ref('first_response_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('records_closes')
    .on('records')
    .columns(['survey_id', 'closed_at', 'created_at', 'number_id'])
    .where(sql.ref('closed_at'), 'is not', null)
    .execute();

  if (dialect === 'sqlite') await sqliteTriggers(db);
  else await postgresTriggers(db);
}

/** The counts and first responses of what the database already holds. */
async function backfill(db: Kysely<any>): Promise<void> {
  await sql`
    insert into report_counts (survey_id, number_id, user_id, slot, shard, inbound, outbound, new_cases, closed_cases, reopened_cases)
    select survey_id, number_id, user_id, slot, 0, sum(inbound), sum(outbound), sum(new_cases), sum(closed_cases), sum(reopened_cases)
    from (
      select n.survey_id, m.number_id,
        case when m.direction = 'out' then coalesce(m.author_id, '') else '' end as user_id,
        m.created_at - m.created_at % 900000 as slot,
        case when m.direction = 'in' then 1 else 0 end as inbound,
        case when m.direction = 'out' then 1 else 0 end as outbound,
        0 as new_cases, 0 as closed_cases, 0 as reopened_cases
      from messages m join numbers n on n.id = m.number_id
      union all
      select r.survey_id, coalesce(r.number_id, ''), '', r.created_at - r.created_at % 900000, 0, 0, 1,
        -- Created closed: its first change of status was a reopening, or it never changed.
        case when coalesce(
          (select h.action from history h where h.record_id = r.id and h.action in ('closed', 'reopened') order by h.id limit 1),
          case when r.status = 'closed' then 'reopened' else 'closed' end
        ) = 'reopened' then 1 else 0 end, 0
      from records r
      union all
      select r.survey_id, coalesce(r.number_id, ''), coalesce(h.user_id, ''), h.created_at - h.created_at % 900000, 0, 0, 0,
        case when h.action = 'closed' then 1 else 0 end, case when h.action = 'reopened' then 1 else 0 end
      from history h join records r on r.id = h.record_id
      where h.action in ('closed', 'reopened')
    ) as counted
    group by survey_id, number_id, user_id, slot`.execute(db);

  // Set-based, through a scratch table: per-case subqueries took minutes at a million cases.
  await sql`
    create temporary table first_responses_backfill as
    with conversation as (
      select rm.record_id, m.direction, m.author_id, m.created_at
      from record_messages rm join messages m on m.id = rm.message_id
    ),
    firsts as (select record_id, min(created_at) as first_in from conversation where direction = 'in' group by record_id),
    answers as (
      select c.record_id, min(c.created_at) as at
      from conversation c join firsts f on f.record_id = c.record_id
      where c.direction = 'out' and c.author_id is not null and c.created_at >= f.first_in
      group by c.record_id
    )
    select a.record_id, a.at, a.at - f.first_in as ms, min(c.author_id) as author_id
    from answers a
      join firsts f on f.record_id = a.record_id
      join conversation c on c.record_id = a.record_id and c.direction = 'out' and c.author_id is not null and c.created_at = a.at
    group by a.record_id, a.at, f.first_in`.execute(db);
  await sql`
    update records set first_response_at = b.at, first_response_ms = b.ms, first_response_by = b.author_id
    from first_responses_backfill b where b.record_id = records.id`.execute(db);
  await sql`drop table first_responses_backfill`.execute(db);
}

async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  const key = sql.raw('(survey_id, slot, number_id, user_id, shard)');
  await sql`
    create trigger report_counts_messages after insert on messages begin
      insert into report_counts (survey_id, number_id, user_id, slot, shard, inbound, outbound)
      select n.survey_id, new.number_id, case when new.direction = 'out' then coalesce(new.author_id, '') else '' end,
        new.created_at - new.created_at % 900000, 0,
        new.direction = 'in', new.direction = 'out'
      from numbers n where n.id = new.number_id
      on conflict ${key} do update set inbound = inbound + excluded.inbound, outbound = outbound + excluded.outbound;
    end`.execute(db);
  await sql`
    create trigger report_counts_records after insert on records begin
      insert into report_counts (survey_id, number_id, user_id, slot, shard, new_cases, closed_cases)
      values (new.survey_id, coalesce(new.number_id, ''), '', new.created_at - new.created_at % 900000, 0, 1, new.status = 'closed')
      on conflict ${key} do update set new_cases = new_cases + 1, closed_cases = closed_cases + excluded.closed_cases;
    end`.execute(db);
  await sql`
    create trigger report_counts_history after insert on history when new.action in ('closed', 'reopened') begin
      insert into report_counts (survey_id, number_id, user_id, slot, shard, closed_cases, reopened_cases)
      select r.survey_id, coalesce(r.number_id, ''), coalesce(new.user_id, ''), new.created_at - new.created_at % 900000, 0,
        new.action = 'closed', new.action = 'reopened'
      from records r where r.id = new.record_id
      on conflict ${key} do update set
        closed_cases = closed_cases + excluded.closed_cases, reopened_cases = reopened_cases + excluded.reopened_cases;
    end`.execute(db);
}

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  // Per statement, from its transition table: one upsert however many rows the statement
  // inserted, its counter rows taken in key order, so two batches never lock each other's
  // rows in opposite orders (row triggers would lock in insert order, and could deadlock).
  const addCounts = (select: string) => `
    insert into report_counts as c (survey_id, number_id, user_id, slot, shard, inbound, outbound, new_cases, closed_cases, reopened_cases)
    select survey_id, number_id, user_id, slot, pg_backend_pid() % 4, inbound, outbound, new_cases, closed_cases, reopened_cases
    from (${select}) as counted
    order by survey_id, slot, number_id, user_id
    on conflict (survey_id, slot, number_id, user_id, shard) do update set
      inbound = c.inbound + excluded.inbound, outbound = c.outbound + excluded.outbound,
      new_cases = c.new_cases + excluded.new_cases, closed_cases = c.closed_cases + excluded.closed_cases,
      reopened_cases = c.reopened_cases + excluded.reopened_cases`;
  const triggers = {
    messages: `
      select n.survey_id, m.number_id, case when m.direction = 'out' then coalesce(m.author_id, '') else '' end as user_id,
        m.created_at - m.created_at % 900000 as slot,
        count(*) filter (where m.direction = 'in') as inbound, count(*) filter (where m.direction = 'out') as outbound,
        0 as new_cases, 0 as closed_cases, 0 as reopened_cases
      from inserted m join numbers n on n.id = m.number_id
      group by 1, 2, 3, 4`,
    records: `
      select r.survey_id, coalesce(r.number_id, '') as number_id, '' as user_id, r.created_at - r.created_at % 900000 as slot,
        0 as inbound, 0 as outbound, count(*) as new_cases, count(*) filter (where r.status = 'closed') as closed_cases,
        0 as reopened_cases
      from inserted r
      group by 1, 2, 3, 4`,
    history: `
      select r.survey_id, coalesce(r.number_id, '') as number_id, coalesce(h.user_id, '') as user_id,
        h.created_at - h.created_at % 900000 as slot, 0 as inbound, 0 as outbound, 0 as new_cases,
        count(*) filter (where h.action = 'closed') as closed_cases, count(*) filter (where h.action = 'reopened') as reopened_cases
      from inserted h join records r on r.id = h.record_id
      where h.action in ('closed', 'reopened')
      group by 1, 2, 3, 4`,
  };
  for (const [table, select] of Object.entries(triggers)) {
    const fn = sql.id(`report_counts_${table}`);
    await sql`
      create function ${fn}() returns trigger language plpgsql as $$ begin
        ${sql.raw(addCounts(select))};
        return null;
      end $$`.execute(db);
    await sql`
      create trigger ${fn} after insert on ${sql.id(table)}
      referencing new table as inserted for each statement execute function ${fn}()`.execute(db);
  }
}

export async function down(db: Kysely<any>, dialect: Dialect): Promise<void> {
  for (const table of ['messages', 'records', 'history']) {
    const on = dialect === 'pg' ? sql` on ${sql.id(table)}` : sql``;
    await sql`drop trigger ${sql.id(`report_counts_${table}`)}${on}`.execute(db);
  }
  if (dialect === 'pg') {
    await sql`drop function report_counts_messages, report_counts_records, report_counts_history`.execute(db);
  }
  await db.schema.dropIndex('records_closes').execute();
  await db.schema.dropIndex('records_first_responses').execute();
  for (const column of ['first_response_by', 'first_response_ms', 'first_response_at']) {
    await db.schema.alterTable('records').dropColumn(column).execute();
  }
  await db.schema.dropTable('report_counts').execute();
}
