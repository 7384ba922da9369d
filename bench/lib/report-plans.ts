import SqliteDatabase from 'better-sqlite3';
import type { CompiledQuery, KyselyPlugin } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { backlogAt, durationSpreads, slotCounts, workerCounts, type ReportScope } from '../../src/db/queries/reports.js';
import { round } from './load.js';

/**
 * Where a summary report's time goes: each of its five queries (src/db/queries/reports.ts)
 * timed alone through the server's own database layer, and its plan: `EXPLAIN QUERY PLAN` on
 * SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, for the text written next to the results.
 */
export interface ReportQueryTiming {
  name: string;
  /** Median of 5 runs, in the bench process (rows turned into objects included). */
  ms: number;
  rows: number;
}

const RUNS = 5;

export async function explainReportQueries(
  config: DatabaseConfig,
  surveyId: string,
  range: { from: number; to: number },
  workerId: string,
): Promise<{ timings: ReportQueryTiming[]; text: string }> {
  const db = await openDatabase(config, { listen: false });
  const captured: CompiledQuery[] = [];
  const capture: KyselyPlugin = {
    transformQuery(args) {
      captured.push(db.kysely.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  const executor = db.kysely.withPlugin(capture);
  const scope: ReportScope = { surveyIds: [surveyId] };
  const { from, to } = range;
  const days = Array.from({ length: Math.ceil((to - from) / 86_400_000) }, (_, i) => ({
    startAt: from + i * 86_400_000,
    endAt: Math.min(from + (i + 1) * 86_400_000, to),
  }));
  const queries: Array<{ name: string; run: () => Promise<unknown[] | number> }> = [
    { name: 'backlogAt', run: () => backlogAt(executor, scope, from) },
    { name: 'slotCounts', run: () => slotCounts(executor, scope, from, to) },
    { name: 'workerCounts', run: () => workerCounts(executor, scope, from, to) },
    { name: 'firstResponses', run: () => durationSpreads({ ...db, kysely: executor }, 'first-response', scope, days) },
    { name: 'closes', run: () => durationSpreads({ ...db, kysely: executor }, 'close', scope, days) },
    {
      name: 'workers first responses',
      run: () => durationSpreads({ ...db, kysely: executor }, 'first-response', scope, { worker: { from, to } }),
    },
    {
      name: 'firstResponses (one worker)',
      run: () => durationSpreads({ ...db, kysely: executor }, 'first-response', { ...scope, userId: workerId }, days),
    },
  ];
  const timings: ReportQueryTiming[] = [];
  const statements: Array<{ name: string; query: CompiledQuery }> = [];
  try {
    for (const query of queries) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS; i++) {
        captured.length = 0;
        const started = performance.now();
        const result = await query.run();
        times.push(performance.now() - started);
        rows = typeof result === 'number' ? 1 : result.length;
      }
      times.sort((a, b) => a - b);
      timings.push({ name: query.name, ms: round(times[Math.floor(RUNS / 2)]!, 1), rows });
      statements.push({ name: query.name, query: captured[0]! });
    }
  } finally {
    await db.close();
  }

  const sections: string[] = [];
  for (const { name, query } of statements) {
    const timing = timings.find((t) => t.name === name)!;
    const plan = await explain(config, query);
    sections.push(
      `-- ${name}: ${timing.ms} ms, ${timing.rows} rows\n${query.sql}\n-- parameters: ${JSON.stringify(query.parameters)}\n${plan}\n`,
    );
  }
  return { timings, text: sections.join('\n') };
}

async function explain(config: DatabaseConfig, query: CompiledQuery): Promise<string> {
  if (config.dialect === 'sqlite') {
    const sqlite = new SqliteDatabase(config.path, { readonly: true });
    try {
      const rows = sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as Array<{
        id: number;
        parent: number;
        detail: string;
      }>;
      const depth = new Map<number, number>([[0, 0]]);
      return rows
        .map((row) => {
          const level = (depth.get(row.parent) ?? 0) + 1;
          depth.set(row.id, level);
          return `${'  '.repeat(level)}${row.detail}`;
        })
        .join('\n');
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    const result = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${query.sql}`, query.parameters as unknown[]);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}
