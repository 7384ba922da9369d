import i18next from 'i18next';
import resourcesToBackend from 'i18next-resources-to-backend';
import { initReactI18next } from 'react-i18next';
import { CONSOLE_LANGUAGES, directionOf, isConsoleLanguage, preferredLanguage, type ConsoleLanguage } from './languages.js';

/**
 * The console's strings, one file per area and language under ./locales/<language>/; each
 * area is one i18next namespace. A language's files are fetched only when it is chosen.
 */
export const NAMESPACES = [
  'common',
  'errors',
  'cases',
  'case',
  'caseDetails',
  'admin',
  'numbers',
  'privacy',
  'webhooks',
  'reports',
  'account',
] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** The last language this browser showed, so the login screen speaks it before anyone signs in. */
const REMEMBERED = 'caseline.language';

function rememberedLanguage(): ConsoleLanguage | null {
  try {
    const stored = localStorage.getItem(REMEMBERED);
    return isConsoleLanguage(stored) ? stored : null;
  } catch {
    return null;
  }
}

/** The language to start in: the one this browser last showed, else the browser's own. */
export function startingLanguage(): ConsoleLanguage {
  return rememberedLanguage() ?? preferredLanguage(navigator.languages);
}

function showLanguage(language: ConsoleLanguage): void {
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
  try {
    localStorage.setItem(REMEMBERED, language);
  } catch {
    // Private windows may refuse storage; the choice still holds for this page.
  }
}

export async function startI18n(language: ConsoleLanguage): Promise<void> {
  i18next.on('languageChanged', (changed) => {
    if (isConsoleLanguage(changed)) showLanguage(changed);
  });
  await i18next
    .use(initReactI18next)
    .use(resourcesToBackend((lng: string, ns: string) => import(`./locales/${lng}/${ns}.json`)))
    .init({
      lng: language,
      supportedLngs: CONSOLE_LANGUAGES,
      // Every language file holds every key (test/unit/console-translations.test.ts), so
      // there is nothing to fall back to, and English is not fetched beside another language.
      fallbackLng: false,
      ns: NAMESPACES,
      defaultNS: 'common',
      // React escapes what it renders; escaping here too would show `&amp;`.
      interpolation: { escapeValue: false },
      react: { useSuspense: false },
    });
}

/** Shows the console in `language`, once its files have arrived. */
export async function changeLanguage(language: ConsoleLanguage): Promise<void> {
  if (i18next.resolvedLanguage !== language) await i18next.changeLanguage(language);
}

/**
 * The locale for `Intl` and `toLocale…String`: the console's language, in the browser's own
 * region when the browser prefers that language (`fr-SN` rather than `fr`, `en-GB` rather
 * than `en`), so dates and numbers look as the person is used to.
 */
export function currentLocale(): string {
  const resolved = i18next.resolvedLanguage;
  const language = isConsoleLanguage(resolved) ? resolved : 'en';
  const preferences = (globalThis.navigator as Navigator | undefined)?.languages ?? [];
  return preferences.find((tag) => tag.split('-')[0]?.toLowerCase() === language) ?? language;
}
