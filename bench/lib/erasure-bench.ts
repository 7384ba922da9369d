import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { sql } from 'kysely';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import type { Seed } from '../seed.js';
import { BenchApi } from './caseline-setup.js';
import { createBenchDatabase, type BenchDialect } from './databases.js';
import { round } from './load.js';
import { backgroundBusyPercent } from './machine.js';
import { memoryOf, round1, startCaseline, watchMemory, type BenchProcess } from './processes.js';
import { prepareSeededCopy } from './seeded-copy.js';

/**
 * Erasure of one person (DESIGN.md §9) on a copy of the seeded million cases: the person
 * gets `cases` cases after the seeded ones, holding `messages` messages between them (every
 * third an outbound reply), with their history and an opt-out, written straight into the
 * tables. Then one `POST /contacts/erase {contact}` is timed, and the database checked: the
 * person's number is gone from records, messages, opt-outs and history, each of their cases
 * has one tombstone, and nobody else's case or message was touched. With `providerIds` false
 * the person's messages carry no provider id, so the erasure books no provider-delete jobs.
 */
export interface ErasureBenchResult {
  cases: number;
  messages: number;
  /** Whether the person's messages had provider ids (a provider-delete job each). */
  providerIds: boolean;
  /** The seed the person's data sits among. */
  otherCases: number;
  otherMessages: number;
  copySeconds: number;
  insertSeconds: number;
  /** The one request, from sending it to its answer. */
  seconds: number;
  messagesPerSecond: number;
  status: number;
  answer: { records?: number; messages?: number; media?: number } | null;
  peakRssMiB: number;
  lifetimePeakRssMiB: number;
  verify: ErasureCheck;
  /** Other programs' CPU on the machine just before the request. */
  backgroundBusyPercent: number | null;
}

export interface ErasureCheck {
  /** Rows still holding the person's number (each must be 0). */
  recordsWithNumber: number;
  messagesWithNumber: number;
  optOutsWithNumber: number;
  historyWithNumber: number;
  /** The person's cases redacted, their messages emptied, tombstones written. */
  casesRedacted: number;
  messagesEmptied: number;
  tombstones: number;
  /** Cases and messages of other people emptied (must be 0). */
  othersRedacted: number;
  othersEmptied: number;
  ok: boolean;
}

export const ERASED_CONTACT = '+447911000001';
const INSERT_CHUNK = 500;

export async function measureErasure(
  dialect: BenchDialect,
  seed: Seed,
  options: { cases: number; messages: number; providerIds: boolean; log: (line: string) => void },
): Promise<ErasureBenchResult> {
  const { log } = options;
  const meta = seed.meta;
  const copyStarted = performance.now();
  const database = await createBenchDatabase(dialect, seed.source);
  let server: BenchProcess | undefined;
  try {
    const copySeconds = round((performance.now() - copyStarted) / 1000);
    const insertStarted = performance.now();
    await insertPerson(database.config, meta, options);
    await prepareSeededCopy(database, meta.orgId, meta.cases + options.cases);
    const insertSeconds = round((performance.now() - insertStarted) / 1000);
    log(
      `  copied in ${copySeconds} s; ${options.cases} cases with ${options.messages.toLocaleString()} messages written in ${insertSeconds} s`,
    );

    server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
    const api = await BenchApi.login(server.url);
    const busy = await backgroundBusyPercent();
    const memory = watchMemory(server.pid);
    const started = performance.now();
    const answer = await postJson(`${server.url}/api/v1/contacts/erase`, api.token, { contact: ERASED_CONTACT });
    const seconds = (performance.now() - started) / 1000;
    const { phasePeakRssMiB } = memory.stop();
    const body = parseAnswer(answer.body);
    if (answer.status >= 300) log(`  the server's last output:\n${server.output().slice(-3000)}`);
    log(`  POST /contacts/erase: ${answer.status} in ${round(seconds, 2)} s, answer ${answer.status < 300 ? answer.body : '(an error)'}`);
    const verify = await checkErasure(database.config, meta.cases);
    log(
      `  check: number left in ${verify.recordsWithNumber} records, ${verify.messagesWithNumber} messages, ` +
        `${verify.optOutsWithNumber} opt-outs, ${verify.historyWithNumber} history rows; ${verify.casesRedacted} cases redacted, ` +
        `${verify.messagesEmptied.toLocaleString()} messages emptied, ${verify.tombstones} tombstones; ` +
        `others touched: ${verify.othersRedacted} cases, ${verify.othersEmptied} messages${verify.ok ? '' : ' — CHECK FAILED'}`,
    );
    return {
      cases: options.cases,
      messages: options.messages,
      providerIds: options.providerIds,
      otherCases: meta.cases,
      otherMessages: meta.messages,
      copySeconds,
      insertSeconds,
      seconds: round(seconds, 2),
      messagesPerSecond: round(options.messages / seconds),
      status: answer.status,
      answer: body,
      peakRssMiB: phasePeakRssMiB,
      lifetimePeakRssMiB: round1(memoryOf(server.pid)?.peakMiB ?? NaN),
      backgroundBusyPercent: busy,
      verify: {
        ...verify,
        ok:
          verify.ok &&
          answer.status === 200 &&
          verify.casesRedacted === options.cases &&
          verify.messagesEmptied === options.messages &&
          verify.tombstones === options.cases,
      },
    };
  } finally {
    await server?.stop();
    await database.drop();
  }
}

