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
    expect(await ruleIds('main/core/keys/example.ts', "import type { App } from 'electron'\nexport type A = App")).toEqual([])
    expect(await ruleIds('main/core/keys/example.ts', "export const e = await import('electron-store')")).toEqual([])
  })

  it('allows electron in *.electron.ts and their tests', async () => {
    const code = "import { app } from 'electron'\nexport const a = app"
    expect(await ruleIds('main/window.electron.ts', code)).toEqual([])
    expect(await ruleIds('main/window.electron.test.ts', code)).toEqual([])
  })

  it('keeps the renderer away from main and Node', async () => {
    expect(await ruleIds('renderer/src/example.ts', "import { openVault } from '../../main/core/keys/vault'\nexport const o = openVault")).toContain('no-restricted-imports')
    expect(await ruleIds('renderer/src/example.ts', "import { readFile } from 'node:fs'\nexport const r = readFile")).toContain('no-restricted-imports')
  })
})
