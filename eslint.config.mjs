import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// `electron` at runtime: import/export declarations, import(), require() (toolchain.md P10).
const electronSpecifier = '/^electron(\\u002F.*)?$/'
const electronAtRuntime = [
  {
    selector: `ImportExpression[source.value=${electronSpecifier}]`,
    message: "Only *.electron.ts files in main/ may load 'electron'. Keep the core plain TypeScript.",
  },
  {
    selector: `CallExpression[callee.name='require'][arguments.0.value=${electronSpecifier}]`,
    message: "Only *.electron.ts files in main/ may load 'electron'. Keep the core plain TypeScript.",
  },
]

export default defineConfig(
  globalIgnores(['out/**', 'dist/**', 'node_modules/**', 'test-results/**']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/**/*.electron.ts', 'main/**/*.electron.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: "Only *.electron.ts files may import 'electron'.", allowTypeImports: true }],
          patterns: [{ regex: '^electron/', message: "Only *.electron.ts files may import 'electron'.", allowTypeImports: true }],
        },
      ],
      'no-restricted-syntax': ['error', ...electronAtRuntime],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      // The UI talks only to window.siegelpost; it never reaches into main or Node.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', 'node:*', 'electron', 'electron/*'], message: 'The renderer talks only to window.siegelpost.' },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
)
