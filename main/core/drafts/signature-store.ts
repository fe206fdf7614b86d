import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import type { Vault } from '../keys/vault.ts'
import { writeFileAtomic } from '../store/atomic-file.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import { draftsDirName } from './draft-store.ts'

/**
 * The signature block of each account (the Kanzlei's legally required details: name, address,
 * register, chamber), sealed in the profile next to the drafts. The composer puts it under new mail.
 */
const SignaturesSchema = z.object({ format: z.literal(1), byAccount: z.record(z.string(), z.string().max(4000)) })
const fileName = 'signatures.sgps'
const context = 'siegelpost/signatures/v1'

export class SignatureStore {
  private readonly path: string
  private readonly key: Buffer
  constructor(profileDir: string, vault: Vault) {
    this.path = join(profileDir, draftsDirName, fileName)
    this.key = vault.deriveKey('drafts')
  }

  private async all(): Promise<Record<string, string>> {
    let blob: Buffer
    try {
      blob = await readFile(this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new SiegelpostError('FILE_UNREADABLE', {
        path: this.path,
        reason: (error as NodeJS.ErrnoException).code ?? 'I/O',
      })
    }
    const parsed = SignaturesSchema.safeParse(openJson(this.key, blob, context))
    if (!parsed.success) throw new SiegelpostError('DRAFT_DAMAGED', { path: this.path })
    return parsed.data.byAccount
  }

  async get(account: string): Promise<string> {
    return (await this.all())[account] ?? ''
  }

  async set(account: string, text: string): Promise<string> {
    const byAccount = { ...(await this.all()), [account]: text }
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.path, sealJson(this.key, { format: 1, byAccount }, context), {}, { backup: false })
    return text
  }
}
