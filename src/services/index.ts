import type { ServiceContext } from './context.js';
import { createDeliveryService } from './deliveries.js';
import { createInboundService } from './inbound/receive-webhook.js';
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
 * `ingestThread: false` stores inbound batches on `ctx.db`'s main connection even where it
 * has a second writer (./inbound/ingest-thread.ts).
 */
export function createServices(ctx: ServiceContext, options: { ingestThread?: boolean } = {}) {
  const numbers = createNumberService(ctx);
  const records = createRecordService(ctx);
  const inbound = createInboundService(ctx, numbers, options);
  return {
    ctx,
    users: createUserService(ctx),
    surveys: createSurveyService(ctx),
    numbers,
    records,
    inbound,
    /** The outbox's port (src/outbox/ports.ts): sends recorded, delivery reports kept. */
    deliveries: createDeliveryService(ctx, numbers),
    replies: createReplyService(ctx),
    moves: createMoveService(ctx, records),
    simulator: createSimulatorService(ctx, numbers, inbound),
    operations: createOperationsService(ctx),
  };
}

export type Services = ReturnType<typeof createServices>;
