import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database.js';
import type { MessageTable, OutboxTable } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import { SendError, type TemplateConfig } from '../providers/provider.js';
import { backoffDelay } from '../domain/backoff.js';
import { planSends, startDecision } from './pace.js';
import type { DeliveryPort, SendRecord, SendingNumber } from './ports.js';

export interface OutboxOptions {
  /** Rows claimed per round. */
  batchSize: number;
  /** How often to look for due rows when nothing wakes the worker. */
  pollMs: number;
  /** A claim older than this is taken to be a crashed worker's and claimed again. */
  claimMs: number;
  /** Transient failures are retried until this many attempts, then the message fails. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** How far ahead a claim may book a number's send slots. */
  paceHorizonMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  batchSize: 50,
  pollMs: 1000,
  claimMs: 60_000,
  maxAttempts: 8,
  backoffBaseMs: 2000,
  backoffCapMs: 10 * 60_000,
  paceHorizonMs: 1000,
};

/** Delivery reports for sends we never recorded are kept this long, then forgotten. */
const EARLY_STATUS_TTL_MS = 24 * 60 * 60 * 1000;

/** A claimed row and the time its send may start (the number's pace). */
type Claimed = OutboxTable & { startAt: number };

/** Rounds whose sends may be waiting for answers at once (times the claim size). */
const MAX_IN_FLIGHT_ROUNDS = 4;

/**
 * What a send needs of the message it carries; `to` is the contact, or the spelling
 * WhatsApp last gave for them where it differs (DESIGN.md §11).
 */
type OutboundMessage = Pick<MessageTable, 'id' | 'org_id' | 'contact' | 'body'> & { to: string };

interface Logger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SendOutcome {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * The durable sender (DESIGN.md §3): claims due outbox rows, sends them through the
 * provider port, and records the result. Safe with several processes: claims use
 * `SKIP LOCKED` on PostgreSQL, and a result is recorded only by the claim's holder.
 */
export class OutboxWorker {
  private readonly options: OutboxOptions;
  private rounds = 0;
  /** When this worker last started a send on each number. */
  private readonly lastStartAt = new Map<string, number>();
  /** Sends started and not yet answered and recorded, by number and person. */
  private readonly awaitingAnswer = new Map<string, Promise<unknown>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly onChange = (event: { type: string }) => {
    if (event.type === 'outbox.ready') this.wake?.();
  };

  constructor(
    private readonly deps: { db: Db; deliveries: DeliveryPort; now: () => number; logger: Logger },
    options: Partial<OutboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.deps.db.changes.on('change', this.onChange);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.deps.db.changes.off('change', this.onChange);
    this.wake?.();
    await this.loop;
    await Promise.all(this.awaitingAnswer.values());
  }

