import { fork } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memorySecretStore } from '../../../test/helpers/memory-secret-store.ts'
import { sampleKey } from '../../../test/helpers/sample-key.ts'
import { SiegelpostError } from '../errors/index.ts'
import { keychainService, vaultKeychainAccount } from './secret-store.ts'
import { openVault, vaultFileName, type VaultKeySource } from './vault.ts'

let dir: string
let vaultPath: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-vault-'))
  vaultPath = join(dir, vaultFileName)
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
const passphrase = (text: string): VaultKeySource => ({ mode: 'passphrase', passphrase: Buffer.from(text) })

async function expectCode(promise: Promise<unknown>, code: string): Promise<SiegelpostError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SiegelpostError)
  expect((error as SiegelpostError).code).toBe(code)
  return error as SiegelpostError
}

describe('vault on first use', () => {
  it('creates a random 256-bit key in the keychain entry of this profile and an encrypted, private file', async () => {
    const store = memorySecretStore()
    const vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    const stored = await store.get(keychainService, vaultKeychainAccount(dir))
    expect(Buffer.from(stored!, 'base64')).toHaveLength(32)
    expect(vault.info()).toMatchObject({ mode: 'keychain', generation: 1, keyCount: 0, path: vaultPath })
    const file = await readFile(vaultPath)
    expect(file.subarray(0, 4).toString()).toBe('SGPV')
    expect(file.toString('latin1')).not.toContain('"keys"')
    expect((await stat(vaultPath)).mode & 0o777).toBe(0o600)
  })

  it('leaves no profile folder behind when the keychain fails', async () => {
    const profileDir = join(dir, 'new-profile')
    const broken = {
      ...memorySecretStore(),
      get: async () => Promise.reject(new SiegelpostError('KEYCHAIN_UNAVAILABLE')),
    }
    await expectCode(openVault({ profileDir, keySource: { mode: 'keychain', store: broken } }), 'KEYCHAIN_UNAVAILABLE')
    expect(existsSync(profileDir)).toBe(false)
  })
})

describe('vault round trip', () => {
  it('stores keys, reopens them, and keeps the previous generation as backup', async () => {
    const store = memorySecretStore()
    const first = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    await first.update((draft) => void draft.keys.push(sampleKey()))
    const reopened = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    expect(reopened.contents.keys).toEqual([sampleKey()])
    expect(reopened.info().generation).toBe(2)
    expect(existsSync(`${vaultPath}.bak`)).toBe(true)
    expect(existsSync(`${vaultPath}.tmp`)).toBe(false)

    // The backup is the previous generation, readable with the same key.
    await rm(vaultPath)
    await writeFile(vaultPath, await readFile(`${vaultPath}.bak`))
    const restored = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    expect(restored.info()).toMatchObject({ generation: 1, keyCount: 0 })
  })

  it('applies updates to the newest state on disk, so two writers do not lose each other’s keys', async () => {
    const store = memorySecretStore()
    const a = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    const b = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    await a.update((draft) => void draft.keys.push(sampleKey({ id: 'A' })))
    await b.update((draft) => void draft.keys.push(sampleKey({ id: 'B' })))
    const reopened = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    expect(reopened.contents.keys.map((key) => key.id)).toEqual(['A', 'B'])
  })

  it('derives independent keys per purpose from the vault key', async () => {
    const vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
    expect(vault.deriveKey('outbox')).toHaveLength(32)
    expect(vault.deriveKey('outbox').equals(vault.deriveKey('drafts'))).toBe(false)
  })
})

