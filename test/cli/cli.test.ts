import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openVault, vaultFileName } from '../../main/core/keys/vault.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'
import { sampleKey } from '../helpers/sample-key.ts'

let dir: string
let profile: string
beforeAll(assertBuilt)
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-cli-'))
  profile = join(dir, 'profile')
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
/** A session bus address that leads nowhere: any keychain access would fail loudly. */
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }

function expectOneLineError(run: ReturnType<typeof runCli>, pattern: RegExp, status = 1) {
  expect(run.status).toBe(status)
  expect(run.errorLines).toHaveLength(1)
  expect(run.errorLines[0]).toMatch(/^siegelpost: /)
  expect(run.errorLines[0]).toMatch(pattern)
  expect(run.stderr).not.toMatch(/^\s+at /m)
}

describe('siegelpost --help and --version', () => {
  it('print help and version without touching the profile or the keychain', () => {
    const help = runCli(['--help', '--profile', profile], { env: noKeychain })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('keys list [--json]')
    expect(help.stdout).toContain('Befehle:')
    expect(runCli(['--help', '--lang', 'en']).stdout).toContain('Commands:')
    const version = runCli(['--version', '--profile', profile], { env: noKeychain })
    expect(version.status).toBe(0)
    expect(version.stdout.trim()).toMatch(/^siegelpost \d+\.\d+\.\d+$/)
    expect(existsSync(profile)).toBe(false)
  })
})

describe('siegelpost usage errors', () => {
  it.each([
    [['keys', 'frobnicate'], /Unbekannter Befehl „keys frobnicate“/],
    [['keys', 'list', '--frob'], /Unbekannte Option --frob/],
    [['keys', 'list', 'extra'], /Unerwartetes Argument „extra“/],
    [['keys', 'list', '--profile'], /--profile braucht einen Wert/],
    [['--lang', 'fr', 'keys', 'list'], /Ungültiger Wert „fr“ für --lang/],
    [[], /Welcher Befehl\?/],
  ])('%j exits 2 with one line that names the fix', (args, pattern) => {
    const run = runCli(args, { env: noKeychain })
    expectOneLineError(run, pattern, 2)
    expect(run.stdout).toBe('')
  })
})

describe('siegelpost in passphrase mode', () => {
  let passphraseFile: string
  beforeEach(async () => {
    passphraseFile = join(dir, 'vault-pass')
    await writeFile(passphraseFile, 'Kanzlei-Tresor 2026\r\n')
  })

  it('creates the vault on first use and lists no keys', () => {
    const run = runCli(['keys', 'list', '--json', '--profile', profile, '--vault-passphrase-file', passphraseFile], {
      env: noKeychain,
    })
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual([])
    expect(existsSync(join(profile, vaultFileName))).toBe(true)
  })

  it('lists stored keys with exactly the contract fields', async () => {
    const vault = await openVault({
      profileDir: profile,
      keySource: { mode: 'passphrase', passphrase: Buffer.from('Kanzlei-Tresor 2026') },
    })
    await vault.update((draft) => void draft.keys.push(sampleKey({ expires: '2020-01-01T00:00:00.000Z' })))
    const run = runCli(['--vault-passphrase-file', passphraseFile, 'keys', 'list', '--json'], {
      env: { ...noKeychain, SIEGELPOST_PROFILE: profile },
    })
    expect(run.status).toBe(0)
    const [key] = JSON.parse(run.stdout)
    expect(Object.keys(key).sort()).toEqual(
      [
        'id',
        'fingerprint',
        'technology',
        'name',
        'emails',
        'hasSecret',
        'acceptance',
        'created',
        'expires',
        'status',
        'usage',
      ].sort(),
    )
    expect(key).toMatchObject({ fingerprint: sampleKey().fingerprint, status: 'expired', technology: 'openpgp' })
    expect(run.stdout).not.toContain('material')
  })

  it('refuses a wrong passphrase in one line and leaves the vault untouched', async () => {
    runCli(['keys', 'list', '--profile', profile, '--vault-passphrase-file', passphraseFile], { env: noKeychain })
    const before = await sha256(join(profile, vaultFileName))
    await writeFile(passphraseFile, 'falsch\n')
    const run = runCli(['keys', 'list', '--json', '--profile', profile, '--vault-passphrase-file', passphraseFile], {
      env: noKeychain,
    })
    expectOneLineError(run, /lässt sich mit diesem Schlüssel nicht öffnen/)
    expect(run.stdout).toBe('')
    expect(await sha256(join(profile, vaultFileName))).toBe(before)
  })

  it('reports a damaged vault in one line, names the backup, changes nothing', async () => {
    runCli(['keys', 'list', '--profile', profile, '--vault-passphrase-file', passphraseFile], { env: noKeychain })
    const file = join(profile, vaultFileName)
    await writeFile(file, (await readFile(file)).subarray(0, 70))
    const before = await sha256(file)
    const run = runCli(
      ['keys', 'list', '--profile', profile, '--vault-passphrase-file', passphraseFile, '--lang', 'en'],
      { env: noKeychain },
    )
    expectOneLineError(run, /damaged or incomplete.*vault\.sgpv\.bak/)
    expect(await sha256(file)).toBe(before)
  })

  it('confirms a fingerprint only when it matches, and deletes only with --yes', async () => {
    const vault = await openVault({
      profileDir: profile,
      keySource: { mode: 'passphrase', passphrase: Buffer.from('Kanzlei-Tresor 2026') },
    })
    await vault.update((draft) => void draft.keys.push(sampleKey({ acceptance: 'unverified' })))
    const base = ['--profile', profile, '--vault-passphrase-file', passphraseFile]
    const { id, fingerprint } = sampleKey()
    expectOneLineError(
      runCli(['keys', 'verify', id, '--fingerprint', '0000', ...base], { env: noKeychain }),
      /Fingerabdruck stimmt nicht/,
    )
    const verified = runCli(['keys', 'verify', id, '--fingerprint', fingerprint.toLowerCase(), '--json', ...base], {
      env: noKeychain,
    })
    expect(JSON.parse(verified.stdout)[0].acceptance).toBe('verified')
    expectOneLineError(
      runCli(['keys', 'delete', fingerprint, ...base], { env: noKeychain }),
      /Bestätigen Sie mit --yes/,
      2,
    )
    expect(runCli(['keys', 'delete', fingerprint, '--yes', ...base], { env: noKeychain }).status).toBe(0)
    expect(JSON.parse(runCli(['keys', 'list', '--json', ...base], { env: noKeychain }).stdout)).toEqual([])
  })

  it('names a file that holds no key it can read', async () => {
    await writeFile(join(dir, 'note.txt'), 'not a key')
    const run = runCli(
      ['keys', 'import', join(dir, 'note.txt'), '--profile', profile, '--vault-passphrase-file', passphraseFile],
      { env: noKeychain },
    )
    expectOneLineError(run, /enthält keinen Schlüssel und kein Zertifikat/)
  })

  it('names a missing passphrase file', () => {
    const run = runCli(['keys', 'list', '--profile', profile, '--vault-passphrase-file', join(dir, 'nope')], {
      env: noKeychain,
    })
    expectOneLineError(run, /Die Datei .*nope gibt es nicht/)
    expect(existsSync(profile)).toBe(false)
  })
})

