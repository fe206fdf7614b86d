import { dirname, relative, resolve, sep } from 'node:path'
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

// The core points inward: main/core/** imports only main/core (and packages; its tests also test/helpers),
// never the adapters around it (preload/, main/ipc/, main/cli/, renderer/, the app's own files in main/).
// Relative specifiers are resolved against the importing file, so `../../ipc/x` and `../ipc/x` are judged alike.
const repoRoot = import.meta.dirname
const coreImportsInward = {
  meta: {
    type: 'problem',
    docs: { description: 'main/core imports only main/core' },
    messages: {
      outward:
        "main/core may not import '{{specifier}}' ({{target}}): the core owns its types; " +
        'move what both need into main/core.',
    },
    schema: [],
  },
  create(context) {
    const specifierOf = (source) => {
      if (source?.type === 'Literal') return source.value
      if (source?.type === 'TemplateLiteral' && source.expressions.length === 0) return source.quasis[0].value.cooked
      return null
    }
    const check = (source) => {
      const specifier = specifierOf(source)
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return
      const target = relative(repoRoot, resolve(dirname(context.filename), specifier))
        .split(sep)
        .join('/')
      if (target === 'main/core' || target.startsWith('main/core/')) return
      if (!/^(main|preload|renderer)(\/|$)/.test(target)) return
      context.report({ node: source, messageId: 'outward', data: { specifier, target } })
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
      TSExternalModuleReference: (node) => check(node.expression),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node.arguments[0])
      },
    }
  },
}

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
          paths: [
            { name: 'electron', message: "Only *.electron.ts files may import 'electron'.", allowTypeImports: true },
          ],
          patterns: [
            { regex: '^electron/', message: "Only *.electron.ts files may import 'electron'.", allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...electronAtRuntime],
    },
  },
  {
    files: ['main/core/**/*.ts'],
    plugins: { siegelpost: { rules: { 'core-imports-inward': coreImportsInward } } },
    rules: { 'siegelpost/core-imports-inward': 'error' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      // The UI talks only to window.siegelpost; it never reaches into main or Node.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', 'node:*', 'electron', 'electron/*'],
              message: 'The renderer talks only to window.siegelpost.',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
)
