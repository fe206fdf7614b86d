import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { commandSpecs } from '../../main/cli/commands.ts'
import { assertBuilt, repoRoot } from '../helpers/run-cli.ts'
import { currentSpecs } from '../helpers/write-command-specs.ts'

describe('the command table the CLI reads before loading a command', () => {
  it('matches the command modules (else run: node test/helpers/write-command-specs.ts)', async () => {
    expect(JSON.parse(JSON.stringify(commandSpecs))).toEqual(JSON.parse(JSON.stringify(await currentSpecs())))
  })
})

/** The files the built CLI loads for these arguments (ESM load hook; node: built-ins left out). */
function loadedFiles(args: string[]): { status: number | null; files: string[] } {
  const script = `
    import { registerHooks } from 'node:module'
    const files = []
    registerHooks({
      load(url, context, next) { if (!url.startsWith('node:')) files.push(url); return next(url, context) },
    })
    const { main } = await import(${JSON.stringify(`${repoRoot}/out/main/cli.js`)})
    const status = await main(${JSON.stringify(args)})
    process.stderr.write('\\n' + JSON.stringify({ status, files }) + '\\n')
  `
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' },
  })
  const last = run.stderr.trim().split('\n').pop() ?? ''
  return JSON.parse(last) as { status: number; files: string[] }
}

describe('start-up of the built CLI', () => {
  it.each([
    [['--version']],
    [['--help']],
    [['--help', '--lang', 'en']],
    [['keys', 'frobnicate']],
    [['compose', '--bogus']],
  ])('%j loads no library and no command module', (args) => {
    assertBuilt()
    const { files } = loadedFiles(args)
    expect(files.filter((file) => file.includes('/node_modules/'))).toEqual([])
    expect(files.filter((file) => /-commands-/.test(file))).toEqual([])
  })

  it('a command loads its own module only when it runs', () => {
    assertBuilt()
    const { status, files } = loadedFiles(['vault', 'status', '--profile', '/nonexistent/siegelpost-profile'])
    expect(typeof status).toBe('number')
    expect(files.some((file) => /\/vault-commands-[^/]+\.js$/.test(file))).toBe(true)
    expect(files.some((file) => /\/(keys|message|mailbox|transport)-commands-/.test(file))).toBe(false)
  })
})
