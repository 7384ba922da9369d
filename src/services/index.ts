import type { ServiceContext } from './context.js';
import type { BatchStore } from './ingest.js';
import { createInboundService } from './inbound.js';
import { createMoveService } from './moves.js';
import { createNumberService } from './numbers.js';
import { createOperationsService } from './operations.js';
import { createRecordService } from './records.js';
import { createReplyService } from './replies.js';
import { createSimulatorService } from './simulator.js';
import { createSurveyService } from './surveys.js';
import { createUserService } from './users.js';

/**
 * Every use case, built over one context; the HTTP layer and the CLI call these.
 * `ingestStore` stores inbound batches somewhere other than a transaction on `ctx.db`
 * (the SQLite ingest thread, ./ingest-thread.ts).
 */
export function createServices(ctx: ServiceContext, options: { ingestStore?: BatchStore } = {}) {
  const numbers = createNumberService(ctx);
  const records = createRecordService(ctx);
  const inbound = createInboundService(ctx, numbers, options.ingestStore);
  return {
    ctx,
    users: createUserService(ctx),
    surveys: createSurveyService(ctx),
    numbers,
    records,
    inbound,
    replies: createReplyService(ctx),
    moves: createMoveService(ctx, records),
    simulator: createSimulatorService(ctx, numbers, inbound),
    operations: createOperationsService(ctx),
  };
}

export type Services = ReturnType<typeof createServices>;
