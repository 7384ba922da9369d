// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
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
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' },
      ],
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
              target: './src/providers',
              from: ['./src/db', './src/services', './src/http', './src/outbox'],
              message: 'Providers know only the domain (DESIGN.md §5).',
            },
            {
              target: './src/db',
              from: ['./src/services', './src/http', './src/outbox', './src/providers'],
              message: 'The database module is below the services.',
            },
            { target: './src/services', from: './src/http', message: 'Services know nothing of HTTP.' },
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
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
