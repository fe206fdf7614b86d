import { randomBytes } from 'node:crypto'
import { mkdir, readFile, stat } from 'node:fs/promises'
import { dirname, isAbsolute, join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { backupPathOf, writeFileAtomic, type AtomicWriteHooks } from '../store/atomic-file.ts'
import { keychainService, vaultKeychainAccount, type SecretStore } from './secret-store.ts'
import { StoredKeySchema } from './stored-key.ts'
import type { VaultInfo } from './vault-info.ts'
import { SenderRecordSchema } from '../reading/sender-history.ts'
import {
  decodeHeader,
  deriveSubkey,
  isKeyCheckMatch,
  keyCheckOf,
  masterKeyFromPassphrase,
  open,
  seal,
  VaultFormatError,
  type VaultHeader,
  type VaultMode,
} from './vault-format.ts'

export const vaultFileName = 'vault.sgpv'

const VaultContentsSchema = z.object({
  format: z.literal(1),
  generation: z.number().int().positive(),
  savedAt: z.string(),
  keys: z.array(StoredKeySchema),
  /** Who wrote before and with which key (read view: first contact, changed key); absent in older vaults. */
  senders: z.array(SenderRecordSchema).optional(),
})
export type VaultContents = z.infer<typeof VaultContentsSchema>

export type VaultKeySource = { mode: 'keychain'; store: SecretStore } | { mode: 'passphrase'; passphrase: Uint8Array }

export interface VaultOptions {
  /** Absolute path of the profile folder; the vault file lives in it. */
  profileDir: string
  keySource: VaultKeySource
  now?: () => Date
  random?: (length: number) => Buffer
  hooks?: AtomicWriteHooks
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    const info = await stat(path)
    if (info.size > limits.vaultFileMaxBytes) {
      throw new SiegelpostError('FILE_TOO_LARGE', { path, limit: `${limits.vaultFileMaxBytes / 1024 / 1024} MiB` })
    }
    return await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (error instanceof SiegelpostError) throw error
    if (code === 'ENOTDIR') throw new SiegelpostError('PROFILE_UNUSABLE', { path: dirname(path), reason: 'ENOTDIR' })
    throw new SiegelpostError('FILE_UNREADABLE', { path, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
  }
}

/**
 * The encrypted key store of one profile. Every secret Siegelpost keeps is in here, sealed with
 * AES-256-GCM under a key from the OS keychain (or, explicitly chosen, from a passphrase).
 * It never falls back to anything weaker: no keychain is an error naming the fix.
 */
export class Vault {
  readonly path: string
  private readonly header: Omit<VaultHeader, 'nonce'>
  private readonly master: Buffer
  private current: VaultContents
  private readonly options: VaultOptions
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    path: string,
    header: Omit<VaultHeader, 'nonce'>,
    master: Buffer,
    current: VaultContents,
    options: VaultOptions,
  ) {
    this.path = path
    this.header = header
    this.master = master
    this.current = current
    this.options = options
  }

  get mode(): VaultMode {
    return this.header.mode
  }

  get contents(): VaultContents {
    return structuredClone(this.current)
  }

  info(): VaultInfo {
    return {
      mode: this.mode,
      path: this.path,
      generation: this.current.generation,
      savedAt: this.current.savedAt,
      keyCount: this.current.keys.length,
    }
  }

  /**
   * Picks up a newer generation written by another process (the CLI beside the app, a second
   * window): the file's size and modification time tell cheaply whether to read it again.
   */
  async refresh(): Promise<void> {
    let info: { mtimeMs: number; size: number }
    try {
      info = await stat(this.path)
    } catch {
      return // A missing file is reported by the next update; reading keeps the last good state.
    }
    if (this.seen && info.mtimeMs === this.seen.mtimeMs && info.size === this.seen.size) return
    const file = await readIfExists(this.path)
    if (file === null) return
    this.current = Vault.decrypt(this.path, file, this.master).contents
    this.seen = { mtimeMs: info.mtimeMs, size: info.size }
  }

  private seen: { mtimeMs: number; size: number } | null = null

  /** A 256-bit key for another store (outbox, drafts), independent of the vault file key. */
  deriveKey(purpose: string): Buffer {
    return deriveSubkey(this.master, `derived/${purpose}`)
  }

  /**
   * Apply `change` to the newest state on disk and save it as the next generation. Updates in
   * this process run one after another; the file on disk is re-read first so that a change
   * made by another process (the CLI beside the app) is not overwritten.
   */
  update(change: (draft: VaultContents) => void | Promise<void>): Promise<VaultContents> {
    const run = async () => {
      const onDisk = await readIfExists(this.path)
      const base = onDisk ? Vault.decrypt(this.path, onDisk, this.master).contents : this.current
      const draft = structuredClone(base)
      await change(draft)
      draft.generation = base.generation + 1
      draft.savedAt = (this.options.now ?? (() => new Date()))().toISOString()
      const next = VaultContentsSchema.parse(draft)
      await Vault.write(this.path, this.header, this.master, next, this.options)
      this.current = next
      return structuredClone(next)
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => undefined)
    return result
  }

  static async open(options: VaultOptions): Promise<Vault> {
    if (!isAbsolute(options.profileDir)) throw new Error('profileDir must be absolute')
    const path = join(options.profileDir, vaultFileName)
    const file = await readIfExists(path)
    if (file === null) return Vault.create(path, options)

    let header: VaultHeader
    try {
      header = decodeHeader(file)
    } catch (error) {
      throw Vault.formatError(path, error)
    }
    const master = await Vault.masterKeyFor(path, header, options)
    const { contents } = Vault.decrypt(path, file, master)
    const { nonce: _nonce, ...stable } = header
    return new Vault(path, stable, master, contents, options)
  }

  private static async create(path: string, options: VaultOptions): Promise<Vault> {
    const backup = await readIfExists(backupPathOf(path))
    if (backup !== null) throw new SiegelpostError('VAULT_MISSING_BACKUP_PRESENT', { path, backup: backupPathOf(path) })
    const random = options.random ?? randomBytes
    const source = options.keySource
    let master: Buffer
    let header: Omit<VaultHeader, 'nonce'>
    if (source.mode === 'keychain') {
      const account = vaultKeychainAccount(options.profileDir)
      // A key left by an earlier profile at the same path encrypts nothing any more; reuse it.
      let stored = await source.store.get(keychainService, account)
      if (stored === null) {
        await source.store.set(keychainService, account, random(32).toString('base64'))
        stored = await source.store.get(keychainService, account)
        if (stored === null) {
          throw new SiegelpostError('KEYCHAIN_FAILED', { reason: 'the new vault key could not be read back' })
        }
      }
      master = decodeKeychainKey(stored, path)
      header = { mode: 'keychain', scrypt: null, keyCheck: keyCheckOf(master) }
    } else {
      const { logN, r, p } = limits.vaultScrypt
      const scryptParams = { logN, r, p, salt: random(16) }
      master = await masterKeyFromPassphrase(source.passphrase, scryptParams)
      header = { mode: 'passphrase', scrypt: scryptParams, keyCheck: keyCheckOf(master) }
    }
    // Only now, with a key in hand, does the profile folder appear: a failed first start leaves no trace.
    await ensureProfileDir(options.profileDir)
    const now = (options.now ?? (() => new Date()))()
    const contents: VaultContents = { format: 1, generation: 1, savedAt: now.toISOString(), keys: [] }
    await Vault.write(path, header, master, contents, options)
    return new Vault(path, header, master, contents, options)
  }

  private static async masterKeyFor(path: string, header: VaultHeader, options: VaultOptions): Promise<Buffer> {
    const source = options.keySource
    if (header.mode === 'passphrase') {
      if (source.mode !== 'passphrase') throw new SiegelpostError('VAULT_NEEDS_PASSPHRASE', { path })
      return masterKeyFromPassphrase(source.passphrase, header.scrypt!)
    }
    if (source.mode !== 'keychain') throw new SiegelpostError('VAULT_NEEDS_KEYCHAIN', { path })
    const account = vaultKeychainAccount(options.profileDir)
    const stored = await source.store.get(keychainService, account)
    if (stored === null) throw new SiegelpostError('KEYCHAIN_KEY_MISSING', { path, account })
    return decodeKeychainKey(stored, path)
  }

  /** The one way in: header, key check ("wrong key" vs "damaged"), then the authenticated content. */
  private static decrypt(path: string, file: Buffer, master: Buffer): { contents: VaultContents } {
    let header: VaultHeader
    try {
      header = decodeHeader(file)
    } catch (error) {
      throw Vault.formatError(path, error)
    }
    if (!isKeyCheckMatch(master, header)) throw new SiegelpostError('VAULT_WRONG_KEY', { path })
    const plaintext = open(master, header, file)
    if (plaintext === null) throw Vault.damaged(path, 'integrity check failed')
    let parsed: unknown
    try {
      parsed = JSON.parse(plaintext.toString('utf8'))
    } catch {
      throw Vault.damaged(path, 'content is not readable')
    }
    // jitless: zod would write and compile a parser per object schema first (about 15 ms of every CLI call, never
    // cached); the vault is read once per process or change, where the plain parser is the cheaper one.
    const result = VaultContentsSchema.safeParse(parsed, { jitless: true })
    if (!result.success) throw Vault.damaged(path, 'content does not match the vault format')
    return { contents: result.data }
  }

  private static async write(
    path: string,
    header: Omit<VaultHeader, 'nonce'>,
    master: Buffer,
    contents: VaultContents,
    options: VaultOptions,
  ): Promise<void> {
    const nonce = (options.random ?? randomBytes)(12)
    const sealed = seal(master, { ...header, nonce }, Buffer.from(JSON.stringify(contents), 'utf8'))
    if (sealed.length > limits.vaultFileMaxBytes) {
      throw new SiegelpostError('VAULT_WRITE_FAILED', { path, reason: 'vault size limit reached' })
    }
    try {
      await writeFileAtomic(path, sealed, options.hooks)
    } catch (error) {
      throw new SiegelpostError(
        'VAULT_WRITE_FAILED',
        { path, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' },
        { cause: error },
      )
    }
  }

  private static damaged(path: string, reason: string): SiegelpostError {
    return new SiegelpostError('VAULT_CORRUPT', { path, reason, backup: backupPathOf(path) })
  }

  private static formatError(path: string, error: unknown): SiegelpostError {
    if (error instanceof VaultFormatError && error.problem === 'newer-format') {
      return new SiegelpostError('VAULT_NEWER_FORMAT', { path })
    }
    if (error instanceof VaultFormatError) return Vault.damaged(path, error.detail)
    throw error
  }
}

function decodeKeychainKey(stored: string, path: string): Buffer {
  const key = Buffer.from(stored, 'base64')
  if (key.length !== 32 || key.toString('base64') !== stored) {
    // Something else wrote this entry; it is not our key, so it cannot open the vault.
    throw new SiegelpostError('VAULT_WRONG_KEY', { path })
  }
  return key
}

async function ensureProfileDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const info = await stat(dir)
    if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' })
  } catch (error) {
    throw new SiegelpostError('PROFILE_UNUSABLE', { path: dir, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
  }
}

export const openVault = (options: VaultOptions): Promise<Vault> => Vault.open(options)
