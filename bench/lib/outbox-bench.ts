import { openDatabase } from '../../src/db/database.js';
import { queueOutbound } from '../../src/services/outbound.js';
import { deliverWebhook } from '../../test/support/fake-server.js';
import { signTwilioWebhook, startFakeTwilio, twilioInboundFields, type FakeTwilio } from '../../test/support/fake-twilio.js';
import { freePort } from '../../test/support/server-process.js';
import { BenchApi, type TwilioNumberSetup } from './caseline-setup.js';
import { createBenchDatabase, type BenchDialect } from './databases.js';
import { round } from './load.js';
import { watchCpu } from './machine.js';
import { startCaseline, watchMemory } from './processes.js';

/**
 * The outbox: replies queued in the database (through `queueOutbound`, the function the
 * reply service uses, so each has its message, case link and outbox row), then a server
 * started to send them to the fake Twilio API on 127.0.0.1. Sends per second are counted
 * where Twilio would count them, at the fake's door, from the first send to the last.
 */
export interface OutboxScenario {
  numbers: number;
  ratePerNumber: number;
  queued: number;
  /** Sends the fake Twilio accepted during the scenario. */
  sent: number;
  /** Bodies sent more than once (should be 0). */
  duplicates: number;
  /** First send to last, all numbers together. */
  sendsPerSecond: number;
  /** The busiest 1-second window at the fake, per number (the rate limit's check). */
  maxPerNumberInAnySecond: number;
  /** Mean rate of the busiest number. */
  meanPerNumberPerSecond: number;
  /** Server start to the last send recorded as done in the database. */
  drainSeconds: number;
  peakRssMiB: number;
  lifetimePeakRssMiB: number;
  cpu: { oursPercent: number; postgresPercent: number; otherPercent: number } | null;
}

export interface OutboxResult {
  oneNumber: OutboxScenario;
  eightNumbers: OutboxScenario;
  /** One number at 1,000/s while the provider takes `providerAnswerMs` to answer each send, as real APIs do. */
  slowProvider: OutboxScenario & { providerAnswerMs: number };
  rateLimited: OutboxScenario & { limit: number; holds: boolean };
}

/** Replies of a scenario go round-robin to this many people per number, each with a case. */
const PEOPLE_PER_NUMBER = 100;

interface BenchNumber extends TwilioNumberSetup {
  people: Array<{ contact: string; recordId: string }>;
}

