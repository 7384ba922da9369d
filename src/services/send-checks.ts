import type { Notification } from '../contract/index.js';
import type { Executor } from '../db/database.js';
import { lastInboundAt } from '../db/queries/messages.js';
import { isOptedOut } from '../db/queries/opt-outs.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import { referenceSuffix, withReference } from '../domain/references.js';
import { chooseTemplate, templateText } from '../domain/templates.js';
import { isWindowOpen } from '../domain/whatsapp-window.js';
import type { TemplateConfig } from '../providers/provider.js';
import { firstTemplateConfig, storedTemplates } from './template-library.js';

/**
 * What every send from a case checks and decides before it is queued (rules 8, 11, 12): a
 * reply, and the first message of a case written first. Shared so both refuse alike.
 */

/** SMS concatenation tops out around 10 segments on most networks; WhatsApp allows 4096. */
export const MAX_REPLY_LENGTH = 1600;

/** What a worker asks to send: typed text and, instead of free text, a template. */
export interface SendRequest {
  text?: string;
  /** `true`: the number's first template, filled from the text (part one); an object: one of the library, filled. */
  template?: Notification['template'];
  /** Uploads to attach (`POST /media`); with them the text may be empty. */
  media?: readonly string[];
}

/** What is queued: the text the conversation shows (given the case's number) and what the provider gets besides it. */
export interface PreparedSend {
  textFor(caseNumber: number): string;
  template: TemplateConfig | null;
}

/**
 * Checks the typed text before anything is read: needed unless a template is chosen or
 * files are attached, and not too long. A template goes as the provider approved it, with
 * no attachment beside it.
 */
export function checkTypedText(request: SendRequest): string {
  const text = (request.text ?? '').trim();
  const chosen = typeof request.template === 'object';
  const attached = (request.media?.length ?? 0) > 0;
  if (attached && request.template !== undefined && request.template !== false) {
    throw validationFailed('A template message cannot carry attachments: send the files in a reply of their own');
  }
  if (!text && !chosen && !attached) {
    throw validationFailed(request.template === true ? 'A template reply needs text to fill it' : 'A reply needs text or an attachment');
  }
  if (!chosen && text.length > MAX_REPLY_LENGTH) throw validationFailed(`A reply can be at most ${MAX_REPLY_LENGTH} characters`);
  return text;
}

/**
 * Refuses a send the provider would refuse anyway, before queueing: an archived number, an
 * opted-out contact (rule 11), free text outside WhatsApp's 24-hour window (rule 12).
 */
export async function checkNumberCanSend(
  executor: Executor,
  input: { numberId: string; contact: string; templated: boolean; now: number },
) {
  const number = await executor
    .selectFrom('numbers')
    .select(['channel', 'templates', 'deleted_at', 'our_number'])
    .where('id', '=', input.numberId)
    .executeTakeFirst();
  if (!number) throw validationFailed('The number this case came in on no longer exists; it cannot send');
  if (number.deleted_at !== null) {
    throw new DomainError(
      'number_archived',
      `The number this case came in on (${number.our_number}) is archived, so it cannot send; an admin can restore it under Numbers`,
    );
  }
  if (await isOptedOut(executor, input.numberId, input.contact)) {
    // The message names no number: it reaches readers who may see contacts masked (DESIGN.md §9).
    throw new DomainError('opted_out', 'This contact has opted out of messages from this number (they sent STOP)');
  }
  if (number.channel === 'whatsapp' && !input.templated) {
    const last = await lastInboundAt(executor, input.numberId, input.contact);
    if (!isWindowOpen(last, input.now)) {
      throw new DomainError(
        'window_closed',
        "WhatsApp allows free text only within 24 hours of the contact's last message; send a template instead",
      );
    }
  }
  return number;
}

/**
 * Checks a send and decides what is queued. Free text and part one's template carry
 * ` #<case number>` at the end (rule 8); a chosen template is stored as its filled body,
 * exactly what the person receives, since nothing can be appended to a template.
 */
export async function prepareSend(
  executor: Executor,
  input: { numberId: string; contact: string; request: SendRequest; now: number },
): Promise<PreparedSend> {
  const { request } = input;
  const typed = checkTypedText(request);
  const templated = request.template !== undefined && request.template !== false;
  const number = await checkNumberCanSend(executor, { numberId: input.numberId, contact: input.contact, templated, now: input.now });
  if (typeof request.template === 'object') {
    const { template, values } = chooseTemplate(storedTemplates(number), request.template);
    const text = templateText(template, values);
    return {
      textFor: () => text,
      template: { name: template.name, language: template.language, parameters: template.parameters, values },
    };
  }
  if (request.template === true) {
    const first = firstTemplateConfig(number);
    if (!first) throw validationFailed('This number has no template message configured');
    return { textFor: (caseNumber) => withReference(typed, caseNumber), template: first };
  }
  // Attachments alone still carry the reference (rule 8), as the caption the person answers.
  return { textFor: (caseNumber) => (typed ? withReference(typed, caseNumber) : referenceSuffix(caseNumber).trim()), template: null };
}