function parseAnswer(text: string): ErasureBenchResult['answer'] {
  try {
    return JSON.parse(text) as ErasureBenchResult['answer'];
  } catch {
    return null;
  }
}

/** A POST without a client-side timeout (fetch gives up on headers after 300 s). */
function postJson(url: string, token: string, body: unknown): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The person's cases (numbered after the seeded ones), messages, links, history and an opt-out. */
async function insertPerson(
  config: DatabaseConfig,
  meta: Seed['meta'],
  { cases, messages, providerIds }: { cases: number; messages: number; providerIds: boolean },
): Promise<void> {
  const db = await openDatabase(config, { listen: false });
  try {
    const admin = await db.kysely.selectFrom('users').select('id').where('org_id', '=', meta.orgId).limit(1).executeTakeFirstOrThrow();
    const t0 = Date.now() - 200 * 86_400_000;
    const records = Array.from({ length: cases }, (_, c) => {
      const createdAt = t0 + c * 86_400_000;
      const open = c % 10 === 9;
      return {
        id: randomUUID(),
        org_id: meta.orgId,
        survey_id: meta.surveyId,
        case_number: meta.cases + 1 + c,
        contact: ERASED_CONTACT,
        number_id: meta.number.numberId,
        answers: JSON.stringify({ phone: ERASED_CONTACT, status: open ? 'new' : 'closed' }),
        status: open ? ('open' as const) : ('closed' as const),
        locked_by: null,
        locked_at: null,
        version: 0,
        created_at: createdAt,
        updated_at: createdAt + 3_600_000,
        closed_at: open ? null : createdAt + 3_600_000,
        waiting_since: null,
        redacted_at: null,
      };
    });
    const rows = Array.from({ length: messages }, (_, k) => {
      const record = records[k % cases]!;
      const out = k % 3 === 2;
      const at = record.created_at + Math.floor(k / cases) * 1000;
      return {
        message: {
          id: randomUUID(),
          org_id: meta.orgId,
          number_id: meta.number.numberId,
          direction: out ? ('out' as const) : ('in' as const),
          contact: ERASED_CONTACT,
          body: out
            ? `We have your message, case #${record.case_number}`
            : `Message ${k}: my address is 12 Example Road, call me on ${ERASED_CONTACT}`,
          provider_message_id: providerIds ? `SMerase${String(k).padStart(26, '0')}` : null,
          status: out ? ('delivered' as const) : ('received' as const),
          error_code: null,
          error_text: null,
          author_id: out ? admin.id : null,
          automatic: 0,
          created_at: at,
          updated_at: at,
        },
        link: { record_id: record.id, message_id: '', added_at: at },
        history: {
          record_id: record.id,
          user_id: out ? admin.id : null,
          action: out ? 'message.out' : 'message.in',
          detail: '',
          created_at: at,
        },
      };
    });
    for (const row of rows) {
      row.link.message_id = row.message.id;
      row.history.detail = JSON.stringify({ messageId: row.message.id });
    }
    await db.transaction(async (tx) => {
      await tx.db.insertInto('records').values(records).execute();
      const history = [
        ...records.map((r) => ({
          record_id: r.id,
          user_id: null,
          action: 'created',
          detail: '{"by":"message"}',
          created_at: r.created_at,
        })),
        ...records
          .filter((r) => r.status === 'closed')
          .map((r) => ({ record_id: r.id, user_id: admin.id, action: 'closed', detail: '{}', created_at: r.updated_at })),
        ...rows.map((row) => row.history),
      ];
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        await tx.db
          .insertInto('messages')
          .values(chunk.map((row) => row.message))
          .execute();
        await tx.db
          .insertInto('record_messages')
          .values(chunk.map((row) => row.link))
          .execute();
      }
      for (let i = 0; i < history.length; i += INSERT_CHUNK) {
        await tx.db
          .insertInto('history')
          .values(history.slice(i, i + INSERT_CHUNK))
          .execute();
      }
      await tx.db.insertInto('opt_outs').values({ number_id: meta.number.numberId, contact: ERASED_CONTACT, created_at: t0 }).execute();
      await tx.db
        .updateTable('organisations')
        .set({ last_case_number: meta.cases + cases })
        .where('id', '=', meta.orgId)
        .execute();
    });
  } finally {
    await db.close();
  }
}

