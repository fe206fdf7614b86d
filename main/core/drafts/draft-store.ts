import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import type { Vault } from '../keys/vault.ts'
import { limits } from '../limits.ts'
import { writeFileAtomic } from '../store/atomic-file.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import type { DraftSummary } from './draft-summary.ts'

/**
 * Mail drafts in the profile (`drafts/<id>.sgpd`), one sealed file each: AES-256-GCM under the vault's
 * `drafts` key (sealed-blob, as the Outbox and the account/policy files), with the draft id bound as
 * additional data so a file cannot be renamed into another draft. Drafts name clients and carry their
 * attachments, so nothing of them is readable without the vault.
 */
const AttachmentSchema = z.object({
  fileName: z.string().min(1).max(255),
  contentType: z.string().min(1).max(200),
  /** base64 */
  data: z.base64(),
})
export const DraftSchema = z.object({
  format: z.literal(1),
  id: z.uuid(),
  createdAt: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  body: z.string(),
  attachments: z.array(AttachmentSchema),
})
export type Draft = z.infer<typeof DraftSchema>
export type DraftAttachment = z.infer<typeof AttachmentSchema>
export type NewDraft = Pick<Draft, 'to' | 'subject' | 'body'> & { attachments: { fileName: string; contentType: string; bytes: Uint8Array }[] }

export const draftsDirName = 'drafts'
const contextOf = (id: string) => `siegelpost/draft/v1/${id}`
const draftFile = /^([0-9a-f-]{36})\.sgpd$/

export class DraftStore {
  private readonly dir: string
  private readonly key: Buffer
  private readonly now: () => Date
  constructor(profileDir: string, vault: Vault, now: () => Date) {
    this.now = now
    this.dir = join(profileDir, draftsDirName)
    this.key = vault.deriveKey('drafts')
  }

  async create(input: NewDraft): Promise<Draft> {
    const size = input.attachments.reduce((sum, a) => sum + a.bytes.length, 0)
    if (size > limits.draftAttachmentsMaxBytes) throw new SiegelpostError('DRAFT_TOO_LARGE', { max: Math.round(limits.draftAttachmentsMaxBytes / 1024 / 1024) })
    const id = randomUUID()
    const draft = DraftSchema.parse({
      format: 1,
      id,
      createdAt: this.now().toISOString(),
      to: input.to,
      subject: input.subject,
      body: input.body,
      attachments: input.attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, data: Buffer.from(a.bytes).toString('base64') })),
    })
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    await writeFileAtomic(join(this.dir, `${id}.sgpd`), sealJson(this.key, draft, contextOf(id)), {}, { backup: false })
    return draft
  }

  /** Every draft, newest first; a file that does not open under this vault is reported, not skipped silently. */
  async list(): Promise<Draft[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new SiegelpostError('FILE_UNREADABLE', { path: this.dir, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
    }
    const drafts: Draft[] = []
    for (const name of names) {
      const id = draftFile.exec(name)?.[1]
      if (!id) continue
      const path = join(this.dir, name)
      const parsed = DraftSchema.safeParse(openJson(this.key, await readFile(path), contextOf(id)))
      if (!parsed.success || parsed.data.id !== id) throw new SiegelpostError('DRAFT_DAMAGED', { path })
      drafts.push(parsed.data)
    }
    return drafts.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }
}

/** The draft as the UI lists it: attachments by name and size, never their bytes. */
export function summarizeDraft({ id, createdAt, to, subject, body, attachments }: Draft): DraftSummary {
  return {
    id,
    createdAt,
    to,
    subject,
    body,
    attachments: attachments.map((a) => ({
      fileName: a.fileName,
      contentType: a.contentType,
      size: Buffer.from(a.data, 'base64').length,
    })),
  }
}