describe('siegelpost without a usable keychain', () => {
  it('says how to fix a missing keychain and creates nothing', () => {
    const run = runCli(['keys', 'list', '--profile', profile, '--lang', 'en'], { env: { ...noKeychain } })
    expectOneLineError(run, /system keychain cannot be reached.*passphrase.*--vault-passphrase-file/)
    expect(existsSync(profile)).toBe(false)
  })

  const hasDbus = spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon']).status === 0
  it.skipIf(skipUnless('dbus-run-session and gnome-keyring', hasDbus, 'apt-get install dbus-x11 gnome-keyring'))(
    'says the keychain is locked when its collection is not unlocked, and creates nothing',
    async () => {
      const home = join(dir, 'home')
      const run = runCli(['keys', 'list', '--profile', profile, '--lang', 'en'], {
        command: ['dbus-run-session', '--', process.execPath],
        env: { HOME: home, XDG_DATA_HOME: join(home, 'data'), DBUS_SESSION_BUS_ADDRESS: undefined },
      })
      expectOneLineError(run, /system keychain is locked/)
      expect(existsSync(profile)).toBe(false)
    },
  )
})

describe.skipIf(
  skipUnless('a gnome-keyring session', hasKeyringSession, 'run through npm test (test/helpers/with-keyring.sh)'),
)('siegelpost with the OS keychain (real gnome-keyring)', () => {
  it('keeps the vault key in Secret Service under Siegelpost / vault:<profile>, where secret-tool finds it', async () => {
    const run = runCli(['keys', 'list', '--json', '--profile', profile])
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual([])
    const stored = execFileSync('secret-tool', ['lookup', 'service', 'Siegelpost', 'username', `vault:${profile}`], {
      encoding: 'utf8',
    })
    expect(Buffer.from(stored.trim(), 'base64')).toHaveLength(32)
    expect(await readFile(join(profile, vaultFileName))).not.toContain(Buffer.from(stored.trim(), 'base64'))
  })

  it('round-trips keys written by the core and read by the CLI through the real keychain', async () => {
    const vault = await openVault({ profileDir: profile, keySource: { mode: 'keychain', store: createOsKeychain() } })
    await vault.update((draft) => void draft.keys.push(sampleKey()))
    const run = runCli(['keys', 'list', '--json', '--profile', profile])
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject([{ id: sampleKey().id, status: 'valid', acceptance: 'verified' }])
  })

  it('refuses to open the vault when its keychain entry is gone, without making a new key', async () => {
    expect(runCli(['keys', 'list', '--profile', profile]).status).toBe(0)
    const before = await sha256(join(profile, vaultFileName))
    execFileSync('secret-tool', ['clear', 'service', 'Siegelpost', 'username', `vault:${profile}`])
    const run = runCli(['keys', 'list', '--profile', profile, '--lang', 'en'])
    expectOneLineError(run, /its key is missing from the keychain/)
    const lookup = spawnSync('secret-tool', ['lookup', 'service', 'Siegelpost', 'username', `vault:${profile}`])
    expect(lookup.stdout.toString()).toBe('')
    expect(await sha256(join(profile, vaultFileName))).toBe(before)
  })
})

describe('the siegelpost command on an old Node', () => {
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (path) =>
      existsSync(path) &&
      Number(execFileSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' })) < 24,
  )
  it.skipIf(!oldNode)('says that Node.js 24 is needed', () => {
    const run = runCli(['--help'], { command: [oldNode!] })
    expectOneLineError(run, /needs Node\.js 24/)
  })
})