export async function measureOutbox(
  dialect: BenchDialect,
  options: {
    oneNumberCount: number;
    eightNumbersCount: number;
    slowProviderCount: number;
    providerAnswerMs: number;
    limitedRate: number;
    limitedCount: number;
    log: (line: string) => void;
  },
): Promise<OutboxResult> {
  const twilio = await startFakeTwilio();
  const database = await createBenchDatabase(dialect);
  const port = await freePort();
  const start = () => startCaseline({ databaseUrl: database.url, dataDir: database.dir, twilioApiUrl: twilio.url, port });
  try {
    let server = await start();
    const api = await BenchApi.login(server.url);
    const surveyId = await api.createSurvey();
    const make = async (index: number, rate: number): Promise<BenchNumber> => {
      const ourNumber = `+4477009001${String(index).padStart(2, '0')}`;
      const number = await api.createTwilioNumber(surveyId, { ourNumber, sendRatePerSecond: rate });
      // Cases opened by signed inbound messages, one per person; replies link to them. A
      // person's replies go out one at a time, so the people, not one, set the pace.
      const url = `${server.url}${number.webhookPath}`;
      const people: BenchNumber['people'] = [];
      for (let p = 0; p < PEOPLE_PER_NUMBER; p++) {
        const contact = `+447700${String(index).padStart(2, '0')}${String(p).padStart(4, '0')}`;
        const fields = twilioInboundFields({ from: contact, to: ourNumber, text: 'hello', accountSid: number.accountSid });
        const answer = await deliverWebhook(url, signTwilioWebhook(url, fields, number.authToken));
        if (answer.status !== 200) throw new Error(`outbox set-up webhook: ${answer.status} ${answer.body}`);
        people.push({ contact, recordId: '' });
      }
      return { ...number, people };
    };
    const fast = await make(0, 1000);
    const eight = await Promise.all(Array.from({ length: 8 }, (_, i) => make(1 + i, 1000)));
    const limited = await make(9, options.limitedRate);
    const slow = await make(10, 1000);
    await server.stop();

    const db = await openDatabase(database.config, { listen: false });
    const orgId = (await db.kysely.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
    for (const n of [fast, ...eight, limited, slow]) {
      for (const person of n.people) {
        person.recordId = (
          await db.kysely.selectFrom('records').select('id').where('contact', '=', person.contact).executeTakeFirstOrThrow()
        ).id;
      }
    }
    await db.close();

    const scenario = async (
      label: string,
      groups: Array<{ number: BenchNumber; count: number }>,
      rate: number,
    ): Promise<OutboxScenario> => {
      const queueDb = await openDatabase(database.config, { listen: false });
      try {
        for (const { number, count } of groups) {
          for (let from = 0; from < count; from += 500) {
            await queueDb.transaction(async (tx) => {
              for (let k = from; k < Math.min(count, from + 500); k++) {
                const person = number.people[k % number.people.length]!;
                await queueOutbound(tx, {
                  orgId,
                  numberId: number.numberId,
                  contact: person.contact,
                  text: `${label} reply ${k} to ${person.contact}`,
                  authorId: null,
                  recordIds: [person.recordId],
                  at: Date.now(),
                });
              }
            });
          }
        }
      } finally {
        await queueDb.close();
      }
      const queued = groups.reduce((n, g) => n + g.count, 0);
      const firstIndex = twilio.sent.length;
      const started = performance.now();
      server = await start();
      const memory = watchMemory(server.pid);
      const cpu = watchCpu([server.pid]);
      const deadline = Date.now() + 120_000;
      while (twilio.sent.length - firstIndex < queued && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const checkDb = await openDatabase(database.config, { listen: false });
      let done = 0;
      try {
        for (;;) {
          done = Number(
            (
              await checkDb.kysely
                .selectFrom('outbox')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('state', '=', 'done')
                .executeTakeFirstOrThrow()
            ).n,
          );
          if (done >= totalQueued + queued || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await checkDb.close();
      }
      const drainSeconds = round((performance.now() - started) / 1000, 2);
      const { phasePeakRssMiB } = memory.stop();
      const cpuUse = cpu.stop();
      await new Promise((r) => setTimeout(r, 300));
      const lifetime = watchMemory(server.pid).stop().lifetimePeakMiB;
      await server.stop();
      totalQueued += queued;
      const result = summarise(twilio, firstIndex, groups, rate);
      const scenarioResult: OutboxScenario = {
        ...result,
        queued,
        drainSeconds,
        peakRssMiB: phasePeakRssMiB,
        lifetimePeakRssMiB: lifetime,
        cpu: cpuUse,
      };
      options.log(
        `  ${label}: ${scenarioResult.sent}/${queued} sent, ${scenarioResult.sendsPerSecond}/s overall, busiest number: ` +
          `${scenarioResult.meanPerNumberPerSecond}/s mean, max ${scenarioResult.maxPerNumberInAnySecond} in any 1 s, duplicates ${scenarioResult.duplicates}` +
          (cpuUse ? `; CPU other programs ${cpuUse.otherPercent}%` : ''),
      );
      return scenarioResult;
    };
    let totalQueued = 0;

    const oneNumber = await scenario('one number at 1000/s', [{ number: fast, count: options.oneNumberCount }], 1000);
    const eightNumbers = await scenario(
      'eight numbers at 1000/s each',
      eight.map((number) => ({ number, count: Math.ceil(options.eightNumbersCount / 8) })),
      1000,
    );
    twilio.answerAfter(options.providerAnswerMs);
    const slowRun = await scenario(
      `one number at 1000/s, provider answering in ${options.providerAnswerMs} ms`,
      [{ number: slow, count: options.slowProviderCount }],
      1000,
    );
    twilio.answerAfter(0);
    const limitedRun = await scenario(
      `one number limited to ${options.limitedRate}/s`,
      [{ number: limited, count: options.limitedCount }],
      options.limitedRate,
    );
    return {
      oneNumber,
      eightNumbers,
      slowProvider: { ...slowRun, providerAnswerMs: options.providerAnswerMs },
      rateLimited: {
        ...limitedRun,
        limit: options.limitedRate,
        // Times are taken at the fake on arrival: one send delayed by the network next to
        // one on time can put limit+1 arrivals in a window, so the window allows one more.
        holds: limitedRun.meanPerNumberPerSecond <= options.limitedRate && limitedRun.maxPerNumberInAnySecond <= options.limitedRate + 1,
      },
    };
  } finally {
    await twilio.close();
    await database.drop();
  }
}

function summarise(
  twilio: FakeTwilio,
  firstIndex: number,
  groups: Array<{ number: BenchNumber; count: number }>,
  rate: number,
): Omit<OutboxScenario, 'queued' | 'drainSeconds' | 'peakRssMiB' | 'lifetimePeakRssMiB' | 'cpu'> {
  const sent = twilio.sent.slice(firstIndex);
  const bodies = new Map<string, number>();
  for (const s of sent) bodies.set(s.body.Body ?? '', (bodies.get(s.body.Body ?? '') ?? 0) + 1);
  const duplicates = [...bodies.values()].filter((n) => n > 1).length;
  const times = sent.map((s) => s.receivedAt).sort((a, b) => a - b);
  const span = (times[times.length - 1]! - times[0]!) / 1000;
  let maxWindow = 0;
  let busiestMean = 0;
  for (const { number } of groups) {
    const own = sent
      .filter((s) => s.path.includes(`/Accounts/${number.accountSid}/`))
      .map((s) => s.receivedAt)
      .sort((a, b) => a - b);
    let j = 0;
    for (let i = 0; i < own.length; i++) {
      while (j < own.length && own[j]! < own[i]! + 1000) j++;
      maxWindow = Math.max(maxWindow, j - i);
    }
    if (own.length > 1) busiestMean = Math.max(busiestMean, (own.length - 1) / ((own[own.length - 1]! - own[0]!) / 1000));
  }
  return {
    numbers: groups.length,
    ratePerNumber: rate,
    sent: sent.length,
    duplicates,
    sendsPerSecond: round(span > 0 ? (sent.length - 1) / span : NaN),
    maxPerNumberInAnySecond: maxWindow,
    meanPerNumberPerSecond: round(busiestMean),
  };
}
