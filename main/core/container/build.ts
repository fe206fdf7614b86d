import { createHash, randomBytes } from 'node:crypto'
import { PDFDocument, PDFName, PDFStream } from '@cantoo/pdf-lib'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { drawCover } from './cover.ts'
import { contentKey, type ContainerContent } from './content.ts'
import { checkPassword, encryptPdf } from './qpdf.ts'

/**
 * The password container: one PDF that any ordinary reader opens offline with the password. Cover pages
 * (cover.ts), the original files as embedded files, and the pages of enclosed PDFs appended while the
 * container stays small (Chromium's viewer shows no attachment list). pdf-lib assembles it in memory; qpdf
 * (WebAssembly) encrypts it with AES-256, revision 6, strings and the embedded-file name tree included.
 * Before encryption the two dictionary entries PDF never encrypts and that would tell what is inside are
 * removed from each embedded file: `/Subtype` (the MIME type) and `/Params` (exact size and dates).
 */
export interface ContainerFile {
  fileName: string
  contentType: string
  bytes: Uint8Array
}

export interface ContainerInput {
  from: string
  date: Date
  subject: string
  text: string
  files: readonly ContainerFile[]
}

const isPdf = (file: ContainerFile) =>
  (file.contentType.toLowerCase() === 'application/pdf' || /\.pdf$/i.test(file.fileName)) &&
  Buffer.from(file.bytes.subarray(0, 1024)).includes('%PDF-')

/** The enclosed PDFs whose pages can be appended: readable, not encrypted, and within the size budget. */
async function pagesToAppend(files: readonly ContainerFile[], budgetBytes: number): Promise<Map<number, PDFDocument>> {
  const appended = new Map<number, PDFDocument>()
  let budget = budgetBytes
  for (const [index, file] of files.entries()) {
    if (!isPdf(file) || file.bytes.length > budget) continue
    try {
      const doc = await PDFDocument.load(file.bytes, {
        ignoreEncryption: true,
        updateMetadata: false,
        throwOnInvalidObject: true,
      })
      if (doc.isEncrypted || doc.getPageCount() === 0) continue
      appended.set(index, doc)
      budget -= file.bytes.length
    } catch {
      // An unreadable PDF is still enclosed, as an attachment only.
    }
  }
  return appended
}

/** Removes what an embedded file's stream dictionary would tell in clear: the MIME type, the exact size, dates. */
function scrubEmbeddedFiles(doc: PDFDocument) {
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFStream)) continue
    if (object.dict.get(PDFName.of('Type')) !== PDFName.of('EmbeddedFile')) continue
    object.dict.delete(PDFName.of('Subtype'))
    object.dict.delete(PDFName.of('Params'))
  }
}

export function checkContainerSize(files: readonly { fileName: string; size: number }[]) {
  const total = files.reduce((sum, file) => sum + file.size, 0)
  if (total > limits.containerMaxAttachmentBytes) {
    throw new SiegelpostError('CONTAINER_TOO_LARGE', {
      size: `${Math.ceil(total / 1024 / 1024)} MiB`,
      limit: `${limits.containerMaxAttachmentBytes / 1024 / 1024} MiB`,
    })
  }
}

export interface ContainerOptions {
  /** How many bytes of enclosed PDFs may also be appended as pages (default: the limit in limits.ts). */
  appendPagesMaxBytes?: number
}

export async function buildContainer(
  input: ContainerInput,
  password: string,
  options: ContainerOptions = {},
): Promise<Uint8Array> {
  checkContainerSize(input.files.map((file) => ({ fileName: file.fileName, size: file.bytes.length })))
  const appended = await pagesToAppend(input.files, options.appendPagesMaxBytes ?? limits.containerAppendPagesMaxBytes)
  const described = input.files.map((file, index) => ({
    fileName: file.fileName,
    contentType: file.contentType,
    size: file.bytes.length,
    sha256: createHash('sha256').update(file.bytes).digest('hex'),
    appendedAsPages: appended.has(index),
    attachmentOnly: isPdf(file) && !appended.has(index),
  }))

  const doc = await PDFDocument.create({ updateMetadata: false })
  await drawCover(doc, {
    from: input.from,
    date: input.date,
    subject: input.subject,
    text: input.text,
    files: described,
  })
  for (const source of appended.values()) {
    const pages = await doc.copyPages(source, source.getPageIndices())
    for (const page of pages) doc.addPage(page)
  }
  for (const [index, file] of input.files.entries()) {
    await doc.attach(file.bytes, file.fileName, { mimeType: file.contentType, description: described[index]!.sha256 })
  }
  // attach() embeds at flush time: flush first, so the embedded-file streams exist when they are scrubbed.
  await doc.flush()
  scrubEmbeddedFiles(doc)
  const content: ContainerContent = {
    version: 1,
    from: input.from,
    date: input.date.toISOString(),
    subject: input.subject,
    text: input.text,
    files: described.map(({ fileName, contentType, size, sha256 }) => ({ fileName, contentType, size, sha256 })),
  }
  const stream = doc.context.flateStream(Buffer.from(JSON.stringify(content), 'utf8'))
  doc.catalog.set(PDFName.of(contentKey), doc.context.register(stream))
  const plain = await doc.save({ useObjectStreams: false })

  const ownerPassword = randomBytes(32).toString('base64url')
  const outcome = await encryptPdf(plain, password, ownerPassword)
  plain.fill(0)
  if (outcome.output === null) throw new SiegelpostError('CONTAINER_FAILED', { reason: `qpdf exit ${outcome.exit}` })
  // Never hand out a container that its own password does not open.
  if ((await checkPassword(outcome.output, password)) !== 'accepted') {
    throw new SiegelpostError('CONTAINER_FAILED', { reason: 'self-check' })
  }
  return outcome.output
}
