import { randomBytes } from 'node:crypto';
import {
  deliverWebhook,
  formBody,
  startFakeServer,
  type FakeReply,
  type FakeServer,
  type RecordedRequest,
  type SentRequest,
  type WebhookDelivery,
  type WebhookResponse,
} from './fake-server.js';

/**
 * A fake Africa's Talking SMS API (`POST /version1/messaging`, `apiKey` header) that also
 * plays its webhooks: incoming messages and delivery reports, form-encoded and unsigned.
 */

export type AfricasTalkingSendForm = Record<string, string>;

export interface FakeAfricasTalkingOptions {
  /** username → apiKey. When given, other credentials get Africa's Talking's 401. */
  apps?: Record<string, string>;
  /** Recipient → the `statusCode` to answer for it, e.g. `{'+254711000406': 406}`. */
  rejectRecipients?: Record<string, number>;
}

export interface AfricasTalkingInboundInput {
  from: string;
  /** Our short code or long number. */
  to: string;
  text: string;
  id?: string;
  linkId?: string;
  networkCode?: string;
}

export type AfricasTalkingStatus = 'Sent' | 'Submitted' | 'Buffered' | 'Rejected' | 'Success' | 'Failed';

export interface AfricasTalkingReportInput {
  id: string;
  status: AfricasTalkingStatus;
  phoneNumber: string;
  networkCode?: string;
  failureReason?: string;
}

export interface FakeAfricasTalking extends FakeServer {
  /** Sends accepted for at least one recipient, with the form as received; `id` is the messageId. */
  sent: SentRequest<AfricasTalkingSendForm>[];
  postInbound(webhookUrl: string, input: AfricasTalkingInboundInput): Promise<WebhookResponse>;
  /** A delivery report for a message this fake accepted (Africa's Talking posts to the account's one URL). */
  postStatus(
    webhookUrl: string,
    messageId: string,
    status: AfricasTalkingStatus,
    options?: { failureReason?: string },
  ): Promise<WebhookResponse>;
}

const RECIPIENT_STATUSES: Record<number, string> = {
  100: 'Processed',
  101: 'Success',
  102: 'Queued',
  401: 'RiskHold',
  402: 'InvalidSenderId',
  403: 'InvalidPhoneNumber',
  404: 'UnsupportedNumberType',
  405: 'InsufficientBalance',
  406: 'UserInBlacklist',
  407: 'CouldNotRoute',
  409: 'DoNotDisturbRejection',
  500: 'InternalServerError',
  501: 'GatewayError',
  502: 'RejectedByGateway',
};

export function africasTalkingMessageId(): string {
  return `ATXid_${randomBytes(16).toString('hex')}`;
}

export function africasTalkingInboundFields(input: AfricasTalkingInboundInput): Record<string, string> {
  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 19),
    from: input.from,
    id: input.id ?? randomBytes(16).toString('hex'),
    linkId: input.linkId ?? randomBytes(8).toString('hex'),
    text: input.text,
    to: input.to,
    networkCode: input.networkCode ?? '63902',
  };
}

export function africasTalkingReportFields(input: AfricasTalkingReportInput): Record<string, string> {
  const fields: Record<string, string> = {
    id: input.id,
    status: input.status,
    phoneNumber: input.phoneNumber,
    networkCode: input.networkCode ?? '63902',
    retryCount: '0',
  };
  if (input.failureReason) fields.failureReason = input.failureReason;
  return fields;
}

/** Africa's Talking signs nothing: a webhook is just the form. */
export function africasTalkingDelivery(fields: Record<string, string>): WebhookDelivery {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(fields) };
}

export async function startFakeAfricasTalking(options: FakeAfricasTalkingOptions = {}): Promise<FakeAfricasTalking> {
  const sent: SentRequest<AfricasTalkingSendForm>[] = [];
  const recipients = new Map<string, string>();

  const server = await startFakeServer({
    failure: (kind) =>
      kind === '429'
        ? { status: 429, body: 'Too Many Requests', headers: { 'retry-after': '2' } }
        : { status: 500, body: 'Internal Server Error' },

    handle(request: RecordedRequest): FakeReply {
      if (request.method !== 'POST' || request.path !== '/version1/messaging') {
        return { status: 404, body: 'Not Found' };
      }
      const form = (typeof request.body === 'object' ? request.body : {}) as AfricasTalkingSendForm;
      const apiKey = request.headers.apikey;
      const knownKey = form.username ? options.apps?.[form.username] : undefined;
      if (!form.username || !apiKey || (options.apps && apiKey !== knownKey)) {
        return { status: 401, body: 'The supplied authentication is invalid' };
      }
      for (const name of ['to', 'message']) {
        if (!form[name]) return { status: 400, body: `Request is missing required form field '${name}'` };
      }
      const to = form.to ?? '';
      const statusCode = options.rejectRecipients?.[to] ?? (/^\+\d{7,15}$/.test(to) ? 101 : 403);
      const accepted = statusCode >= 100 && statusCode <= 102;
      const messageId = accepted ? africasTalkingMessageId() : 'None';
      if (accepted) {
        sent.push({ ...request, body: form, id: messageId });
        recipients.set(messageId, to);
      }
      return {
        status: 201,
        body: {
          SMSMessageData: {
            Message: accepted ? 'Sent to 1/1 Total Cost: KES 0.8000' : 'Sent to 0/1 Total Cost: 0',
            Recipients: [
              {
                statusCode,
                number: to,
                status: RECIPIENT_STATUSES[statusCode] ?? 'Failed',
                cost: accepted ? 'KES 0.8000' : '0',
                messageId,
              },
            ],
          },
        },
      };
    },
  });

  return {
    ...server,
    sent,
    postInbound(webhookUrl, input) {
      return deliverWebhook(webhookUrl, africasTalkingDelivery(africasTalkingInboundFields(input)));
    },
    postStatus(webhookUrl, messageId, status, statusOptions = {}) {
      const phoneNumber = recipients.get(messageId);
      if (!phoneNumber) throw new Error(`fake Africa's Talking never accepted ${messageId}`);
      const fields = africasTalkingReportFields({
        id: messageId,
        status,
        phoneNumber,
        failureReason: statusOptions.failureReason,
      });
      return deliverWebhook(webhookUrl, africasTalkingDelivery(fields));
    },
  };
}
