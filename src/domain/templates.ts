import { validationFailed } from './errors.js';

/**
 * Message templates of a number's library (DESIGN.md §7 "Templates", rule 12): a body with
 * positional placeholders `{{1}}`, `{{2}}`… and, in order, a name or an example for each.
 * A template from part one has an empty body: its parameters are filled from the typed
 * text (`{text}`) and the message shows what the worker typed.
 */
export interface MessageTemplate {
  name: string;
  language: string;
  body: string;
  parameters: string[];
}

/** A template chosen for sending and the values of its placeholders, in order. */
export interface TemplateChoice {
  name: string;
  language: string;
  parameters: string[];
}

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** The placeholder numbers a body uses, each once, in ascending order. */
export function placeholderNumbers(body: string): number[] {
  const seen = new Set<number>();
  for (const match of body.matchAll(PLACEHOLDER)) seen.add(Number(match[1]));
  return [...seen].sort((a, b) => a - b);
}

/** The body with `{{n}}` replaced by the n-th value; a placeholder without a value stays as written. */
export function fillTemplate(body: string, values: readonly string[]): string {
  return body.replace(PLACEHOLDER, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

/**
 * The parameters of a body: for `{{1}}`…`{{k}}`, the example Meta holds for each where
 * there is one, else the placeholder itself.
 */
export function parametersOf(body: string, examples: readonly string[] = []): string[] {
  const count = placeholderNumbers(body).length;
  return Array.from({ length: count }, (_, i) => examples[i]?.trim() || `{{${i + 1}}}`);
}

/** Why a template cannot be kept, or null: its placeholders must run from `{{1}}` and match its parameters. */
export function templateProblem(template: MessageTemplate): string | null {
  if (!template.name.trim()) return 'A template needs a name';
  if (!template.language.trim()) return `Template ${template.name} needs a language`;
  if (!template.body) return null;
  const numbers = placeholderNumbers(template.body);
  if (numbers.some((n, i) => n !== i + 1)) {
    return `The body of template ${template.name} must number its placeholders {{1}}, {{2}}… without a gap`;
  }
  if (numbers.length !== template.parameters.length) {
    return `Template ${template.name} has ${numbers.length} placeholder(s) in its body but ${template.parameters.length} parameter(s)`;
  }
  return null;
}

/** Checks a whole library: every template sound, and one template per name and language. */
export function checkTemplateLibrary(templates: readonly MessageTemplate[]): void {
  const seen = new Set<string>();
  for (const template of templates) {
    const problem = templateProblem(template);
    if (problem) throw validationFailed(problem, { field: 'templates' });
    const key = `${template.name}\u0000${template.language}`;
    if (seen.has(key)) {
      throw validationFailed(`Template ${template.name} (${template.language}) appears twice`, { field: 'templates' });
    }
    seen.add(key);
  }
}

/**
 * The template a worker chose, with the values checked: it must be in the number's library,
 * and take exactly as many values as it has parameters, none of them empty (Meta refuses one).
 */
export function chooseTemplate(
  library: readonly MessageTemplate[],
  choice: TemplateChoice,
): { template: MessageTemplate; values: string[] } {
  const template = library.find((t) => t.name === choice.name && t.language === choice.language);
  if (!template) {
    throw validationFailed(`This number has no template ${choice.name} in language ${choice.language}`, { field: 'template' });
  }
  const values = choice.parameters.map((value) => value.trim());
  if (values.length !== template.parameters.length) {
    throw validationFailed(`Template ${template.name} takes ${template.parameters.length} parameter(s); ${values.length} given`, {
      field: 'template',
    });
  }
  if (values.some((value) => !value)) throw validationFailed('Fill in every parameter of the template', { field: 'template' });
  return { template, values };
}

/**
 * What a chosen template says, as the conversation shows it: the body filled in; a
 * template without a body names itself and its values.
 */
export function templateText(template: MessageTemplate, values: readonly string[]): string {
  if (template.body) return fillTemplate(template.body, values);
  return values.length > 0 ? `[${template.name}] ${values.join(' · ')}` : `[${template.name}]`;
}

/** Part one's single template `{name, language, parameters}` as a library entry. */
export function fromSingleTemplate(template: { name: string; language: string; parameters: string[] }): MessageTemplate {
  return { name: template.name, language: template.language, body: '', parameters: [...template.parameters] };
}

/**
 * The library after a sync with the provider: the approved templates only, those already
 * kept first in their order (the first one is what `template: true` sends), then new ones
 * by name and language.
 */
export function syncedLibrary(
  current: readonly MessageTemplate[],
  fetched: ReadonlyArray<MessageTemplate & { status: string }>,
): MessageTemplate[] {
  const key = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;
  const approved = new Map<string, MessageTemplate>();
  for (const t of fetched) {
    if (t.status !== 'APPROVED' || templateProblem(t) !== null || approved.has(key(t))) continue;
    approved.set(key(t), { name: t.name, language: t.language, body: t.body, parameters: t.parameters });
  }
  const kept = current.map((t) => approved.get(key(t))).filter((t) => t !== undefined);
  const keptKeys = new Set(kept.map(key));
  const added = [...approved.values()]
    .filter((t) => !keptKeys.has(key(t)))
    .sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  return [...kept, ...added];
}