  /**
   * Rounds follow one another as soon as the last send of a round has started: answers
   * are awaited beside the next round, so a number keeps its pace however long the
   * provider takes to answer. Sends in flight are capped, so an API that stops answering
   * cannot pile up unbounded requests.
   */
  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        const round = await this.startRound();
        claimed = round.claimed;
        // A person with rows given back is waiting for an answer: the next claim can send
        // those rows once it is in.
        await Promise.all(round.busyPeople);
        while (this.awaitingAnswer.size >= MAX_IN_FLIGHT_ROUNDS * this.options.batchSize) {
          await Promise.race(this.awaitingAnswer.values());
        }
      } catch (error) {
        this.deps.logger.error({ err: error }, 'outbox round failed');
      }
      // Anything claimed means more may be due (rows given back, slots freed by the pace):
      // look again at once; only an empty claim waits.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() clears `running` while the round is awaited
      if (claimed > 0 || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** One round: claim what is due, send it, and wait for every answer. Exposed for tests and the CLI. */
  async runOnce(): Promise<SendOutcome & { claimed: number }> {
    const round = await this.startRound();
    const outcome: SendOutcome = { sent: 0, retried: 0, failed: 0 };
    for (const result of await round.outcomes) outcome[result] += 1;
    return { ...outcome, claimed: round.claimed };
  }

  /**
   * Claims what is due and starts each send at its slot; resolves once every claimed row
   * has been started or given back. `outcomes` settles when every answer is recorded;
   * `busyPeople` are the sends that made this round give rows back.
   */
  private async startRound(): Promise<{
    claimed: number;
    outcomes: Promise<Array<keyof SendOutcome>>;
    busyPeople: Array<Promise<unknown>>;
  }> {
    if (this.rounds++ % 600 === 0) await this.deps.deliveries.forgetEarlyStatuses(this.deps.now() - EARLY_STATUS_TTL_MS);
    const rows = await this.claim();
    if (rows.length === 0) return { claimed: 0, outcomes: Promise.resolve([]), busyPeople: [] };
    const messages = await this.messagesOf(rows);
    const byNumber = new Map<string, Claimed[]>();
    for (const row of rows) byNumber.set(row.number_id, [...(byNumber.get(row.number_id) ?? []), row]);
    // Numbers send in parallel, each at its own pace.
    const started = await Promise.all([...byNumber.values()].map((group) => this.sendAtPace(group, messages)));
    return {
      claimed: rows.length,
      outcomes: Promise.all(started.flatMap((s) => s.outcomes)),
      busyPeople: started.flatMap((s) => s.busyPeople),
    };
  }

  /**
   * Starts a number's sends at their slots, in order, without waiting for one to be answered
   * before starting the next: a provider's API takes tens to hundreds of milliseconds to
   * answer, so waiting would hold a number to a few sends a second whatever its rate.
   * A send to a person whose previous send is still out is given back for a later round,
   * so one person's replies reach the provider one at a time, in the order written.
   * Resolves once every row has started or been given back.
   */
  private async sendAtPace(
    group: Claimed[],
    messages: Map<string, OutboundMessage>,
  ): Promise<{ outcomes: Array<Promise<keyof SendOutcome>>; busyPeople: Array<Promise<unknown>> }> {
    let sender: SendingNumber;
    try {
      sender = await this.deps.deliveries.sendingNumber(group[0]!.number_id);
    } catch (caught) {
      // An archived number sends nothing more; the message fails at once, and can be sent again once restored.
      const error =
        caught instanceof DomainError && caught.code === 'number_archived'
          ? new SendError('permanent', caught.message, { code: 'number_archived' })
          : caught;
      return {
        outcomes: group.map((row) => this.settled(row, this.recordFailure(row, messages.get(row.message_id)!, error))),
        busyPeople: [],
      };
    }
    const { ratePerSecond } = sender;
    const outcomes: Array<Promise<keyof SendOutcome>> = [];
    const busyPeople: Array<Promise<unknown>> = [];
    const giveBack = (row: Claimed) =>
      outcomes.push(
        this.settled(
          row,
          this.rebook(row).then(() => 'retried' as const),
        ),
      );
    // Once one of a person's rows is given back, so are the rest of theirs in this round:
    // sending a later one first would reorder their replies.
    const heldBack = new Set<string>();
    for (const row of group) {
      const message = messages.get(row.message_id)!;
      const person = `${row.number_id}|${message.contact}`;
      if (heldBack.has(person)) {
        giveBack(row);
        continue;
      }
      const decide = () =>
        startDecision({ now: this.deps.now(), slot: row.startAt, previousStart: this.lastStartAt.get(row.number_id), ratePerSecond });
      let decision = decide();
      // A timer may fire a millisecond or two before the clock reaches its time: wait again
      // rather than start early and crowd the pace.
      while (decision.kind === 'start' && decision.waitMs > 0) {
        await sleep(decision.waitMs);
        decision = decide();
      }
      const previous = this.awaitingAnswer.get(person);
      if (decision.kind === 'rebook' || previous) {
        if (previous) busyPeople.push(previous);
        heldBack.add(person);
        giveBack(row);
        continue;
      }
      this.lastStartAt.set(row.number_id, this.deps.now());
      const outcome = this.settled(row, this.deliver(row, message, sender));
      const answered = outcome.finally(() => {
        if (this.awaitingAnswer.get(person) === answered) this.awaitingAnswer.delete(person);
      });
      this.awaitingAnswer.set(person, answered);
      outcomes.push(outcome);
    }
    return { outcomes, busyPeople };
  }

  /**
   * A send whose result could not be recorded (the database went away) is logged, not
   * thrown: its claim runs out and it is sent again, so it counts as retried. Sends run
   * side by side, and one rejected promise left waiting would end the process.
   */
  private settled(row: Claimed, outcome: Promise<keyof SendOutcome>): Promise<keyof SendOutcome> {
    return outcome.catch((error: unknown) => {
      this.deps.logger.error({ err: error, outboxId: row.id }, 'could not record a send; it will be retried when its claim runs out');
      return 'retried' as const;
    });
  }

  /** The messages of the claimed rows, in one query. */
  private async messagesOf(rows: Claimed[]): Promise<Map<string, OutboundMessage>> {
    const found = await this.deps.db.kysely
      .selectFrom('messages as m')
      .leftJoin('whatsapp_addresses as w', (join) => join.onRef('w.number_id', '=', 'm.number_id').onRef('w.contact', '=', 'm.contact'))
      .select(['m.id', 'm.org_id', 'm.contact', 'm.body', (eb) => eb.fn.coalesce('w.address', 'm.contact').as('to')])
      .where(
        'm.id',
        'in',
        rows.map((row) => row.message_id),
      )
      .execute();
    const byId = new Map(found.map((message) => [message.id, message]));
    for (const row of rows) if (!byId.has(row.message_id)) throw new Error(`outbox row ${row.id} has no message ${row.message_id}`);
    return byId;
  }

  /**
   * Claims due rows in one transaction: rows another process holds are skipped (SKIP
   * LOCKED), and each number's rows get start times at its pace, booked in the number's
   * `next_send_at` so every process shares one pace.
   */
  private async claim(): Promise<Claimed[]> {
    const { db, now } = this.deps;
    return db.transaction(async (tx) => {
      const at = now();
      const horizon = at + this.options.paceHorizonMs;
      const due = await db
        .skipLocked(
          tx.db
            .selectFrom('outbox')
            .select(['id', 'number_id'])
            .where((eb) =>
              eb.or([
                eb.and([eb('state', '=', 'pending'), eb('due_at', '<=', at)]),
                eb.and([eb('state', '=', 'sending'), eb('claimed_until', '<', at)]),
              ]),
            )
            // A number whose slots are booked past the horizon waits; others go ahead.
            .where('number_id', 'not in', (eb) => eb.selectFrom('numbers').select('id').where('next_send_at', '>', horizon))
            .orderBy('due_at')
            .orderBy('created_at')
            .limit(this.options.batchSize),
        )
        .execute();
      if (due.length === 0) return [];

      const startAt = new Map<string, number>();
      for (const numberId of new Set(due.map((r) => r.number_id))) {
        const number = await tx
          .forUpdate(tx.db.selectFrom('numbers').select(['send_rate_per_second', 'next_send_at']).where('id', '=', numberId))
          .executeTakeFirst();
        const rows = due.filter((r) => r.number_id === numberId);
        const plan = planSends(rows, {
          now: at,
          horizonMs: this.options.paceHorizonMs,
          nextSendAt: Number(number?.next_send_at ?? 0),
          ratePerSecond: Number(number?.send_rate_per_second ?? 1),
        });
        for (const slot of plan.slots) startAt.set(slot.row.id, slot.startAt);
        if (number) await tx.db.updateTable('numbers').set({ next_send_at: plan.nextSendAt }).where('id', '=', numberId).execute();
      }
      if (startAt.size === 0) return [];
      const claimed = await tx.db
        .updateTable('outbox')
        .set((eb) => ({ state: 'sending', claimed_until: at + this.options.claimMs, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', [...startAt.keys()])
        .returningAll()
        .execute();
      return claimed.map((row) => ({ ...row, startAt: startAt.get(row.id)! })).sort((a, b) => a.startAt - b.startAt);
    });
  }

  private async deliver(row: Claimed, message: OutboundMessage, sender: SendingNumber): Promise<keyof SendOutcome> {
    try {
      const payload = JSON.parse(row.payload) as { template: TemplateConfig | null; media?: number };
      // Only a message queued with attachments reads them: a text send costs no query more.
      const media = payload.media ? await this.deps.deliveries.outboundMedia(message.org_id, message.id) : [];
      const result = await sender.adapter.send(
        {
          messageId: message.id,
          to: message.to,
          text: message.body,
          template: payload.template,
          statusCallbackUrl: sender.statusCallbackUrl,
          media,
        },
        sender.provider,
      );
      await this.finish(row, message.org_id, {
        state: 'done',
        message: { provider_message_id: result.providerMessageId, status: result.status, error_code: null, error_text: null },
      });
      return 'sent';
    } catch (error) {
      return this.recordFailure(row, message, error);
    }
  }

  /** A transient failure is retried with backoff until the attempts run out; any other fails the message. */
  private async recordFailure(row: Claimed, message: OutboundMessage, error: unknown): Promise<keyof SendOutcome> {
    const failure = error instanceof SendError ? error : new SendError('transient', error instanceof Error ? error.message : String(error));
    if (failure.kind === 'transient' && row.attempts < this.options.maxAttempts) {
      const delay = Math.max(
        failure.options.retryAfterMs ?? 0,
        backoffDelay(row.attempts, { baseMs: this.options.backoffBaseMs, capMs: this.options.backoffCapMs }),
      );
      await this.finish(row, message.org_id, { state: 'pending', dueAt: this.deps.now() + delay, lastError: failure.reason });
      this.deps.logger.warn({ messageId: message.id, attempt: row.attempts, delay, reason: failure.reason }, 'send will be retried');
      return 'retried';
    }
    const reason = failure.kind === 'transient' ? `Gave up after ${row.attempts} attempts: ${failure.reason}` : failure.reason;
    await this.finish(row, message.org_id, {
      state: 'failed',
      lastError: reason,
      message: { status: 'failed', error_code: failure.options.code ?? null, error_text: reason },
      optOut: failure.options.optedOut ? message.contact : undefined,
    });
    return 'failed';
  }

  /**
   * Gives a claimed row back without counting the attempt. Its due time stays as it was, so
   * it keeps its place before later replies to the same person.
   */
  private async rebook(row: OutboxTable): Promise<void> {
    await this.deps.db.kysely
      .updateTable('outbox')
      .set((eb) => ({ state: 'pending', claimed_until: null, attempts: eb('attempts', '-', 1) }))
      .where('id', '=', row.id)
      .where('state', '=', 'sending')
      .where('claimed_until', '=', row.claimed_until)
      .execute();
  }

  /** Records a result through the deliveries port, which applies it only while this worker holds the claim. */
  private finish(row: OutboxTable, orgId: string, result: SendRecord): Promise<void> {
    return this.deps.deliveries.record(row, orgId, result);
  }
}
