/**
 * The languages the console speaks (DESIGN.md §11). A user's stored choice is one of these,
 * or none: then the console follows the browser's language.
 */
export const CONSOLE_LANGUAGES = ['en', 'fr', 'es', 'pt', 'ar', 'sw'] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];
