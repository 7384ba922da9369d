import { parametersOf } from '../domain/templates.js';
import { SendError, type ProviderTemplate } from './provider.js';
import { asCode, asObject, asString, callProvider, isSuccess, isTransientStatus } from './provider-http.js';

/**
 * Reads a WhatsApp Business Account's message templates from Meta's Graph API:
 * `GET /{version}/{waba-id}/message_templates?fields=name,language,status,components`, in
 * pages of `data` with `paging.cursors.after` and `paging.next` while more follow. Meta lists
 * templates under the business account, not the phone number id. The next page is asked for
 * with the `after` cursor at our configured base URL rather than Meta's `next` link, so a
 * regional or test endpoint is kept throughout.
 */
export interface TemplateListRequest {
  apiUrl: string;
  graphVersion: string;
  timeoutMs: number;
  businessAccountId: string;
  accessToken: string;
}

/** Enough for any real account (Meta allows a few hundred templates per account); a loop guard. */
const MAX_PAGES = 50;

export async function listWhatsAppTemplates(request: TemplateListRequest): Promise<ProviderTemplate[]> {
  const templates: ProviderTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ fields: 'name,language,status,parameter_format,components', limit: '100' });
    if (after) query.set('after', after);
    const url = `${request.apiUrl}/${request.graphVersion}/${encodeURIComponent(request.businessAccountId)}/message_templates?${query.toString()}`;
    const response = await callProvider(
      'WhatsApp',
      url,
      { method: 'GET', headers: { authorization: `Bearer ${request.accessToken}`, accept: 'application/json' } },
      request.timeoutMs,
    );
    const answer = asObject(response.json);
    if (!isSuccess(response.status)) {
      const error = asObject(answer?.error);
      const code = asCode(error?.code) ?? String(response.status);
      const said = asString(error?.message)?.replace(/^\s*\(#\d+\)\s*/, '');
      throw new SendError(
        isTransientStatus(response.status) ? 'transient' : 'permanent',
        `WhatsApp refused to list the templates: ${said || `HTTP ${response.status}`} (${code})`,
        { code },
      );
    }
    for (const item of Array.isArray(answer?.data) ? answer.data : []) {
      const template = readTemplate(item);
      if (template) templates.push(template);
    }
    const paging = asObject(answer?.paging);
    after = asString(asObject(paging?.cursors)?.after);
    if (!asString(paging?.next) || !after) break;
  }
  return templates;
}

/**
 * One template of Meta's list: the body from its BODY component, the parameters from the
 * body's examples (`example.body_text[0]`) or the placeholders themselves. Templates with
 * named parameters (`parameter_format: NAMED`) are left out: a send would have to name each
 * value, which the library's positional shape cannot say.
 */
function readTemplate(item: unknown): ProviderTemplate | null {
  const template = asObject(item);
  const name = asString(template?.name);
  const language = asString(template?.language);
  const status = asString(template?.status);
  if (!template || !name || !language || !status) return null;
  if (asString(template.parameter_format)?.toUpperCase() === 'NAMED') return null;
  const components = Array.isArray(template.components) ? template.components.map(asObject) : [];
  const bodyPart = components.find((c) => asString(c?.type)?.toUpperCase() === 'BODY');
  const body = asString(bodyPart?.text) ?? '';
  if (/\{\{\s*[^\d\s}]/.test(body)) return null;
  const examples = asObject(bodyPart?.example)?.body_text;
  const firstExample = Array.isArray(examples) && Array.isArray(examples[0]) ? (examples[0] as unknown[]) : [];
  return {
    name,
    language,
    status: status.toUpperCase(),
    body,
    parameters: parametersOf(
      body,
      firstExample.map((e) => (typeof e === 'string' ? e : '')),
    ),
  };
}
