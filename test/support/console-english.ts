/**
 * Starts the console's i18next in English from its files on disk, for unit tests of console
 * code that translates: importing this module is enough (top-level await).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next from 'i18next';
import { NAMESPACES } from '../../src/web/src/i18n/setup.js';

const localeDir = fileURLToPath(new URL('../../src/web/src/i18n/locales/', import.meta.url));

export function readLocale(language: string): Record<string, unknown> {
  return Object.fromEntries(
    readdirSync(join(localeDir, language))
      .filter((file) => file.endsWith('.json'))
      .map((file) => [file.slice(0, -'.json'.length), JSON.parse(readFileSync(join(localeDir, language, file), 'utf8')) as unknown]),
  );
}

if (!i18next.isInitialized) {
  await i18next.init({
    lng: 'en',
    fallbackLng: false,
    ns: [...NAMESPACES],
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    resources: { en: readLocale('en') as never },
  });
}
