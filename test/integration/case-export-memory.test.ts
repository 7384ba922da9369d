import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { describeEachDialect, freshDatabase } from '../support/dialects.js';
import { serverEnv, setUpTwilioNumber, type TwilioSetup } from '../support/fault-kit.js';
import { startCommand } from '../support/start-command.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const CASES = 100_000;
const MIB = 1024 * 1024;
/** DESIGN.md §10 asks a million cases under 250 MiB; a tenth of that must stay well inside it. */
const RSS_BOUND = 250 * MIB;
/** What the export may add to the idle server (SQLite's page cache counts in RSS too): pages, not the whole survey. */
const GROWTH_BOUND = 48 * MIB;

/** The server's resident memory now, from the kernel. */
function rssOf(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) * 1024 : 0;
}

const SEED_START = Date.parse('2026-01-01T00:00:00Z');

/** Cases and one inbound message each, written straight into the database in one transaction. */
async function seed(config: DatabaseConfig, setup: TwilioSetup): Promise<void> {
  if (config.dialect === 'sqlite') seedSqlite(config.path, setup);
  else await seedPostgres(config.url, setup);
}

function seedSqlite(path: string, setup: TwilioSetup): void {
  const db = new Database(path);
  db.pragma('busy_timeout = 10000');
  const orgId = (db.prepare('select org_id from surveys where id = ?').get(setup.surveyId) as { org_id: string }).org_id;
  const start = SEED_START;
  const record = db.prepare(
    `insert into records (id, org_id, survey_id, case_number, contact, number_id, answers, status, version, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?)`,
  );
  const message = db.prepare(
    `insert into messages (id, org_id, number_id, direction, contact, body, status, automatic, created_at, updated_at)
     values (?, ?, ?, 'in', ?, ?, 'received', 0, ?, ?)`,
  );
  const link = db.prepare('insert into record_messages (record_id, message_id, added_at) values (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= CASES; i++) {
      const contact = `+4477009${String(i).padStart(5, '0')}`;
      const at = start + i * 1000;
      const answers = JSON.stringify({ phone: contact, status: 'new', notes_text: `=caller ${i} asked about their rent and repairs` });
      record.run(`rec-${i}`, orgId, setup.surveyId, i, contact, setup.numberId, answers, at, at);
      message.run(`msg-${i}`, orgId, setup.numberId, contact, `Message ${i}: my landlord has not fixed the boiler since last week`, at, at);
      link.run(`rec-${i}`, `msg-${i}`, at);
    }
    db.prepare('update organisations set last_case_number = ? where id = ?').run(CASES, orgId);
  })();
  db.close();
}

/** The same rows as on SQLite, made by PostgreSQL itself. */
async function seedPostgres(url: string, setup: TwilioSetup): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ org_id: string }>('select org_id from surveys where id = $1', [setup.surveyId]);
    const params = [rows[0]!.org_id, setup.surveyId, setup.numberId, SEED_START, CASES];
    await client.query('begin');
    await client.query(
      `insert into records (id, org_id, survey_id, case_number, contact, number_id, answers, status, version, created_at, updated_at)
       select 'rec-' || i, $1, $2, i, '+4477009' || lpad(i::text, 5, '0'), $3,
         json_build_object('phone', '+4477009' || lpad(i::text, 5, '0'), 'status', 'new',
           'notes_text', '=caller ' || i || ' asked about their rent and repairs')::text,
         'open', 1, $4::bigint + i * 1000, $4::bigint + i * 1000
       from generate_series(1, $5::int) as i`,
      params,
    );
    await client.query(
      `insert into messages (id, org_id, number_id, direction, contact, body, status, automatic, created_at, updated_at)
       select 'msg-' || i, $1, $3, 'in', '+4477009' || lpad(i::text, 5, '0'),
         'Message ' || i || ': my landlord has not fixed the boiler since last week', 'received', 0,
         $4::bigint + i * 1000, $4::bigint + i * 1000
       from generate_series(1, $5::int) as i where $2::text is not null`,
      params,
    );
    await client.query(
      `insert into record_messages (record_id, message_id, added_at)
       select 'rec-' || i, 'msg-' || i, $1::bigint + i * 1000 from generate_series(1, $2::int) as i`,
      [SEED_START, CASES],
    );
    await client.query('commit');
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/**
 * The export streams in bounded memory (DESIGN.md §10): 100,000 cases with their
 * transcripts downloaded from a real server process, its RSS sampled throughout. The
 * cases are written straight into the database (through the API it would take minutes).
 */
describeEachDialect('case export memory', (dialect) => {
  let dir = '';
  let server: ServerProcess | null = null;
  let setup: TwilioSetup;
  let drop: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-export-memory-'));
    const database = await freshDatabase(dialect, dir);
    drop = database.drop;
    // As `npm start` runs it (its heap settings and allocator), so the test measures what production runs.
    const start = startCommand();
    server = await startServerProcess({ ...serverEnv(database.config, dir), ...start.env }, { nodeArgs: start.nodeFlags });
    setup = await setUpTwilioNumber(server.url);
    await seed(database.config, setup);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('downloads 100,000 cases as CSV while the server stays under 250 MiB', { timeout: 90_000 }, async () => {
    const pid = server!.child.pid!;
    const before = rssOf(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 25);
    let rows = 0;
    let bytes = 0;
    try {
      const res = await fetch(`${server!.url}/api/v1/surveys/${setup.surveyId}/export?format=csv&include=answers,transcript,notes`, {
        headers: { authorization: `Bearer ${setup.token}` },
      });
      expect(res.status).toBe(200);
      const decoder = new TextDecoder();
      let carry = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        // Rows end in CRLF; the transcript's own line breaks are bare LF.
        const text = carry + decoder.decode(chunk, { stream: true });
        const parts = text.split('\r\n');
        carry = parts.pop()!;
        rows += parts.length;
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(pid));
    expect(rows).toBe(CASES + 1);
    expect(bytes).toBeGreaterThan(CASES * 100);
    expect(peak, `peak RSS ${Math.round(peak / MIB)} MiB (before: ${Math.round(before / MIB)} MiB)`).toBeLessThan(RSS_BOUND);
    expect(peak - before, `RSS grew ${Math.round((peak - before) / MIB)} MiB`).toBeLessThan(GROWTH_BOUND);
  });

  it('downloads the same cases as XLSX within the same bounds', { timeout: 90_000 }, async () => {
    const pid = server!.child.pid!;
    const before = rssOf(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 25);
    let bytes = 0;
    try {
      const res = await fetch(`${server!.url}/api/v1/surveys/${setup.surveyId}/export?format=xlsx&include=answers,transcript`, {
        headers: { authorization: `Bearer ${setup.token}` },
      });
      expect(res.status).toBe(200);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(pid));
    // Deflated XML: still well over a byte per case.
    expect(bytes).toBeGreaterThan(CASES * 10);
    expect(peak, `peak RSS ${Math.round(peak / MIB)} MiB (before: ${Math.round(before / MIB)} MiB)`).toBeLessThan(RSS_BOUND);
    expect(peak - before, `RSS grew ${Math.round((peak - before) / MIB)} MiB`).toBeLessThan(GROWTH_BOUND);
  });
});
