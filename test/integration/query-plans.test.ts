import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Compilable, type RawBuilder } from 'kysely';
import { expect, it } from 'vitest';
import type { Actor } from '../../src/services/context.js';
import { openCasesQuery } from '../../src/db/queries/inbound.js';
import { dueJobsQuery } from '../../src/db/queries/jobs.js';
import { orphanBlobsQuery } from '../../src/db/queries/media.js';
import { recordsPageQuery, type RecordQuery } from '../../src/db/queries/record-list.js';
import { durationSpreadsQuery } from '../../src/db/queries/reports.js';
import { queueCountsQuery } from '../../src/db/queries/waiting.js';
import { describeEachDialect } from '../support/dialects.js';
import { useCaseline, type TestOrg } from '../support/harness.js';

/**
 * The lookups every inbound message and every case list make must go through an index,
 * never read a whole survey's cases, and never sort more than one person's cases or one
 * page: at a million cases that is the difference between a millisecond and a second.
 * Plans are asked of each dialect's planner for the exact queries the services build, over
 * a survey of 2,000 cases. SQLite plans without statistics (Caseline never gathers them);
 * PostgreSQL is given its statistics and told that reading a whole table is dear.
 */
const CASES = 2000;

describeEachDialect('query plans of routing and case lists', (dialect) => {
  const h = useCaseline(dialect);

  async function plan(query: Compilable): Promise<string> {
    const compiled = query.compile();
    const { db } = h.caseline();
    if (dialect === 'sqlite') {
      const { rows } = await db.kysely.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.map((r) => r.detail).join('\n');
    }
    return db.kysely.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  function expectNoWholeTable(text: string) {
    if (dialect === 'sqlite') expect(text).not.toMatch(/SCAN r(ecords)?\b(?! USING)/);
    else expect(text).not.toMatch(/Seq Scan on records/);
  }

  /** Read from `index` in its order, with no sort. */
  function expectIndexedInOrder(text: string, index: string) {
    expect(text).toContain(index);
    expectNoWholeTable(text);
    if (dialect === 'sqlite') expect(text).not.toMatch(/TEMP B-TREE/);
    else expect(text).not.toMatch(/(^|->\s+)(Incremental )?Sort\b/m);
  }

  /** One person's cases of a status, found by survey, contact and status together. */
  function expectOnePersonsCases(text: string) {
    expect(text).toContain('records_routing');
    expect(text).not.toContain('records_listing');
    expectNoWholeTable(text);
    if (dialect === 'sqlite') {
      for (const search of text.match(/SEARCH (r|records) .*/g) ?? [])
        expect(search).toContain('records_routing (survey_id=? AND contact=? AND status=?)');
    } else {
      expect(text).toMatch(/Index Cond: .*contact = .*status = /);
    }
  }

  /**
   * Every status: a page of each status, each read as `expectPage` says; only the rows of
   * those pages are ordered together.
   */
  function expectPagePerStatus(text: string, expectPage: (page: string) => void) {
    const pages =
      dialect === 'sqlite'
        ? [...text.matchAll(/CO-ROUTINE (\w+)\n([\s\S]*?)\nSCAN \1\b/g)].map((m) => m[2]!)
        : text
            .slice(text.indexOf('Append'))
            .split(/\n\s+->\s+Limit\b/)
            .slice(1);
    expect(pages).toHaveLength(2);
    for (const page of pages) expectPage(page);
  }

  async function setUp(): Promise<{ org: TestOrg; actor: Actor }> {
    const org = await h.newOrg();
    await h.text(org, '+447700900600', 'hello');
    const { db } = h.caseline();
    const now = Date.now();
    const rows = Array.from({ length: CASES }, (_, i) => ({
      id: randomUUID(),
      org_id: org.orgId,
      survey_id: org.surveyId,
      case_number: 100_000 + i,
      contact: `+4477009${String(10_000 + i).padStart(5, '0')}`,
      number_id: org.numberId,
      answers: '{}',
      status: i % 2 === 0 ? ('open' as const) : ('closed' as const),
      locked_by: null,
      locked_at: null,
      version: 0,
      created_at: now - i,
      updated_at: now - i,
      closed_at: i % 2 === 0 ? null : now - i,
      // Half the open cases wait, the longest-waiting not the oldest (DESIGN.md §7).
      waiting_since: i % 4 === 0 ? now - ((i * 7919) % CASES) : null,
    }));
    for (let i = 0; i < rows.length; i += 100)
      await db.kysely
        .insertInto('records')
        .values(rows.slice(i, i + 100))
        .execute();
    if (dialect === 'pg') await sql`analyze records`.execute(db.kysely);
    return { org, actor: { userId: org.admin.id, orgId: org.orgId, role: 'admin', name: 'Admin' } };
  }

  it("routing finds a contact's open cases through records_routing, for one message or a batch", async () => {
    const { org } = await setUp();
    const { db } = h.caseline();
    expectOnePersonsCases(await plan(openCasesQuery(db.kysely, [org.surveyId], ['+447700900600'])));
    expectOnePersonsCases(await plan(openCasesQuery(db.kysely, [org.surveyId], ['+447700900600', '+447700910001', '+447700910002'])));
  });

  it('a list of one status reads records_listing in order; of every status, a page of each, merged', async () => {
    const { org, actor } = await setUp();
    const { db } = h.caseline();
    const page = (query: RecordQuery) => plan(recordsPageQuery(db.kysely, actor, org.surveyId, query, 51));
    expectIndexedInOrder(await page({ status: 'open' }), 'records_listing');
    const cursor = (await h.caseline().services.records.list(actor, org.surveyId, { status: 'all', limit: 2 })).nextCursor!;
    expectIndexedInOrder(await page({ status: 'closed', cursor }), 'records_listing');
    expectPagePerStatus(await page({ status: 'all' }), (p) => expectIndexedInOrder(p, 'records_listing'));
    expectPagePerStatus(await page({ status: 'all', cursor }), (p) => expectIndexedInOrder(p, 'records_listing'));
  });

  it("a search by contact reads only that person's cases, whatever the status", async () => {
    const { org, actor } = await setUp();
    const { db } = h.caseline();
    const page = (query: RecordQuery) => plan(recordsPageQuery(db.kysely, actor, org.surveyId, query, 51));
    expectOnePersonsCases(await page({ status: 'open', contact: '+447700900600' }));
    expectPagePerStatus(await page({ contact: '+447700900600' }), expectOnePersonsCases);
  });

  it('the waiting queue reads records_queue in order; the queue counts read one range of an index each, never a row', async () => {
    const { org, actor } = await setUp();
    const { db, services } = h.caseline();
    const page = (query: RecordQuery) => plan(recordsPageQuery(db.kysely, actor, org.surveyId, query, 51));
    expectIndexedInOrder(await page({ sort: 'waiting' }), 'records_queue');
    const cursor = (await services.records.list(actor, org.surveyId, { sort: 'waiting', limit: 2 })).nextCursor!;
    expectIndexedInOrder(await page({ sort: 'waiting', cursor }), 'records_queue');
    expectIndexedInOrder(await page({ sort: 'waiting', assignee: 'none' }), 'records_queue');
    // Reading the index alone needs PostgreSQL's visibility map, which (auto)vacuum keeps.
    if (dialect === 'pg') await sql`vacuum analyze records`.execute(db.kysely);
    const counts = await plan(queueCountsQuery(db.kysely, org.surveyId, actor.userId));
    expectNoWholeTable(counts);
    if (dialect === 'sqlite') {
      expect(counts).toContain('USING COVERING INDEX records_queue (survey_id=? AND status=? AND waiting_since>?)');
      expect(counts.match(/USING COVERING INDEX records_holder \(locked_by=\? AND status=\? AND survey_id=\?\)/g)).toHaveLength(2);
    } else {
      expect(counts.match(/Index Only Scan using records_queue/g)).toHaveLength(1);
      expect(counts.match(/Index Only Scan using records_holder/g)).toHaveLength(2);
    }
  });

  it("the summary report reads first responses and closes from their indexes alone, never a case's row", async () => {
    const { org } = await setUp();
    const { db } = h.caseline();
    await db.kysely
      .updateTable('records')
      .set({ first_response_at: sql<number>`created_at + 1000`, first_response_ms: 1000, first_response_by: org.admin.id })
      .where('survey_id', '=', org.surveyId)
      .where('status', '=', 'closed')
      .execute();
    if (dialect === 'pg') await sql`vacuum analyze records`.execute(db.kysely);
    const now = Date.now();
    const scopes = [
      { surveyIds: [org.surveyId] },
      { surveyIds: [org.surveyId], numberId: org.numberId },
      { surveyIds: [org.surveyId], numberId: org.numberId, userId: org.admin.id },
    ];
    // A raw query compiles against a handle.
    const bound = (raw: RawBuilder<unknown>): Compilable => ({ compile: () => raw.compile(db.kysely) });
    const days = Array.from({ length: 90 }, (_, i) => ({ startAt: now - (90 - i) * 86_400_000, endAt: now - (89 - i) * 86_400_000 }));
    for (const scope of scopes) {
      const plans = [
        ['records_first_responses', await plan(bound(durationSpreadsQuery(db, 'first-response', scope, days)))],
        [
          'records_first_responses',
          await plan(bound(durationSpreadsQuery(db, 'first-response', scope, { worker: { from: now - 86_400_000, to: now } }))),
        ],
        ['records_closes', await plan(bound(durationSpreadsQuery(db, 'close', scope, days)))],
      ] as const;
      for (const [index, text] of plans) {
        expectNoWholeTable(text);
        if (dialect === 'sqlite')
          expect(text).toMatch(new RegExp(`USING COVERING INDEX ${index} \\(survey_id=\\? AND \\w+>\\? AND \\w+<\\?\\)`));
        else expect(text).toContain(`Index Only Scan using ${index}`);
      }
    }
  });

  it("the job worker's claim reads jobs_ready in order, however many timers wait", async () => {
    const { db } = h.caseline();
    const plain = await plan(dueJobsQuery(db.kysely, ['alert.first', 'media.fetch'], Date.now(), 4));
    const claimed = await plan(db.skipLocked(dueJobsQuery(db.kysely, ['alert.first', 'media.fetch'], Date.now(), 4)));
    for (const text of [plain, claimed]) {
      expect(text).toContain('jobs_ready');
      if (dialect === 'sqlite') expect(text).not.toMatch(/TEMP B-TREE|SCAN jobs\b(?! USING)/);
      else expect(text).not.toMatch(/Seq Scan on jobs|(^|->\s+)(Incremental )?Sort\b/m);
    }
  });

  it('the look for unused blobs finds each blob’s items through media_blob, which holds only items with bytes', async () => {
    const text = await plan(orphanBlobsQuery(h.caseline().db.kysely, Date.now(), 500));
    expect(text).toContain('media_blob');
    if (dialect === 'sqlite') expect(text).not.toMatch(/SCAN m\b(?! USING)/);
    else expect(text).not.toMatch(/Seq Scan on media\b/);
  });
});
