/**
 * The shapes of the Caseline HTTP API (DESIGN.md §4) as the console reads them: the API
 * contract's own types (src/contract), so the two cannot drift apart. These are
 * `export type` re-exports only: Vite erases them, and no server code reaches the bundle.
 */
export type {
  AccessEntry,
  AccessLogPage,
  Acknowledgement,
  Alert,
  AlertList,
  AlertSettings,
  AnswerValue,
  ApiToken,
  AutoCloseSettings,
  BusinessHours,
  CaseManagement,
  Channel,
  ErasureCounts,
  Choice,
  Colleague,
  Label,
  Media,
  MediaUpload,
  MessageTemplate,
  Organisation,
  OrganisationPatch,
  OutboundWebhook,
  OutboundWebhookDeliveryPage,
  OutboundWebhookDeliveryWithAttempts,
  OutboundWebhookEvent,
  OutboundWebhookList,
  Page,
  PrivacyAuditEntry,
  PrivacyAuditPage,
  Provider,
  Question,
  QuestionType,
  QueueCounts,
  RecordCreate,
  RetentionCounts,
  RetentionSettings,
  RetentionStatus,
  Role,
  ConsoleLanguage,
  SavedReply,
  ServerEvent,
  ServerEventType,
  Session,
  SimulatorMessage,
  SkippedXlsFormRow,
  SummaryBucket,
  SummaryQuery,
  SummaryReport,
  SummaryWorker,
  TemplateChoice,
  Survey,
  User,
  XlsFormImport,
} from '../../../contract/index.js';
// The server calls them records and numbers; the console shows cases and phone numbers.
export type {
  HistoryEntry as HistoryItem,
  Message,
  NumberView as PhoneNumber,
  Note,
  RecordSummary as CaseSummary,
  RecordView as CaseRecord,
} from '../../../contract/index.js';

/** Ids are strings today; events and routes still compare them as text to be safe. */
export type Id = string | number;

export function sameId(a: Id | null | undefined, b: Id | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}
