import { CONSOLE_LANGUAGES } from '../../../contract/languages.js';
import type { ConsoleLanguage } from '../api/types.js';

export { CONSOLE_LANGUAGES };
export type { ConsoleLanguage };

/** Each language in its own name, as a language menu shows it whatever the console's language. */
export const LANGUAGE_NAMES: Record<ConsoleLanguage, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  pt: 'Português',
  ar: 'العربية',
  sw: 'Kiswahili',
};

const RIGHT_TO_LEFT: ReadonlySet<ConsoleLanguage> = new Set(['ar']);

export function directionOf(language: ConsoleLanguage): 'rtl' | 'ltr' {
  return RIGHT_TO_LEFT.has(language) ? 'rtl' : 'ltr';
}

export function isConsoleLanguage(value: unknown): value is ConsoleLanguage {
  return typeof value === 'string' && (CONSOLE_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The first of the browser's preferred languages (`navigator.languages`, e.g. `pt-BR`) the
 * console speaks, by its primary subtag; English when it speaks none of them.
 */
export function preferredLanguage(preferences: readonly string[]): ConsoleLanguage {
  for (const tag of preferences) {
    const primary = tag.split('-')[0]?.toLowerCase();
    if (isConsoleLanguage(primary)) return primary;
  }
  return 'en';
}
