import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { commandSpecs } from '../../main/cli/commands.ts'
import { assertBuilt, repoRoot, runCli } from '../helpers/run-cli.ts'
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

  it('send opens a passphrase vault before its module loads (the scrypt meets a small process); keychain: not', () => {
    assertBuilt()
    const dir = mkdtempSync(join(tmpdir(), 'sp-vault-first-'))
    try {
      const send = ['send', join(dir, 'mail.eml'), '--account', 'x', '--profile', join(dir, 'profile')]
      // A passphrase file that is not there: the vault cannot open, so nothing after it loads.
      const first = loadedFiles([...send, '--vault-passphrase-file', join(dir, 'missing')])
      expect(first.status).not.toBe(0)
      expect(first.files.some((file) => /\/transport-commands-/.test(file))).toBe(false)
      // Without a passphrase the module loads as for any command (its own checks come first).
      const keychain = loadedFiles(send)
      expect(keychain.files.some((file) => /\/transport-commands-/.test(file))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("keeps V8's compile cache in the user's cache folder, and not with NODE_DISABLE_COMPILE_CACHE=1", () => {
    assertBuilt()
    const cache = mkdtempSync(join(tmpdir(), 'sp-compile-cache-'))
    try {
      const env = { XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: undefined }
      expect(runCli(['--version'], { env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' } }).status).toBe(0)
      expect(existsSync(join(cache, 'siegelpost'))).toBe(false)
      expect(runCli(['--version'], { env }).status).toBe(0)
      expect(readdirSync(join(cache, 'siegelpost', 'compile-cache')).length).toBeGreaterThan(0)
    } finally {
      rmSync(cache, { recursive: true, force: true })
    }
  })
})
