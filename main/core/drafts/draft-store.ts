import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import type { Vault } from '../keys/vault.ts'
import { limits } from '../limits.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import { mediaTypeOf } from '../mime/media-types.ts'
import { checkInputFile } from '../secret-file.ts'
import { writeFileAtomic } from '../store/atomic-file.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import { openSealedAttachment, sealBytes, sealFileInto } from './draft-attachments.ts'
import { DraftSummarySchema, type DraftSummary } from './draft-summary.ts'

/**
 * Mail drafts in the profile (`drafts/<id>.sgpd`), one sealed file each: AES-256-GCM under the vault's
 * `drafts` key (sealed-blob, as the Outbox and the account/policy files), with the draft id bound as
 * additional data so a file cannot be renamed into another draft. Attachments live next to it in
 * `drafts/<id>/<attachment>.sgpa`, sealed in pieces (draft-attachments.ts), so a 100 MB file is never
 * held whole. Drafts name clients and carry their attachments: nothing of them is readable without the vault.
 *
 * Format 1 (the key manager's "share as draft" before the composer) held its attachments inline; such
 * a draft is rewritten as format 2 the first time it is read, and is an ordinary draft from then on.
 */
const AttachmentRefSchema = z.object({
  id: z.uuid(),
  fileName: z.string().min(1).max(255),
  contentType: z.string().min(1).max(200),
  size: z.number().int().min(0),
})
/** A stored draft: what the UI sees (draft-summary.ts) plus the file format and stricter attachment fields. */
export const DraftSchema = DraftSummarySchema.extend({
  format: z.literal(2),
  attachments: z.array(AttachmentRefSchema),
})
const LegacyDraftSchema = z.object({
  format: z.literal(1),
  id: z.uuid(),
  createdAt: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  body: z.string(),
  attachments: z.array(
    z.object({ fileName: z.string().min(1).max(255), contentType: z.string().min(1).max(200), data: z.base64() }),
  ),
})
export type Draft = z.infer<typeof DraftSchema>
export type DraftAttachment = z.infer<typeof AttachmentRefSchema>
export type NewDraft = Pick<Draft, 'to' | 'subject' | 'body'> &
  Partial<Pick<Draft, 'account' | 'from' | 'cc' | 'reply'>> & {
    attachments: { fileName: string; contentType: string; bytes: Uint8Array }[]
  }
/** What the composer saves: everything but the attachments (added and removed on their own). */
export type DraftFields = Pick<Draft, 'account' | 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'body' | 'sign'>

export const draftsDirName = 'drafts'
const contextOf = (id: string) => `siegelpost/draft/v1/${id}`
const draftFile = /^([0-9a-f-]{36})\.sgpd$/
const idPattern = /^[0-9a-f-]{36}$/

/** One writer at a time per drafts folder (autosave and adding an attachment may overlap). */
const queues = new Map<string, Promise<unknown>>()
function serialized<T>(dir: string, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(dir) ?? Promise.resolve()
  const next = previous.then(run, run)
  queues.set(
    dir,
    next.catch(() => undefined),
  )
  return next
}

export class DraftStore {
  private readonly dir: string
  private readonly key: Buffer
  private readonly now: () => Date
  constructor(profileDir: string, vault: Vault, now: () => Date) {
    this.now = now
    this.dir = join(profileDir, draftsDirName)
    this.key = vault.deriveKey('drafts')
  }

  private pathOf(id: string) {
    if (!idPattern.test(id)) throw new SiegelpostError('DRAFT_NOT_FOUND')
    return join(this.dir, `${id}.sgpd`)
  }
  private attachmentPath(id: string, attachmentId: string) {
    if (!idPattern.test(attachmentId)) throw new SiegelpostError('DRAFT_ATTACHMENT_NOT_FOUND')
    return join(this.dir, id, `${attachmentId}.sgpa`)
  }

  private async write(draft: Draft): Promise<Draft> {
    const parsed = DraftSchema.parse(draft)
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    await writeFileAtomic(
      this.pathOf(parsed.id),
      sealJson(this.key, parsed, contextOf(parsed.id)),
      {},
      { backup: false },
    )
    return parsed
  }

