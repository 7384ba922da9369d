import { BIG_CASE_NUMBER, seedContact } from '../seed.js';
import { runGetLoad, type LoadFigures } from './load.js';
import { watchCpu } from './machine.js';
import { watchMemory, type BenchProcess } from './processes.js';

/**
 * Console reads on the seeded database, as a case worker's browser makes them, with an API
 * token: the first page of open cases, a case with 1,000 messages, a search by contact, the
 * waiting queue (`sort=waiting`, its first page and deeper pages) and the queue's counts.
 */
export interface ReadRun extends LoadFigures {
  path: string;
  peakRssMiB: number;
  cpu: { oursPercent: number; postgresPercent: number; otherPercent: number } | null;
}

export interface ReadsResult {
  openCasesFirstPage: ReadRun;
  caseWith1000Messages: ReadRun;
  searchByContact: ReadRun;
  /** Absent from results measured before the queue existed. */
  waitingQueue?: ReadRun;
  queueCounts?: ReadRun;
}

export async function measureReads(
  server: BenchProcess,
  options: { token: string; surveyId: string; cases: number; durationSec: number; connections: number; log: (line: string) => void },
): Promise<ReadsResult> {
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
  const measure = async (label: string, paths: string[]): Promise<ReadRun> => {
    // One request first, so a wrong path fails loudly instead of measuring 404s.
    const probe = await fetch(`${server.url}${paths[0]}`, { headers });
    if (!probe.ok) throw new Error(`${label}: ${paths[0]} answered ${probe.status} ${await probe.text()}`);
    const memory = watchMemory(server.pid);
    const cpu = watchCpu([server.pid]);
    const result = await runGetLoad({
      url: server.url,
      paths,
      headers,
      connections: options.connections,
      durationSec: options.durationSec,
    });
    const { phasePeakRssMiB } = memory.stop();
    const cpuUse = cpu.stop();
    options.log(
      `  ${label}: ${result.perSecond2xx}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, statuses ${JSON.stringify(result.statusCounts)}` +
        (cpuUse ? `; CPU ours ${cpuUse.oursPercent}%, postgres ${cpuUse.postgresPercent}%, other programs ${cpuUse.otherPercent}%` : ''),
    );
    return {
      ...result,
      path: paths.length === 1 ? paths[0]! : `${paths[0]} (and ${paths.length - 1} other contacts)`,
      peakRssMiB: phasePeakRssMiB,
      cpu: cpuUse,
    };
  };

  const openCasesFirstPage = await measure('first page of open cases', [`/api/v1/surveys/${options.surveyId}/records?status=open`]);
  const caseWith1000Messages = await measure('case with 1,000 messages', [`/api/v1/records/${BIG_CASE_NUMBER}`]);
  // Contacts of seeded cases spread over the whole table, open and closed.
  const contacts: string[] = [];
  for (let i = 0; i < 100; i++) {
    const caseNumber = 2 + Math.floor(((i * 7919) % 100) * (options.cases / 100)) + (i % 7);
    contacts.push(seedContact(Math.min(options.cases, caseNumber)));
  }
  const searchByContact = await measure(
    'search by contact',
    contacts.map((c) => `/api/v1/surveys/${options.surveyId}/records?contact=${encodeURIComponent(c)}`),
  );
  // The first page, and pages further down the queue (cursors taken 1, 5 and 20 pages in).
  const queuePath = `/api/v1/surveys/${options.surveyId}/records?sort=waiting`;
  const waitingPaths = [queuePath];
  let cursor: string | null = null;
  for (let page = 1; page <= 20; page++) {
    const res: Response = await fetch(`${server.url}${queuePath}${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    if (!res.ok) throw new Error(`waiting queue: page ${page} answered ${res.status}`);
    cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
    if (!cursor) break;
    if (page === 1 || page === 5 || page === 20) waitingPaths.push(`${queuePath}&cursor=${cursor}`);
  }
  const waitingQueue = await measure('waiting queue (sort=waiting)', waitingPaths);
  const queueCounts = await measure('queue counts', [`/api/v1/surveys/${options.surveyId}/queue`]);
  return { openCasesFirstPage, caseWith1000Messages, searchByContact, waitingQueue, queueCounts };
}
