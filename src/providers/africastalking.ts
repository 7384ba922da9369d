import type { MessageStatus } from '../domain/message-status.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import { isAllowed, parseAllowList } from '../domain/ip-allow-list.js';
import type { ProviderAdapter, StatusUpdate } from './provider.js';
import { SendError } from './provider.js';
import { DEFAULT_TIMEOUT_MS, asCode, asObject, asString, callProvider, httpFailure, isSuccess, readForm } from './provider-http.js';

/**
 * Africa's Talking SMS (DESIGN.md §3). Its webhooks carry no signature: the unguessable
 * webhook path is the secret, and a number may also name the addresses allowed to post.
 * Sends go to the bulk messaging endpoint with the `apiKey` header.
 */
export interface AfricasTalkingConfig {
  apiUrl: string;
  timeoutMs?: number;
}

const STATUSES: Record<string, MessageStatus> = {
  Submitted: 'sent',
  Sent: 'sent',
  Buffered: 'sent',
  Success: 'delivered',
  Rejected: 'failed',
  Failed: 'undelivered',
  Expired: 'undelivered',
};

const FAILURE_REASONS: Record<string, string> = {
  InsufficientCredit: 'The recipient does not have enough airtime for this message',
  InvalidLinkId: 'The premium message refers to an unknown link id',
  UserIsInactive: 'The recipient’s line is inactive',
  UserInBlackList: 'The recipient has blocked messages from this sender',
  UserInBlacklist: 'The recipient has blocked messages from this sender',
  UserAccountSuspended: 'The recipient’s line is suspended',
  NotNetworkSubscriber: 'The number does not belong to the mobile network',
  UserNotSubscribedToProduct: 'The recipient is not subscribed to this premium service',
  UserDoesNotExist: 'The number does not exist',
  DeliveryFailure: 'The network could not deliver the message',
  DoNotDisturbRejection: 'The recipient has Do Not Disturb turned on',
};

/** A recipient's `statusCode` in the send answer: 100–102 mean it is on its way. */
const RECIPIENT_ERRORS: Record<string, { text: string; transient?: boolean; optedOut?: boolean }> = {
  '401': { text: 'Africa’s Talking is holding the message for a risk review' },
  '402': { text: 'The sender id is not valid for this account' },
  '403': { text: 'The number is not a valid phone number' },
  '404': { text: 'Africa’s Talking does not support this type of number' },
  '405': { text: 'The Africa’s Talking account has insufficient balance' },
  '406': { text: 'The recipient has blocked messages from this sender', optedOut: true },
  '407': { text: 'Africa’s Talking could not route the message' },
  '409': { text: 'The recipient has Do Not Disturb turned on' },
  '500': { text: 'Africa’s Talking had an internal error', transient: true },
  '501': { text: 'The network gateway had an error', transient: true },
  '502': { text: 'The network gateway rejected the message', transient: true },
};

const ACCEPTED = new Set(['100', '101', '102']);

export function africasTalkingProvider(config: AfricasTalkingConfig): ProviderAdapter<'africastalking'> {
  const apiUrl = config.apiUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    name: 'africastalking',
    channels: ['sms'],
    // Bulk SMS carries text only: attachments are refused before queueing (DESIGN.md §6).
    media: {},

    validateCredentials(raw) {
      const { username, apiKey, allowedIps } = asObject(raw) ?? {};
      if (typeof username !== 'string' || !username.trim()) {
        throw validationFailed('Africa’s Talking credentials need the app’s username');
      }
      if (typeof apiKey !== 'string' || !apiKey.trim()) {
        throw validationFailed('Africa’s Talking credentials need the app’s apiKey');
      }
      // The allow-list is kept with the credentials (where it always was), but the numbers
      // service shows and edits it as the number's `allowedIps` setting.
      if (allowedIps === undefined || allowedIps === null) return { username: username.trim(), apiKey: apiKey.trim() };
      return { username: username.trim(), apiKey: apiKey.trim(), allowedIps: parseAllowList(allowedIps) };
    },

    verify(request, number) {
      const allowed = number.credentials.allowedIps ?? [];
      if (allowed.length === 0) return;
      if (!isAllowed(allowed, request.remoteAddress)) {
        const address = request.remoteAddress.replace(/^::ffff:/i, '');
        throw new DomainError('invalid_signature', `Webhooks for this number are not accepted from ${address}`);
      }
    },

    parse(request) {
      const form = readForm(request.rawBody);
      if (!form.id) throw new DomainError('bad_request', 'id is missing');
      if (form.status !== undefined && form.text === undefined) {
        return { messages: [], statuses: parseDeliveryReport(form.id, form) };
      }
      if (!form.from) throw new DomainError('bad_request', 'from is missing');
      if (form.text === undefined) throw new DomainError('bad_request', 'text is missing');
      return { messages: [{ providerMessageId: form.id, from: form.from, text: form.text, media: [] }], statuses: [] };
    },

    acknowledge() {
      return { status: 200, contentType: 'text/plain', body: 'OK' };
    },

    async send(message, number) {
      const { username, apiKey } = number.credentials;
      const form = new URLSearchParams({ username, to: message.to, message: message.text });
      if (number.ourNumber) form.set('from', number.ourNumber);
      const response = await callProvider(
        'Africa’s Talking',
        `${apiUrl}/version1/messaging`,
        {
          method: 'POST',
          headers: { apiKey, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        timeoutMs,
      );

      if (!isSuccess(response.status)) {
        if (response.status === 401) {
          throw new SendError('permanent', 'Africa’s Talking rejected the username or API key (401)', { code: '401' });
        }
        const said = response.text.trim().slice(0, 200);
        throw httpFailure(response, `Africa’s Talking answered HTTP ${response.status}${said ? `: ${said}` : ''}`);
      }

      const data = asObject(asObject(response.json)?.SMSMessageData);
      const recipient = asObject(Array.isArray(data?.Recipients) ? data.Recipients[0] : undefined);
      if (!recipient) {
        // No recipient means Africa's Talking refused the whole request, e.g. "InvalidSenderId".
        const said = asString(data?.Message) ?? 'no recipients in the answer';
        throw new SendError('permanent', `Africa’s Talking did not accept the message: ${said}`);
      }
      const statusCode = asCode(recipient.statusCode) ?? '';
      const status = asString(recipient.status) ?? '';
      const messageId = asString(recipient.messageId);
      if (ACCEPTED.has(statusCode)) {
        // Africa's Talking took the message; sending it again could deliver it twice.
        if (!messageId || messageId === 'None') {
          throw new SendError('permanent', 'Africa’s Talking accepted the message but returned no message id');
        }
        return { providerMessageId: messageId, status: 'sent' };
      }
      const known = RECIPIENT_ERRORS[statusCode];
      const reason = `${known?.text ?? 'Africa’s Talking refused the message'} (${[statusCode, status].filter(Boolean).join(' ')})`;
      throw new SendError(known?.transient ? 'transient' : 'permanent', reason, {
        code: statusCode || 'unknown',
        optedOut: known?.optedOut,
      });
    },
  };
}

function parseDeliveryReport(id: string, form: Record<string, string>): StatusUpdate[] {
  const status = STATUSES[form.status ?? ''];
  if (!status) return [];
  const update: StatusUpdate = { providerMessageId: id, status };
  const reason = form.failureReason?.trim();
  if (reason) {
    update.errorCode = reason;
    update.errorText = `${FAILURE_REASONS[reason] ?? 'The message could not be delivered'} (${reason})`;
  }
  return [update];
}
