import type { JobHandler } from '../jobs/job-worker.js';
import { createAccessLogService } from './access-log.js';
import { createAssignmentService } from './assignment.js';
import { createCaseExport } from './case-export.js';
import type { ServiceContext } from './context.js';
import { createColleagueService } from './colleagues.js';
import { createDeliveryService } from './deliveries.js';
import { createInboundService } from './inbound/receive-webhook.js';
import { createLabelService } from './labels.js';
import { createMediaFetchBookingHandler } from './media/fetch-booking.js';
import { createMediaFetchHandler } from './media/fetch-media.js';
import { createContactExport } from './privacy/contact-export.js';
import { createErasure } from './privacy/erasure.js';
import { createPrivacyAudit } from './privacy/privacy-audit.js';
import { createReportService } from './reports.js';
import { createRedaction } from './privacy/redaction.js';
import { createRetention } from './privacy/retention.js';
import { createProviderDeleteHandlers } from './privacy/provider-deletes.js';
import { createMediaHousekeeping } from './media/media-housekeeping.js';
import { createMediaService } from './media/media-service.js';
import { openOutboundLink } from './media/outbound-links.js';
import { createMergeService } from './merges.js';
import { createMoveService } from './moves.js';
import { createNumberService } from './numbers.js';
import { createOperationsService } from './operations.js';
import { createOrganisationService } from './organisation.js';
import { createDeliverHandler } from './outbound-webhooks/deliver-job.js';
import { installDeliveryRecorder } from './outbound-webhooks/delivery-recorder.js';
import { forgetSubscriptionsOnChange } from './outbound-webhooks/subscription-cache.js';
import { DELIVERY_TIMEOUT_MS } from './outbound-webhooks/send-delivery.js';
import { createOutboundWebhookService } from './outbound-webhooks/subscriptions.js';
import { createRecordService } from './records.js';
import { createReplyService } from './replies.js';
import { createSavedReplyService } from './saved-replies.js';
import { createSimulatorService } from './simulator.js';
import { createSurveyService } from './surveys.js';
import { createXlsFormService } from './xlsform.js';
import { createUserService } from './users.js';
import { createTwoFactorService } from './two-factor.js';
import { createSurveyRetimeHandler } from './time-rules/timers.js';
import { createAutoCloseHandler } from './time-rules/auto-close.js';
import { createAlertEmailHandler } from './time-rules/alert-email.js';
import { createAlertService, createAlertTimerHandlers } from './time-rules/alerts.js';
import { createWriteFirstService } from './write-first.js';

/**
 * Every use case, built over one context; the HTTP layer and the CLI call these.
 * `ingestThread: false` stores inbound batches on `ctx.db`'s main connection even where it
 * has a second writer (./inbound/ingest-thread.ts). `webhooksAllowPrivate`: outbound webhooks
 * may reach private addresses (`CASELINE_WEBHOOKS_ALLOW_PRIVATE`).
 */
export function createServices(ctx: ServiceContext, options: { ingestThread?: boolean; webhooksAllowPrivate?: boolean } = {}) {
  // Before anything writes: every transaction from here on records its webhook deliveries.
  installDeliveryRecorder(ctx.db, ctx.now);
  forgetSubscriptionsOnChange(ctx.db.changes);
  const webhookSettings = { allowPrivate: options.webhooksAllowPrivate ?? false, timeoutMs: DELIVERY_TIMEOUT_MS };
  const numbers = createNumberService(ctx);
  const surveys = createSurveyService(ctx);
  const records = createRecordService(ctx);
  const inbound = createInboundService(ctx, numbers, options);
  const mediaHousekeeping = createMediaHousekeeping(ctx);
  const redaction = createRedaction(ctx);
  const privacyAudit = createPrivacyAudit(ctx);
  const retention = createRetention(ctx, redaction, privacyAudit);
  const accessLog = createAccessLogService(ctx);
  return {
    ctx,
    users: createUserService(ctx),
    /** Enrolling in and turning off two-factor sign-in (DESIGN.md §9). */
    twoFactor: createTwoFactorService(ctx),
    /** The organisation's privacy and sign-in settings (DESIGN.md §9). */
    organisation: createOrganisationService(ctx),
    colleagues: createColleagueService(ctx),
    surveys,
    /** XLSForm import and export of surveys (DESIGN.md §11). */
    xlsForms: createXlsFormService(ctx, surveys),
    numbers,
    records,
    assignment: createAssignmentService(ctx, records),
    labels: createLabelService(ctx, records),
    savedReplies: createSavedReplyService(ctx),
    inbound,
    /** The outbox's port (src/outbox/ports.ts): sends recorded, delivery reports kept. */
    deliveries: createDeliveryService(ctx, numbers),
    replies: createReplyService(ctx),
    moves: createMoveService(ctx, records),
    merges: createMergeService(ctx, records),
    writeFirst: createWriteFirstService(ctx, records),
    simulator: createSimulatorService(ctx, numbers, inbound),
    operations: createOperationsService(ctx),
    /** Stored media items and uploads (DESIGN.md §6). */
    media: createMediaService(ctx),
    /** The public links of outbound attachments, `/media/out/{token}` (DESIGN.md §6). */
    mediaLinks: { open: (token: string) => openOutboundLink(ctx, token) },
    /** Expired links, uploads never sent and unreferenced bytes, cleared hourly. */
    mediaHousekeeping,
    /** Who read which case, media item or export (DESIGN.md §9). */
    accessLog,
    /** Retention of closed cases, run daily and on demand (DESIGN.md §9). */
    retention,
    /** Erasures, access exports and retention runs: who, when, how many (DESIGN.md §9). */
    privacyAudit,
    /** Erasing one person (DESIGN.md §9). */
    erasure: createErasure(ctx, redaction, privacyAudit),
    /** A person's access request: a ZIP of what is held about them (DESIGN.md §9). */
    contactExport: createContactExport(ctx, accessLog, privacyAudit),
    /** A survey's cases as CSV or XLSX, streamed (DESIGN.md §10). */
    caseExport: createCaseExport(ctx, accessLog, privacyAudit),
    /** The summary report (DESIGN.md §10). */
    reports: createReportService(ctx),
    /** My alerts: the console's bell (DESIGN.md §8). */
    alerts: createAlertService(ctx),
    /** Outbound webhooks: subscriptions and their delivery logs (DESIGN.md §10); `settings` is read at every attempt. */
    outboundWebhooks: { ...createOutboundWebhookService(ctx, webhookSettings), settings: webhookSettings },
    /** The durable jobs' handlers, run by src/jobs/job-worker.ts (wired in src/server.ts). */
    jobHandlers: [
      createMediaFetchBookingHandler(ctx),
      createMediaFetchHandler(ctx, numbers),
      mediaHousekeeping.handler,
      createSurveyRetimeHandler(ctx),
      createAutoCloseHandler(ctx, records),
      ...createAlertTimerHandlers(ctx),
      createAlertEmailHandler(ctx),
      retention.handler,
      ...createProviderDeleteHandlers(ctx, numbers),
      createDeliverHandler(ctx, webhookSettings),
    ] as JobHandler[],
  };
}

export type Services = ReturnType<typeof createServices>;
