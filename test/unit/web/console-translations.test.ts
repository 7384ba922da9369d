import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FAULT_CODES } from '../../../src/domain/errors.js';
import { CONSOLE_LANGUAGES } from '../../../src/domain/languages.js';
import { CLIENT_ERROR_CODES } from '../../../src/web/src/api/client.js';
import { NAMESPACES } from '../../../src/web/src/i18n/setup.js';
import { readLocale } from '../../support/console-english.js';

/**
 * Every console string is in every language (DESIGN.md §11): no key missing, none left over,
 * each plural in every form the language's plural rules use, the same placeholders as the
 * English. English is the reference; a key the code uses but English lacks fails the type check.
 */
const webSource = fileURLToPath(new URL('../../../src/web/src/', import.meta.url));
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

type Flat = Map<string, string>;

function flatten(value: unknown, prefix = '', into: Flat = new Map()): Flat {
  if (typeof value === 'string') into.set(prefix, value);
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  } else into.set(prefix, `<not a string: ${JSON.stringify(value)}>`);
  return into;
}

const locales = Object.fromEntries(CONSOLE_LANGUAGES.map((language) => [language, readLocale(language)]));
const flat = (language: string, namespace: string) => flatten(locales[language]?.[namespace] ?? {});

/** The English keys of a namespace, plurals by their base key: `cases` for `cases_one` and `cases_other`. */
function englishKeys(namespace: string): { plain: Set<string>; plural: Set<string> } {
  const plain = new Set<string>();
  const plural = new Set<string>();
  for (const key of flat('en', namespace).keys()) {
    if (PLURAL_SUFFIX.test(key)) plural.add(key.replace(PLURAL_SUFFIX, ''));
    else plain.add(key);
  }
  return { plain, plural };
}

function expectedKeys(language: string, namespace: string): string[] {
  const { plain, plural } = englishKeys(namespace);
  const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  return [...plain, ...[...plural].flatMap((base) => forms.map((form) => `${base}_${form}`))].sort();
}

const placeholders = (text: string) => new Set([...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]!));
const VOID_ELEMENTS = /^<\/?(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b/;
const tags = (text: string) => [...text.matchAll(/<\/?(\w+)\s*\/?>/g)].map((m) => m[0]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'locales' ? [] : sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

describe('console translations', () => {
  it('has a file per namespace in every language and no other', () => {
    for (const language of CONSOLE_LANGUAGES) {
      expect(Object.keys(locales[language]!).sort(), language).toEqual([...NAMESPACES].sort());
    }
  });

  for (const language of CONSOLE_LANGUAGES) {
    it(`${language}: every key of the English, each plural in all of ${language}'s forms, and nothing else`, () => {
      for (const namespace of NAMESPACES) {
        expect([...flat(language, namespace).keys()].sort(), `${language}/${namespace}.json`).toEqual(expectedKeys(language, namespace));
      }
    });

    it(`${language}: no empty text, the English's placeholders and markup in each`, () => {
      for (const namespace of NAMESPACES) {
        const english = flat('en', namespace);
        for (const [key, text] of flat(language, namespace)) {
          const where = `${language}/${namespace}.json ${key}`;
          expect(text.trim(), where).not.toBe('');
          const base = key.replace(PLURAL_SUFFIX, '');
          const reference = english.get(key) ?? english.get(`${base}_other`) ?? '';
          const expected = placeholders(reference);
          const found = placeholders(text);
          if (namespace === 'errors') {
            // English shows the server's own message; another language may say it all with the code alone.
            expect(
              [...found].filter((name) => !expected.has(name)),
              where,
            ).toEqual([]);
          } else if (base === key) expect([...found].sort(), where).toEqual([...expected].sort());
          else {
            // A plural form may leave the number out ("رسالتان", two messages) but keeps the rest.
            expect(
              [...found].filter((name) => !expected.has(name)),
              where,
            ).toEqual([]);
            expect(
              [...expected].filter((name) => name !== 'count' && !found.has(name)),
              where,
            ).toEqual([]);
          }
          expect(tags(text), where).toEqual(tags(reference));
          // react-i18next renders an HTML void element's name (<link>, <br>) empty, its text outside it.
          expect(
            tags(text).filter((tag) => VOID_ELEMENTS.test(tag)),
            where,
          ).toEqual([]);
        }
      }
    });
  }

  it('uses every key: each is named whole somewhere in the console’s code', () => {
    const source = sourceFiles(webSource)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused: string[] = [];
    for (const namespace of NAMESPACES) {
      // Error texts are looked up by the code the server answers (src/web/src/api/client.ts).
      if (namespace === 'errors') continue;
      const { plain, plural } = englishKeys(namespace);
      for (const key of [...plain, ...plural]) {
        const named = [`'${key}'`, `"${key}"`, `\`${key}\``, `'${namespace}:${key}'`, `"${namespace}:${key}"`].some((form) =>
          source.includes(form),
        );
        if (!named) unused.push(`${namespace}:${key}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('has a text for every error code the server answers and the console makes, and no other', () => {
    const keys = [...flat('en', 'errors').keys()].sort();
    expect(keys).toEqual([...new Set([...ERROR_CODES, ...FAULT_CODES, ...CLIENT_ERROR_CODES])].sort());
  });
});
