import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memorySecretStore } from '../../../test/helpers/memory-secret-store.ts'
import { sampleKey } from '../../../test/helpers/sample-key.ts'
import { SiegelpostError } from '../errors/index.ts'
import { confirmFingerprint, deleteKey, exportKey, findKey, importKeyFile } from './key-store.ts'
import type { StoredKey } from './stored-key.ts'
import type { KeyTechnology } from './technology.ts'
import { openVault, type Vault } from './vault.ts'

let dir: string
let vault: Vault
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-keys-'))
  vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
})
afterEach(() => rm(dir, { recursive: true, force: true }))

/** A technology stand-in for the neutral layer: one key per line "FINGERPRINT secret|public". */
const lineTechnology: KeyTechnology = {
  technology: 'openpgp',
  detect: ({ fileName }) => fileName.endsWith('.lines'),
  import: async ({ bytes }) =>
    new TextDecoder()
      .decode(bytes)
      .trim()
      .split('\n')
      .map((line) => {
        const [fingerprint, kind] = line.split(' ')
        return sampleKey({
          id: fingerprint!.slice(-16),
          fingerprint: fingerprint!,
          hasSecret: kind === 'secret',
          acceptance: 'unverified',
          material: { kind },
        })
      }),
  export: async (key, request) => new TextEncoder().encode(`${request.part}:${key.fingerprint}`),
}

const file = (text: string) => ({
  bytes: new TextEncoder().encode(text),
  fileName: 'keys.lines',
  path: '/in/keys.lines',
})
const options = { passphrase: null, now: new Date('2026-06-01') }
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: SiegelpostError) => error.code,
  )

describe('key store', () => {
  it('imports every key of a file in one generation', async () => {
    const imported = await importKeyFile(
      vault,
      [lineTechnology],
      file('AAAA1111AAAA1111 secret\nBBBB2222BBBB2222 public'),
      options,
    )
    expect(imported.map((key) => key.fingerprint)).toEqual(['AAAA1111AAAA1111', 'BBBB2222BBBB2222'])
    expect(vault.info()).toMatchObject({ generation: 2, keyCount: 2 })
  })

  it('refuses a file no technology recognizes, without a new generation', async () => {
    expect(await code(importKeyFile(vault, [lineTechnology], { ...file('x'), fileName: 'photo.jpg' }, options))).toBe(
      'KEY_FORMAT_UNKNOWN',
    )
    expect(vault.info().generation).toBe(1)
  })

  it('never loses the secret part or the confirmation when a public copy is imported again', async () => {
    await importKeyFile(vault, [lineTechnology], file('AAAA1111AAAA1111 secret'), options)
    await confirmFingerprint(vault, 'AAAA1111AAAA1111', 'aaaa 1111 aaaa 1111')
    const [merged] = await importKeyFile(vault, [lineTechnology], file('AAAA1111AAAA1111 public'), options)
    expect(merged).toMatchObject({ hasSecret: true, acceptance: 'verified', material: { kind: 'secret' } })
  })

  it('finds keys by id or full fingerprint, in any case and grouping', async () => {
    await vault.update((draft) => void draft.keys.push(sampleKey()))
    const { fingerprint, id } = sampleKey()
    expect(findKey(vault.contents, id.toLowerCase()).fingerprint).toBe(fingerprint)
    expect(findKey(vault.contents, fingerprint.match(/.{4}/g)!.join(' ')).id).toBe(id)
    expect(() => findKey(vault.contents, 'DEADBEEF')).toThrow(SiegelpostError)
  })

  it('marks a key verified only when the whole fingerprint matches', async () => {
    await vault.update((draft) => void draft.keys.push(sampleKey({ acceptance: 'unverified' })))
    const { fingerprint, id } = sampleKey()
    expect(await code(confirmFingerprint(vault, id, fingerprint.slice(0, -1) + '8'))).toBe('KEY_FINGERPRINT_MISMATCH')
    expect(findKey(vault.contents, id).acceptance).toBe('unverified')
    await confirmFingerprint(vault, id, fingerprint)
    expect(findKey(vault.contents, id).acceptance).toBe('verified')
  })

  it('exports through the key’s technology and refuses a secret export without secret or passphrase', async () => {
    await importKeyFile(vault, [lineTechnology], file('AAAA1111AAAA1111 secret\nBBBB2222BBBB2222 public'), options)
    const request = { format: undefined, compat: false }
    expect(
      new TextDecoder().decode(
        await exportKey(vault, [lineTechnology], 'AAAA1111AAAA1111', { ...request, part: 'public', passphrase: null }),
      ),
    ).toBe('public:AAAA1111AAAA1111')
    expect(
      await code(
        exportKey(vault, [lineTechnology], 'BBBB2222BBBB2222', {
          ...request,
          part: 'secret',
          passphrase: new Uint8Array(1),
        }),
      ),
    ).toBe('KEY_NO_SECRET')
    expect(
      await code(
        exportKey(vault, [lineTechnology], 'AAAA1111AAAA1111', { ...request, part: 'secret', passphrase: null }),
      ),
    ).toBe('EXPORT_NEEDS_PASSPHRASE')
  })

  it('deletes exactly the named key', async () => {
    await importKeyFile(vault, [lineTechnology], file('AAAA1111AAAA1111 secret\nBBBB2222BBBB2222 public'), options)
    await deleteKey(vault, 'AAAA1111AAAA1111')
    expect(vault.contents.keys.map((key: StoredKey) => key.fingerprint)).toEqual(['BBBB2222BBBB2222'])
  })
})
