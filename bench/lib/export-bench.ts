import { request } from 'node:http';
import type { Seed } from '../seed.js';
import { BenchApi } from './caseline-setup.js';
import type { BenchDialect } from './databases.js';
import { round } from './load.js';
import { backgroundBusyPercent, watchCpu, type CpuUse } from './machine.js';
import { memoryOf, round1, startCaseline, watchMemory, type BenchProcess } from './processes.js';
import { copySeed } from './seeded-copy.js';

/**
 * The case export at scale (DESIGN.md §10 "Export": a million cases streamed in under 250 MiB
 * of server memory): every case of the seeded survey as CSV and as XLSX, downloaded over
 * HTTP as fast as the client reads and counted as it arrives (nothing kept), while the
 * server's resident memory is sampled every 100 ms. A run that passes `maxSec` is cut off
 * and reported as unfinished, with what had arrived by then.
 */
export interface ExportRun {
  format: 'csv' | 'xlsx';
  include: string;
  status: number;
  finished: boolean;
  seconds: number;
  /** Until the response's headers arrived. */
  firstByteMs: number;
  bytes: number;
  /** CSV: records counted in the file (CRLF-ended lines less the header); XLSX: not counted. */
  rows: number | null;
  /** Cases the server recorded for this export in the privacy audit trail. */
  auditCases: number | null;
  casesPerSecond: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  cpu: CpuUse | null;
}

export interface ExportBenchResult {
  cases: number;
  messages: number;
  copySeconds: number;
  targetMiB: number;
  maxSec: number;
  runs: ExportRun[];
  /** Whether every finished run stayed under the target. */
  met: boolean;
  lifetimePeakRssMiB: number;
  backgroundBusyPercent: number | null;
}

const TARGET_MIB = 250;

export async function measureExport(
  dialect: BenchDialect,
  seed: Seed,
  options: { maxSec: number; transcriptMaxSec: number; log: (line: string) => void },
): Promise<ExportBenchResult> {
  const { log } = options;
  const { cases, messages, surveyId } = seed.meta;
  const { database, copySeconds } = await copySeed(dialect, seed);
  let server: BenchProcess | undefined;
  try {
    server = await startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: 'http://127.0.0.1:9' });
    const api = await BenchApi.login(server.url);
    const busy = await backgroundBusyPercent();
    log(`  copied in ${copySeconds} s; other load on the machine before measuring: ${busy}% CPU`);
    const runs: ExportRun[] = [];
    const plan: Array<{ format: 'csv' | 'xlsx'; include: string; maxSec: number }> = [
      { format: 'csv', include: 'answers', maxSec: options.maxSec },
      { format: 'xlsx', include: 'answers', maxSec: options.maxSec },
      { format: 'csv', include: 'answers,transcript,notes', maxSec: options.transcriptMaxSec },
    ];
    for (const { format, include, maxSec } of plan) {
      const run = await download(server, api, surveyId, format, include, maxSec);
      runs.push(run);
      log(
        `  ${format} (${include}): ${run.finished ? 'finished' : `CUT OFF after ${maxSec} s`} in ${run.seconds} s, ` +
          `${(run.bytes / 2 ** 20).toFixed(1)} MiB, rows ${run.rows ?? '—'}, audit ${run.auditCases ?? '—'} cases, ` +
          `${run.casesPerSecond} cases/s, server RSS ${run.rssBeforeMiB} → peak ${run.peakRssMiB} MiB` +
          (run.cpu ? `; CPU ours ${run.cpu.oursPercent}%, postgres ${run.cpu.postgresPercent}%, other ${run.cpu.otherPercent}%` : ''),
      );
    }
    return {
      cases,
      messages,
      copySeconds,
      targetMiB: TARGET_MIB,
      maxSec: options.maxSec,
      runs,
      met: runs.every((run) => run.peakRssMiB < TARGET_MIB),
      lifetimePeakRssMiB: round1(memoryOf(server.pid)?.peakMiB ?? NaN),
      backgroundBusyPercent: busy,
    };
  } finally {
    await server?.stop();
    await database.drop();
  }
}

async function download(
  server: BenchProcess,
  api: BenchApi,
  surveyId: string,
  format: 'csv' | 'xlsx',
  include: string,
  maxSec: number,
): Promise<ExportRun> {
  // Between runs the server settles, so each run's peak is its own.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const rssBeforeMiB = round1(memoryOf(server.pid)?.rssMiB ?? NaN);
  const memory = watchMemory(server.pid);
  const cpu = watchCpu([server.pid]);
  const started = performance.now();
  const url = new URL(`/api/v1/surveys/${surveyId}/export?format=${format}&include=${encodeURIComponent(include)}`, server.url);
  const counted = await new Promise<{ status: number; bytes: number; crlf: number; finished: boolean; firstByteMs: number }>(
    (resolve, reject) => {
      let bytes = 0;
      let crlf = 0;
      let lastByte = 0;
      let firstByteMs = NaN;
      const req = request(url, { headers: { authorization: `Bearer ${api.token}` } }, (res) => {
        firstByteMs = performance.now() - started;
        const timer = setTimeout(() => {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, bytes, crlf, finished: false, firstByteMs });
        }, maxSec * 1000);
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (format === 'csv') {
            // A record ends with CR LF; a line break inside a cell is a bare LF.
            if (lastByte === 13 && chunk[0] === 10) crlf++;
            for (let i = chunk.indexOf(13); i !== -1 && i < chunk.length - 1; i = chunk.indexOf(13, i + 1)) {
              if (chunk[i + 1] === 10) crlf++;
            }
            lastByte = chunk[chunk.length - 1]!;
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, bytes, crlf, finished: true, firstByteMs });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      req.on('error', reject);
      req.end();
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuUse = cpu.stop();
  const { phasePeakRssMiB } = memory.stop();
  const audit = await api.call<{ items?: Array<{ action: string; counts: Record<string, number> }> }>('GET', '/audit/privacy');
  const auditCases = audit.body?.items?.find((entry) => entry.action === 'case-export')?.counts.cases ?? null;
  const rows = format === 'csv' ? Math.max(0, counted.crlf - 1) : null;
  return {
    format,
    include,
    status: counted.status,
    finished: counted.finished && counted.status === 200,
    seconds: round(seconds, 1),
    firstByteMs: round(counted.firstByteMs, 1),
    bytes: counted.bytes,
    rows,
    auditCases,
    casesPerSecond: round((rows ?? (counted.finished ? auditCases : null) ?? 0) / seconds),
    rssBeforeMiB,
    peakRssMiB: phasePeakRssMiB,
    cpu: cpuUse,
  };
}
