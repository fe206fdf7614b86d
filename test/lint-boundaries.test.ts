import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './helpers/run-cli.ts'

const eslint = new ESLint({ cwd: repoRoot })

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` })
  return result!.messages.map((message) => message.ruleId ?? message.message)
}

describe('lint: only *.electron.ts files in main/ load electron at runtime', () => {
  it.each([
    ["import { app } from 'electron'\nexport const a = app", '@typescript-eslint/no-restricted-imports'],
    ["import { ipcMain } from 'electron/main'\nexport const a = ipcMain", '@typescript-eslint/no-restricted-imports'],
    ["export { app } from 'electron'", '@typescript-eslint/no-restricted-imports'],
    ["export const e = await import('electron')", 'no-restricted-syntax'],
    ["declare const require: (id: string) => unknown\nexport const e = require('electron')", 'no-restricted-syntax'],
  ])('flags %j in main/core', async (code, rule) => {
    expect(await ruleIds('main/core/keys/example.ts', code)).toContain(rule)
  })

  it('allows type-only imports and look-alike packages anywhere in main', async () => {
    expect(
      await ruleIds('main/core/keys/example.ts', "import type { App } from 'electron'\nexport type A = App"),
    ).toEqual([])
    expect(await ruleIds('main/core/keys/example.ts', "export const e = await import('electron-store')")).toEqual([])
  })

  it('allows electron in *.electron.ts and their tests', async () => {
    const code = "import { app } from 'electron'\nexport const a = app"
    expect(await ruleIds('main/window.electron.ts', code)).toEqual([])
    expect(await ruleIds('main/window.electron.test.ts', code)).toEqual([])
  })

  it('keeps the renderer away from main and Node', async () => {
    expect(
      await ruleIds(
        'renderer/src/example.ts',
        "import { openVault } from '../../main/core/keys/vault'\nexport const o = openVault",
      ),
    ).toContain('no-restricted-imports')
    expect(
      await ruleIds('renderer/src/example.ts', "import { readFile } from 'node:fs'\nexport const r = readFile"),
    ).toContain('no-restricted-imports')
  })
})

describe('lint: main/core imports only main/core', () => {
  const rule = 'siegelpost/core-imports-inward'

  it.each([
    ['main/core/keys/example.ts', "import type { K } from '../../../preload/contract.ts'\nexport type L = K"],
    ['main/core/keys/example.ts', "import { channels } from '../../../preload/channels.ts'\nexport const c = channels"],
    ['main/core/keys/example.ts', "import { createHandlers } from '../../ipc/registry.ts'\nexport const h = 1"],
    ['main/core/example.ts', "import type { Handlers } from '../ipc/dispatch.ts'\nexport type H = Handlers"],
    ['main/core/keys/example.ts', "export { commands } from '../../cli/commands.ts'"],
    ['main/core/keys/example.ts', "export * from '../../cli/keys-commands.ts'"],
    ['main/core/keys/example.ts', "import { t } from '../../../renderer/src/i18n.ts'\nexport const x = t"],
    ['main/core/keys/example.ts', "export const m = await import('../../ipc/registry.ts')"],
    ['main/core/keys/example.ts', "export type A = import('../../../preload/contract.ts').AppInfo"],
    ['main/core/keys/example.ts', "import { createAppCore } from '../../app-core.ts'\nexport const a = createAppCore"],
  ])('flags %s importing outward: %j', async (file, code) => {
    expect(await ruleIds(file, code)).toContain(rule)
  })

  it('allows the core, packages, Node and the test helpers', async () => {
    const code = [
      "import { z } from 'zod'",
      "import { join } from 'node:path'",
      "import { limits } from '../limits.ts'",
      "import type { StoredKey } from './stored-key.ts'",
      "import { sampleKey } from '../../../test/helpers/sample-key.ts'",
      'export const all = [z, join, limits, sampleKey] as unknown as StoredKey',
    ].join('\n')
    expect(await ruleIds('main/core/keys/example.ts', code)).toEqual([])
  })

  it('leaves the adapters free to import the contract', async () => {
    const code = "import type { KeySummary } from '../../preload/contract.ts'\nexport type K = KeySummary"
    expect(await ruleIds('main/ipc/example.ts', code)).toEqual([])
    expect(await ruleIds('main/cli/example.ts', code)).toEqual([])
  })

  it('finds no outward import in the tree', async () => {
    const tree = new ESLint({ cwd: repoRoot, ruleFilter: ({ ruleId }) => ruleId === rule })
    const results = await tree.lintFiles(['main/core'])
    expect(results.length).toBeGreaterThan(50)
    const messages = results.flatMap(({ filePath, messages }) =>
      messages.map((m) => `${filePath}:${m.line} ${m.message}`),
    )
    expect(messages).toEqual([])
  })
})