describe('vault refuses what it cannot trust and leaves the file untouched', () => {
  it('refuses a wrong keychain key', async () => {
    await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
    const before = await sha256(vaultPath)
    const other = memorySecretStore({
      [`${keychainService}\u0000${vaultKeychainAccount(dir)}`]: randomBytes(32).toString('base64'),
    })
    await expectCode(openVault({ profileDir: dir, keySource: { mode: 'keychain', store: other } }), 'VAULT_WRONG_KEY')
    expect(await sha256(vaultPath)).toBe(before)
    expect(existsSync(`${vaultPath}.tmp`)).toBe(false)
  })

  it('refuses a wrong passphrase and opens with the right one', async () => {
    const created = await openVault({ profileDir: dir, keySource: passphrase('richtig') })
    await created.update((draft) => void draft.keys.push(sampleKey()))
    const before = await sha256(vaultPath)
    const error = await expectCode(openVault({ profileDir: dir, keySource: passphrase('falsch') }), 'VAULT_WRONG_KEY')
    expect(error.localized('de')).toContain('nicht öffnen')
    expect(await sha256(vaultPath)).toBe(before)
    const reopened = await openVault({ profileDir: dir, keySource: passphrase('richtig') })
    expect(reopened.contents.keys).toHaveLength(1)
  })

  it('never generates a new key when the keychain entry of an existing vault is missing', async () => {
    await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
    const before = await sha256(vaultPath)
    const empty = memorySecretStore()
    await expectCode(
      openVault({ profileDir: dir, keySource: { mode: 'keychain', store: empty } }),
      'KEYCHAIN_KEY_MISSING',
    )
    expect(empty.entries.size).toBe(0)
    expect(await sha256(vaultPath)).toBe(before)
  })

  it.each([
    ['a flipped ciphertext byte', (file: Buffer) => ((file[60]! ^= 0x01), file)],
    ['a truncated file', (file: Buffer) => file.subarray(0, file.length - 7)],
    ['a file cut inside the header', (file: Buffer) => file.subarray(0, 30)],
    ['an empty file', () => Buffer.alloc(0)],
    ['a foreign file', () => Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n'.repeat(4))],
  ])('reports %s as damaged, naming the backup', async (_name, damage) => {
    const store = memorySecretStore()
    const vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    await vault.update((draft) => void draft.keys.push(sampleKey()))
    await writeFile(vaultPath, damage(Buffer.from(await readFile(vaultPath))))
    const before = await sha256(vaultPath)
    const error = await expectCode(
      openVault({ profileDir: dir, keySource: { mode: 'keychain', store } }),
      'VAULT_CORRUPT',
    )
    expect(error.localized('en')).toContain(`${vaultPath}.bak`)
    expect(await sha256(vaultPath)).toBe(before)
  })

  it('refuses hostile scrypt parameters instead of spending the machine’s memory', async () => {
    await openVault({ profileDir: dir, keySource: passphrase('pw') })
    const file = Buffer.from(await readFile(vaultPath))
    file[7] = 30 // log2(N) = 30: 128 GiB
    await writeFile(vaultPath, file)
    await expectCode(openVault({ profileDir: dir, keySource: passphrase('pw') }), 'VAULT_CORRUPT')
  })

  it('asks for the right protection mode instead of guessing', async () => {
    await openVault({ profileDir: dir, keySource: passphrase('pw') })
    await expectCode(
      openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } }),
      'VAULT_NEEDS_PASSPHRASE',
    )
    const other = await mkdtemp(join(tmpdir(), 'sp-vault-'))
    await openVault({ profileDir: other, keySource: { mode: 'keychain', store: memorySecretStore() } })
    await expectCode(openVault({ profileDir: other, keySource: passphrase('pw') }), 'VAULT_NEEDS_KEYCHAIN')
    await rm(other, { recursive: true })
  })

  it('does not start an empty vault when only the backup is left', async () => {
    const store = memorySecretStore()
    const vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    await vault.update((draft) => void draft.keys.push(sampleKey()))
    await rm(vaultPath)
    await expectCode(
      openVault({ profileDir: dir, keySource: { mode: 'keychain', store } }),
      'VAULT_MISSING_BACKUP_PRESENT',
    )
    expect(existsSync(vaultPath)).toBe(false)
  })

  it('reports a vault from a newer Siegelpost', async () => {
    const store = memorySecretStore()
    await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    const file = Buffer.from(await readFile(vaultPath))
    file[4] = 9
    await writeFile(vaultPath, file)
    await expectCode(openVault({ profileDir: dir, keySource: { mode: 'keychain', store } }), 'VAULT_NEWER_FORMAT')
  })
})

describe('vault survives a crash during write', () => {
  it('keeps the last complete generation when the writer is killed between temp write and rename', async () => {
    const created = await openVault({ profileDir: dir, keySource: passphrase('pw') })
    await created.update((draft) => void draft.keys.push(sampleKey({ id: 'KEPT' })))
    const before = await sha256(vaultPath)

    const child = fork(join(import.meta.dirname, '../../../test/helpers/vault-crash-child.ts'), [dir, 'pw'], {
      stdio: 'pipe',
    })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const reached = await new Promise<boolean>((resolve) => {
      child.on('message', (message) => message === 'temp-written' && resolve(true))
      child.on('exit', () => resolve(false))
    })
    expect(reached, stderr).toBe(true)
    expect(existsSync(`${vaultPath}.tmp`)).toBe(true)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.on('exit', resolve))

    expect(await sha256(vaultPath)).toBe(before)
    const after = await openVault({ profileDir: dir, keySource: passphrase('pw') })
    expect(after.contents.keys.map((key) => key.id)).toEqual(['KEPT'])
    expect(after.info().generation).toBe(2)

    // The next write replaces the stale temp file and moves on.
    await after.update((draft) => void draft.keys.push(sampleKey({ id: 'NEXT' })))
    const reopened = await openVault({ profileDir: dir, keySource: passphrase('pw') })
    expect(reopened.contents.keys.map((key) => key.id)).toEqual(['KEPT', 'NEXT'])
    expect(existsSync(`${vaultPath}.tmp`)).toBe(false)
  })
})

describe('vault shared between processes', () => {
  it('shows keys another writer added once refreshed, and only reads the file when it changed', async () => {
    const store = memorySecretStore()
    const app = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    const cli = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    await cli.update((draft) => void draft.keys.push(sampleKey({ id: 'FROM-CLI' })))
    expect(app.contents.keys).toEqual([])
    await app.refresh()
    expect(app.contents.keys.map((key) => key.id)).toEqual(['FROM-CLI'])
    // A damaged file is reported on refresh rather than silently ignored.
    await writeFile(vaultPath, Buffer.from('garbage'))
    await expectCode(app.refresh(), 'VAULT_CORRUPT')
  })
})
