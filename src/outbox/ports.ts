import type { MessageStatus } from '../domain/message-status.js';
import type { OutboundMedia, ProviderAdapter, ProviderNumber } from '../providers/provider.js';

/**
 * What the outbox needs from the rest of Caseline, declared here and implemented by the
 * deliveries service (src/services/deliveries.ts), wired in src/server.ts: the outbox
 * claims, paces and sends; recording what a send did to the message is the service's.
 */

/** A number ready to send: its adapter, credentials opened, pace, and where delivery reports go. */
export interface SendingNumber {
  adapter: ProviderAdapter;
  provider: ProviderNumber;
  ratePerSecond: number;
  statusCallbackUrl: string;
}

/** The claim a result is recorded under: it is recorded only while the claim still holds. */
export interface ClaimedRow {
  id: string;
  message_id: string;
  number_id: string;
  due_at: number;
  claimed_until: number | null;
}

/** What became of a send: done, to be retried at `dueAt`, or failed for good. */
export interface SendRecord {
  state: 'done' | 'pending' | 'failed';
  dueAt?: number;
  lastError?: string;
  message?: { provider_message_id?: string; status: MessageStatus; error_code: string | null; error_text: string | null };
  /** A provider refused the send as unsubscribed: this contact is opted out on the number. */
  optOut?: string;
}

export interface DeliveryPort {
  /** A live number by id; throws `DomainError('number_archived')` for an archived one. */
  sendingNumber(numberId: string): Promise<SendingNumber>;
  /** Records a send's result, if `claim` still holds, with the message's new status and its events. */
  record(claim: ClaimedRow, orgId: string, result: SendRecord): Promise<void>;
  /**
   * The attachments of a message for one send attempt, each with a fresh `/media/out` link
   * (valid 24 hours). Throws a permanent `SendError` when one was deleted meanwhile.
   */
  outboundMedia(orgId: string, messageId: string): Promise<OutboundMedia[]>;
  /** Forgets delivery reports for sends never recorded, received before `before`. */
  forgetEarlyStatuses(before: number): Promise<void>;
}
