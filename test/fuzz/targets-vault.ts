import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { memorySecretStore } from '../helpers/memory-secret-store.ts'
import { invariant, type FuzzTarget } from './targets.ts'

/**
 * The vault file reader (main/core/keys/vault.ts) through its public door, openVault, on a real file.
 * `vault-file` mutates the file as it lies on disk (header, nonce, ciphertext, tag); `vault-content`
 * mutates the JSON inside and seals it with the right key, so the content checks are reached too.
 */
interface Fixture {
  dir: string
  path: string
  store: ReturnType<typeof memorySecretStore>
  master: Buffer
  file: Uint8Array
  json: Uint8Array
}

let fixture: Promise<Fixture> | null = null

function makeFixture(): Promise<Fixture> {
  fixture ??= (async () => {
    const { openVault } = await import('../../main/core/keys/vault.ts')
    const { generateOpenpgpKey } = await import('../../main/core/openpgp/generate.ts')
    const dir = mkdtempSync(join(tmpdir(), 'sp-fuzz-vault-'))
    const store = memorySecretStore()
    const vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store } })
    const now = new Date('2026-06-01T00:00:00Z')
    const key = await generateOpenpgpKey({
      name: 'Anna Beraterin',
      email: 'anna@kanzlei.test',
      algorithm: 'curve25519',
      now,
    })
    await vault.update((draft) => void draft.keys.push(key))
    const [stored] = [...store.entries.values()]
    const file = new Uint8Array(readFileSync(vault.path))
    return {
      dir,
      path: vault.path,
      store,
      master: Buffer.from(stored!, 'base64'),
      file,
      json: new Uint8Array(Buffer.from(JSON.stringify(vault.contents))),
    }
  })()
  return fixture
}

const isExpected = (error: unknown) => error instanceof SiegelpostError && error.kind !== 'bug'
const vaultDictionary = [
  'SGPV',
  '\x01',
  '\x02',
  '\x00',
  '"keys":[',
  '"format":1',
  '"generation":',
  '"technology":"openpgp"',
  '"smime"',
  'null',
  'true',
  '{}',
  '[]',
  '"',
  '\\u0000',
  '1e999',
  '-1',
]

export const vaultFile: FuzzTarget = {
  name: 'vault-file',
  own: ['/main/core/keys/vault.ts', '/main/core/keys/vault-format.ts', '/main/core/keys/stored-key.ts'],
  watch: [],
  maxLength: 64 * 1024,
  slowMs: 3000,
  dictionary: vaultDictionary,
  async load() {
    const { openVault } = await import('../../main/core/keys/vault.ts')
    const f = await makeFixture()
    return async (input) => {
      writeFileSync(f.path, input)
      try {
        await openVault({ profileDir: f.dir, keySource: { mode: 'keychain', store: f.store } })
      } finally {
        // Reading never changes the file (no repair, no rewrite, no truncation).
        invariant(Buffer.from(readFileSync(f.path)).equals(Buffer.from(input)), 'opening the vault changed its file')
      }
    }
  },
  async seeds() {
    const f = await makeFixture()
    return { inputs: [f.file, f.file.subarray(0, 70)], missing: [] }
  },
  isExpected,
}

export const vaultContent: FuzzTarget = {
  name: 'vault-content',
  own: ['/main/core/keys/vault.ts', '/main/core/keys/stored-key.ts'],
  watch: ['/node_modules/zod/'],
  maxLength: 64 * 1024,
  slowMs: 3000,
  dictionary: vaultDictionary,
  async load() {
    const { openVault } = await import('../../main/core/keys/vault.ts')
    const { keyCheckOf, seal } = await import('../../main/core/keys/vault-format.ts')
    const { summarizeKey } = await import('../../main/core/keys/stored-key.ts')
    const f = await makeFixture()
    return async (input) => {
      const sealed = seal(
        f.master,
        { mode: 'keychain', scrypt: null, keyCheck: keyCheckOf(f.master), nonce: randomBytes(12) },
        Buffer.from(input),
      )
      writeFileSync(f.path, sealed)
      const vault = await openVault({ profileDir: f.dir, keySource: { mode: 'keychain', store: f.store } })
      // What opened must be usable: the listing every screen reads.
      for (const key of vault.contents.keys)
        invariant(typeof summarizeKey(key, new Date()).fingerprint === 'string', 'a stored key without a fingerprint')
    }
  },
  async seeds() {
    const f = await makeFixture()
    return {
      inputs: [f.json, new Uint8Array(Buffer.from('{"format":1,"generation":1,"savedAt":"x","keys":[]}'))],
      missing: [],
    }
  },
  isExpected,
}