  /** A draft with its attachments given as bytes (the key manager's "share as draft"). */
  async create(input: NewDraft): Promise<Draft> {
    const size = input.attachments.reduce((sum, a) => sum + a.bytes.length, 0)
    if (size > limits.draftAttachmentsMaxBytes)
      throw new SiegelpostError('DRAFT_TOO_LARGE', { max: Math.round(limits.draftAttachmentsMaxBytes / 1024 / 1024) })
    const id = randomUUID()
    const stamp = this.now().toISOString()
    const fields = {
      account: input.account ?? null,
      from: input.from ?? '',
      to: input.to,
      cc: input.cc ?? [],
      ...(input.reply ? { reply: input.reply } : {}),
      bcc: [],
      subject: input.subject,
      body: input.body,
      sign: true,
    }
    const attachments = await this.sealBytes(id, input.attachments)
    return serialized(this.dir, () =>
      this.write({ format: 2, id, createdAt: stamp, updatedAt: stamp, ...fields, attachments }),
    )
  }

  private async sealBytes(
    id: string,
    files: readonly { fileName: string; contentType: string; bytes: Uint8Array }[],
  ): Promise<DraftAttachment[]> {
    const refs: DraftAttachment[] = []
    await mkdir(join(this.dir, id), { recursive: true, mode: 0o700 })
    for (const file of files) {
      const attachmentId = randomUUID()
      const target = this.attachmentPath(id, attachmentId)
      await writeFile(target, sealBytes(this.key, file.bytes, { draftId: id, attachmentId }), { mode: 0o600 })
      refs.push({ id: attachmentId, fileName: file.fileName, contentType: file.contentType, size: file.bytes.length })
    }
    return refs
  }

