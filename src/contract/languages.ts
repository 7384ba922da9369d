/**
 * The console's languages, free of schema code so the console can import the list itself
 * (src/web/src/i18n) without the schema library.
 */
export { CONSOLE_LANGUAGES } from '../domain/languages.js';
