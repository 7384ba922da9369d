import type { Acknowledgement, Channel, MessageTemplate, PhoneNumber, Provider, Survey } from '../../api/types.js';
import { parameterList } from '../../template-text.js';
import type { CredentialField } from './providers.js';

/** One row of the template library as typed: parameters one a line. */
export interface TemplateDraft {
  name: string;
  language: string;
  body: string;
  parameters: string;
}

/** The number form as typed: every field a string until it is sent. */
export interface NumberDraft {
  provider: Provider;
  channel: Channel;
  ourNumber: string;
  surveyId: string;
  theirNumberQuestion: string;
  conversationQuestion: string;
  multiCaseReply: string;
  /** The acknowledgement (DESIGN.md §8); empty sends none. */
  acknowledgement: string;
  /** Sent instead outside the survey's business hours; empty sends the acknowledgement then too. */
  outOfHoursText: string;
  sendRatePerSecond: string;
  /** The template library (DESIGN.md §7 "Templates"), sent for WhatsApp numbers. */
  templates: TemplateDraft[];
  credentials: Record<string, string>;
  /** Africa's Talking: addresses or CIDR ranges, one a line (commas and spaces also separate). */
  allowedIps: string;
}

/** The survey's first phone and conversation questions, which a new number most likely wants. */
export function defaultQuestions(survey: Survey | undefined): Pick<NumberDraft, 'theirNumberQuestion' | 'conversationQuestion'> {
  return {
    theirNumberQuestion: survey?.questions.find((q) => q.type === 'phone')?.name ?? '',
    conversationQuestion: survey?.questions.find((q) => q.type === 'conversation')?.name ?? '',
  };
}

export function newNumberDraft(survey: Survey | undefined): NumberDraft {
  return {
    provider: 'sandbox',
    channel: 'sms',
    ourNumber: '',
    surveyId: survey ? String(survey.id) : '',
    ...defaultQuestions(survey),
    multiCaseReply: '',
    acknowledgement: '',
    outOfHoursText: '',
    sendRatePerSecond: '',
    templates: [],
    credentials: {},
    allowedIps: '',
  };
}

/** Credentials are never sent back by the server, so the draft starts with none. */
export function draftFromNumber(n: PhoneNumber): NumberDraft {
  return {
    provider: n.provider,
    channel: n.channel,
    ourNumber: n.ourNumber,
    surveyId: String(n.surveyId),
    theirNumberQuestion: n.theirNumberQuestion,
    conversationQuestion: n.conversationQuestion,
    multiCaseReply: n.multiCaseReply ?? '',
    acknowledgement: n.acknowledgement?.text ?? '',
    outOfHoursText: n.acknowledgement?.outOfHoursText ?? '',
    sendRatePerSecond: n.sendRatePerSecond ? String(n.sendRatePerSecond) : '',
    templates: n.templates.map(templateDraft),
    credentials: {},
    allowedIps: (n.allowedIps ?? []).join('\n'),
  };
}

export function templateDraft(t: MessageTemplate): TemplateDraft {
  return { name: t.name, language: t.language, body: t.body, parameters: t.parameters.join('\n') };
}

/** The rows with a name, as the API takes them; an empty language is English. */
export function templateList(drafts: readonly TemplateDraft[]): MessageTemplate[] {
  return drafts
    .filter((t) => t.name.trim())
    .map((t) => ({ name: t.name.trim(), language: t.language.trim() || 'en', body: t.body, parameters: parameterList(t.parameters) }));
}

/** The allow-list as typed, as the list the API takes. */
export function allowedIpList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The acknowledgement as the API takes it: null without a text (the form asks for one when an out-of-hours text is typed). */
export function acknowledgementOf(draft: Pick<NumberDraft, 'acknowledgement' | 'outOfHoursText'>): Acknowledgement | null {
  const text = draft.acknowledgement.trim();
  return text ? { text, outOfHoursText: draft.outOfHoursText.trim() || null } : null;
}

/** The body of POST /numbers (adding) or PATCH /numbers/:id (editing). */
export function numberRequestBody(
  draft: NumberDraft,
  { editing, surveyId, credentialFields }: { editing: boolean; surveyId: string; credentialFields: readonly CredentialField[] },
): Record<string, unknown> {
  const credentials: Record<string, string> = {};
  for (const field of credentialFields) {
    const value = (draft.credentials[field.key] ?? '').trim();
    if (value) credentials[field.key] = value;
  }
  const body: Record<string, unknown> = {
    channel: draft.channel,
    ourNumber: draft.ourNumber.trim(),
    surveyId,
    theirNumberQuestion: draft.theirNumberQuestion,
    conversationQuestion: draft.conversationQuestion,
    multiCaseReply: draft.multiCaseReply.trim() || null,
    acknowledgement: acknowledgementOf(draft),
  };
  // Templates are WhatsApp's (rule 12); an SMS number's library is left as it is.
  if (draft.channel === 'whatsapp') body.templates = templateList(draft.templates);
  // An empty rate keeps the server's default for the provider.
  if (draft.sendRatePerSecond) body.sendRatePerSecond = Number(draft.sendRatePerSecond);
  // The provider is fixed once the number exists.
  if (!editing) body.provider = draft.provider;
  // Only Africa's Talking has an allow-list (its webhooks carry no signature); empty accepts any address.
  if (draft.provider === 'africastalking') body.allowedIps = allowedIpList(draft.allowedIps);
  // Empty fields keep the stored credentials; a new non-sandbox number must send its own.
  if (Object.keys(credentials).length > 0 || (!editing && draft.provider !== 'sandbox')) body.credentials = credentials;
  return body;
}
