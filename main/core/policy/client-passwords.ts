import { join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import type { Vault } from '../keys/vault.ts'
import { readStoreFile, writeFileAtomic } from '../store/atomic-file.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'

/**
 * Standing container passwords agreed with a client (per address or domain), sealed under a vault-derived
 * key in a file of their own, so the consent register, which the app's pages show, never carries them.
 * Only the container build reads them; nothing prints them.
 */
const schema = z.object({
  format: z.literal(1),
  passwords: z.record(z.string(), z.object({ password: z.string(), date: z.string() })),
})
type ClientPasswords = z.infer<typeof schema>

export const clientPasswordsFileName = 'client-passwords.sgpp'
const context = 'siegelpost/client-passwords/v1'

export class ClientPasswordStore {
  private readonly path: string
  private readonly key: Buffer
  constructor(profileDir: string, vault: Vault) {
    this.path = join(profileDir, clientPasswordsFileName)
    this.key = vault.deriveKey('client-passwords')
  }

  private async load(): Promise<ClientPasswords> {
    const bytes = await readStoreFile(this.path)
    if (bytes === null) return { format: 1, passwords: {} }
    const parsed = schema.safeParse(openJson(this.key, bytes, context))
    if (!parsed.success) throw new SiegelpostError('STORE_DAMAGED', { path: this.path, reason: 'format' })
    return parsed.data
  }

  async set(target: string, password: string, now: Date): Promise<void> {
    const all = await this.load()
    all.passwords[target] = { password, date: now.toISOString() }
    await writeFileAtomic(this.path, sealJson(this.key, all, context))
  }

  /** Whether a standing password is kept for exactly this address or domain. */
  async has(target: string): Promise<boolean> {
    return Object.hasOwn((await this.load()).passwords, target.trim().toLowerCase())
  }

  /** Forgets the standing password of exactly this address or domain (the client agreed another way). */
  async remove(target: string): Promise<void> {
    const all = await this.load()
    const key = target.trim().toLowerCase()
    if (!Object.hasOwn(all.passwords, key)) return
    delete all.passwords[key]
    await writeFileAtomic(this.path, sealJson(this.key, all, context))
  }

  /** Which standing password applies to an address (its own, else its domain's) and since when; never the password. */
  async applying(address: string): Promise<{ target: string; date: string } | null> {
    const all = await this.load()
    const target = address.trim().toLowerCase()
    for (const key of [target, target.slice(target.lastIndexOf('@') + 1)])
      if (Object.hasOwn(all.passwords, key)) return { target: key, date: all.passwords[key]!.date }
    return null
  }

  /** The standing password for an address: its own, else its domain's. */
  async get(address: string): Promise<string | null> {
    const all = await this.load()
    const target = address.trim().toLowerCase()
    return all.passwords[target]?.password ?? all.passwords[target.slice(target.lastIndexOf('@') + 1)]?.password ?? null
  }
}