async function checkErasure(config: DatabaseConfig, seededCases: number): Promise<ErasureCheck> {
  const db = await openDatabase(config, { listen: false });
  try {
    const k = db.kysely;
    const n = sql<number>`count(*)`.as('n');
    const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
      Number((await query.executeTakeFirstOrThrow()).n);
    const ours = k.selectFrom('records').where('case_number', '>', seededCases);
    const others = k.selectFrom('records').where('case_number', '<=', seededCases);
    const emptied = k
      .selectFrom('messages as m')
      .innerJoin('record_messages as rm', 'rm.message_id', 'm.id')
      .innerJoin('records as r', 'r.id', 'rm.record_id')
      .where('m.body', '=', '');
    const result: ErasureCheck = {
      recordsWithNumber: await count(k.selectFrom('records').select(n).where('contact', '=', ERASED_CONTACT)),
      messagesWithNumber: await count(
        k
          .selectFrom('messages')
          .select(n)
          .where((eb) => eb.or([eb('contact', '=', ERASED_CONTACT), eb('body', 'like', `%${ERASED_CONTACT}%`)])),
      ),
      optOutsWithNumber: await count(k.selectFrom('opt_outs').select(n).where('contact', '=', ERASED_CONTACT)),
      historyWithNumber: await count(
        k
          .selectFrom('history')
          .select(n)
          .where('detail', 'like', `%${ERASED_CONTACT.slice(1)}%`),
      ),
      casesRedacted: await count(ours.select(n).where('redacted_at', 'is not', null).where('contact', 'is', null)),
      messagesEmptied: await count(emptied.select(n).where('r.case_number', '>', seededCases)),
      tombstones: await count(
        k
          .selectFrom('history as h')
          .innerJoin('records as r', 'r.id', 'h.record_id')
          .select(n)
          .where('h.action', '=', 'erased')
          .where('r.case_number', '>', seededCases),
      ),
      othersRedacted: await count(others.select(n).where('redacted_at', 'is not', null)),
      othersEmptied: await count(emptied.select(n).where('r.case_number', '<=', seededCases)),
      ok: false,
    };
    result.ok =
      result.recordsWithNumber === 0 &&
      result.messagesWithNumber === 0 &&
      result.optOutsWithNumber === 0 &&
      result.historyWithNumber === 0 &&
      result.othersRedacted === 0 &&
      result.othersEmptied === 0;
    return result;
  } finally {
    await db.close();
  }
}
