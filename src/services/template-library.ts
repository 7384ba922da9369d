import type { NumberCreate, Template } from '../contract/index.js';
import type { NumberTable } from '../db/schema.js';
import { validationFailed } from '../domain/errors.js';
import { checkTemplateLibrary, fromSingleTemplate, type MessageTemplate } from '../domain/templates.js';
import type { TemplateConfig } from '../providers/provider.js';

/**
 * A number's template library as stored (`numbers.templates`, migration 007) and as the
 * API writes it: `templates`, or part one's single `template`, which stays readable as the
 * library's first entry.
 */
export function storedTemplates(row: Pick<NumberTable, 'templates'>): MessageTemplate[] {
  return JSON.parse(row.templates) as MessageTemplate[];
}

/** Part one's `template`: the library's first entry, without its body. */
export function firstTemplate(row: Pick<NumberTable, 'templates'>): Template | null {
  const first = storedTemplates(row)[0];
  return first ? { name: first.name, language: first.language, parameters: first.parameters } : null;
}

/** What a send carries to the provider for the library's first template (`template: true`). */
export function firstTemplateConfig(row: Pick<NumberTable, 'templates'>): TemplateConfig | null {
  return firstTemplate(row);
}

/**
 * The library a create or a patch leaves: `templates` replaces it; `template` alone (part
 * one's clients) puts that template first, in place of one of the same name and language,
 * and `template: null` empties it, so `template` reads back as written.
 */
export function libraryAfter(
  input: Pick<Partial<NumberCreate>, 'template' | 'templates'>,
  current: readonly MessageTemplate[],
): MessageTemplate[] {
  if (input.templates !== undefined && input.template !== undefined) {
    throw validationFailed('Give templates or template, not both: template is the first entry of templates', { field: 'template' });
  }
  let library: MessageTemplate[];
  if (input.templates !== undefined) {
    library = input.templates.map((t) => ({ name: t.name.trim(), language: t.language.trim(), body: t.body, parameters: t.parameters }));
  } else if (input.template === null) {
    library = [];
  } else if (input.template !== undefined) {
    const single = fromSingleTemplate(input.template);
    library = [single, ...current.filter((t) => t.name !== single.name || t.language !== single.language)];
  } else {
    return [...current];
  }
  checkTemplateLibrary(library);
  return library;
}
