// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The house checks itself (STYLE.md habit 11): typescript-eslint's type-checked strict
 * rules, and the directions of DESIGN.md §5 as import rules. Prettier owns layout, so its
 * config turns off every rule about it.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'test-results/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' },
      ],
      // `() => setOpen(false)` in handlers is the idiom; a void returned from a block body still counts.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // PostgreSQL returns bigint columns as strings while the schema types say number: the
      // `Number(row.x)` this rule calls unnecessary is what makes both dialects agree.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // Numbers in template strings read naturally ("case #12", "after 3 attempts").
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `noUncheckedIndexedAccess` is on: `!` marks an index the code has just checked, and
      // the reviewer sees it; banning it would only move the assertion into casts.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/domain',
              from: './src',
              except: ['./domain'],
              message: 'The domain is pure: it imports only the domain (DESIGN.md §5).',
            },
            { target: './src/http', from: './src/db', message: 'Routes reach the database only through services (DESIGN.md §5).' },
            { target: './src/outbox', from: ['./src/services', './src/http'], message: 'The outbox is below the services (DESIGN.md §5).' },
            {
              target: './src/jobs',
              from: ['./src/services', './src/http', './src/outbox', './src/providers'],
              message: 'The job worker is below the services: handlers are given to it (src/server.ts).',
            },
            {
              target: './src/storage',
              from: ['./src/services', './src/http', './src/outbox', './src/providers', './src/jobs'],
              message: 'Media stores keep bytes; they know only the database module and the domain.',
            },
            {
              target: './src/mail',
              from: ['./src/services', './src/http', './src/outbox', './src/providers', './src/jobs', './src/storage', './src/db'],
              message: 'The mail port sends mail; it knows nothing of cases or storage.',
            },
            {
              target: './src/providers',
              from: ['./src/db', './src/services', './src/http', './src/outbox'],
              message: 'Providers know only the domain (DESIGN.md §5).',
            },
            {
              target: './src/db',
              from: ['./src/services', './src/http', './src/outbox', './src/providers', './src/jobs', './src/storage'],
              message: 'The database module is below the services.',
            },
            { target: './src/services', from: './src/http', message: 'Services know nothing of HTTP.' },
            {
              target: './src/contract',
              from: './src',
              except: ['./contract', './domain'],
              message: 'The API contract is built from the domain’s lists and TypeBox only.',
            },
            {
              target: './src/web',
              from: './src',
              except: ['./web', './contract'],
              message: 'The console imports only the API contract (src/contract).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['src/http/**'],
    // Fastify tells an async hook, handler or plugin from a callback-style one by its
    // returning a promise: `async` without `await` is how one without `done` is written.
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['src/db/migrations/**'],
    // A migration runs against the schema of its own time, not today's `Database` type, so
    // it takes `Kysely<any>` as Kysely's migrator does.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      // Tests and benchmarks read JSON answers as `any` on purpose (test/support/harness.ts)
      // and assert on their shape; typing every answer would restate the API's schemas.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Servers and browsers that `beforeAll` assigns are typed as present, but are missing
      // when set-up failed; teardown's `?.` keeps that failure the one reported.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Fixtures and clients default a generic answer type once (`call<T = any>`) so each
      // test names the shape it expects where it reads it.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // Kysely's expression builder is destructured by Kysely's own idiom, and set-up hands
      // out `drop`/`stop` functions that use no `this`.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