  private async read(id: string, path = this.pathOf(id)): Promise<Draft> {
    let blob: Buffer
    try {
      blob = await readFile(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SiegelpostError('DRAFT_NOT_FOUND')
      throw new SiegelpostError('FILE_UNREADABLE', { path, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
    }
    const value = openJson(this.key, blob, contextOf(id))
    const current = DraftSchema.safeParse(value)
    if (current.success && current.data.id === id) return current.data
    const legacy = LegacyDraftSchema.safeParse(value)
    if (!legacy.success || legacy.data.id !== id) throw new SiegelpostError('DRAFT_DAMAGED', { path })
    const { attachments, createdAt, to, subject, body } = legacy.data
    const refs = await this.sealBytes(
      id,
      attachments.map((a) => ({
        fileName: a.fileName,
        contentType: a.contentType,
        bytes: Buffer.from(a.data, 'base64'),
      })),
    )
    const fields = { account: null, from: '', to, cc: [], bcc: [], subject, body, sign: true }
    return this.write({ format: 2, id, createdAt, updatedAt: createdAt, ...fields, attachments: refs })
  }

  /** Every draft, newest first; a file that does not open under this vault is reported, not skipped silently. */
  async list(): Promise<Draft[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new SiegelpostError('FILE_UNREADABLE', {
        path: this.dir,
        reason: (error as NodeJS.ErrnoException).code ?? 'I/O',
      })
    }
    const drafts: Draft[] = []
    for (const name of names) {
      const id = draftFile.exec(name)?.[1]
      if (id) drafts.push(await serialized(this.dir, () => this.read(id, join(this.dir, name))))
    }
    return drafts.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  }

  load(id: string): Promise<Draft> {
    return serialized(this.dir, () => this.read(id))
  }

  /** Saves the composer's fields: a new draft without `id`, else the same draft (its attachments stay). */
  save(id: string | null, fields: DraftFields): Promise<Draft> {
    return serialized(this.dir, async () => {
      const stamp = this.now().toISOString()
      if (id === null)
        return this.write({
          format: 2,
          id: randomUUID(),
          createdAt: stamp,
          updatedAt: stamp,
          ...fields,
          attachments: [],
        })
      const draft = await this.read(id)
      return this.write({ ...draft, ...fields, updatedAt: stamp })
    })
  }

  async delete(id: string): Promise<void> {
    await serialized(this.dir, async () => {
      await rm(this.pathOf(id), { force: true })
      await rm(join(this.dir, id), { recursive: true, force: true })
    })
  }

  /** Copies the file at `path` into the draft, sealed in pieces; the original may change or vanish afterwards. */
  async attach(id: string, path: string, onProgress?: (done: number, total: number) => void): Promise<DraftAttachment> {
    const size = await checkInputFile(path, limits.attachmentMaxBytes)
    const before = await this.load(id)
    if (before.attachments.length >= limits.draftMaxAttachments)
      throw new SiegelpostError('DRAFT_TOO_MANY_ATTACHMENTS', { max: limits.draftMaxAttachments })
    const total = before.attachments.reduce((sum, a) => sum + a.size, 0) + size
    if (total > limits.composerAttachmentsMaxBytes)
      throw new SiegelpostError('DRAFT_TOO_LARGE', {
        max: Math.round(limits.composerAttachmentsMaxBytes / 1024 / 1024),
      })
    const attachmentId = randomUUID()
    await mkdir(join(this.dir, id), { recursive: true, mode: 0o700 })
    const target = this.attachmentPath(id, attachmentId)
    try {
      await sealFileInto(this.key, path, target, { draftId: id, attachmentId }, size, (done) =>
        onProgress?.(done, size),
      )
    } catch (error) {
      if (error instanceof SiegelpostError) throw error
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new SiegelpostError('FILE_NOT_FOUND', { path })
      throw new SiegelpostError('FILE_UNREADABLE', { path, reason: code ?? 'I/O' })
    }
    const fileName = basename(path)
    const ref = { id: attachmentId, fileName, contentType: mediaTypeOf(fileName), size }
    return serialized(this.dir, async () => {
      const draft = await this.read(id).catch(async (error: unknown) => {
        await rm(target, { force: true })
        throw error
      })
      await this.write({ ...draft, attachments: [...draft.attachments, ref], updatedAt: this.now().toISOString() })
      return ref
    })
  }

  detach(id: string, attachmentId: string): Promise<Draft> {
    return serialized(this.dir, async () => {
      const draft = await this.read(id)
      if (!draft.attachments.some((a) => a.id === attachmentId)) throw new SiegelpostError('DRAFT_ATTACHMENT_NOT_FOUND')
      const saved = await this.write({
        ...draft,
        attachments: draft.attachments.filter((a) => a.id !== attachmentId),
        updatedAt: this.now().toISOString(),
      })
      await rm(this.attachmentPath(id, attachmentId), { force: true })
      return saved
    })
  }

  /** The attachment's bytes as a source read piece by piece (close it when done). */
  async openAttachment(draft: Draft, attachmentId: string): Promise<ByteSource & { close(): void }> {
    const ref = draft.attachments.find((a) => a.id === attachmentId)
    if (!ref) throw new SiegelpostError('DRAFT_ATTACHMENT_NOT_FOUND')
    const path = this.attachmentPath(draft.id, attachmentId)
    await stat(path).catch(() => {
      throw new SiegelpostError('DRAFT_ATTACHMENT_DAMAGED', { fileName: ref.fileName })
    })
    const source = openSealedAttachment(this.key, path, { draftId: draft.id, attachmentId, fileName: ref.fileName })
    if (source.length !== ref.size) {
      source.close()
      throw new SiegelpostError('DRAFT_ATTACHMENT_DAMAGED', { fileName: ref.fileName })
    }
    return source
  }

  /** The whole attachment in memory (small files, tests). */
  async readAttachment(draft: Draft, attachmentId: string): Promise<Buffer> {
    const source = await this.openAttachment(draft, attachmentId)
    try {
      return Buffer.from(source.read(0, source.length))
    } finally {
      source.close()
    }
  }
}

/** The draft as the UI lists it: attachments by name and size, never their bytes. */
export function summarizeDraft(draft: Draft): DraftSummary {
  const { id, createdAt, updatedAt, account, from, to, cc, bcc, subject, body, sign, attachments, reply } = draft
  const summary = { id, createdAt, updatedAt, account, from, to, cc, bcc, subject, body, sign, attachments }
  return reply ? { ...summary, reply } : summary
}
