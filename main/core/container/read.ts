import { createHash } from 'node:crypto'
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFString,
} from '@cantoo/pdf-lib'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { containerContentSchema, contentKey } from './content.ts'
import { checkPassword, decryptPdf } from './qpdf.ts'

/** A received container opened with its password: the cover's facts and the enclosed files, checked by SHA-256. */
export interface OpenedContainer {
  from: string
  date: string
  subject: string
  text: string
  attachments: { filename: string; contentType: string; size: number; sha256: string; bytes: Uint8Array }[]
}

const text = (value: unknown) =>
  value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null

/** name → stream of every entry in the EmbeddedFiles name tree (flat /Names or /Kids). */
function embeddedFiles(doc: PDFDocument): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>()
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict)
  const visit = (node: PDFDict | undefined, depth: number) => {
    if (!node || depth > 16) return
    const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray)
    for (let i = 0; pairs && i + 1 < pairs.size(); i += 2) {
      const spec = pairs.lookupMaybe(i + 1, PDFDict)
      const name = text(spec?.lookup(PDFName.of('UF'))) ?? text(spec?.lookup(PDFName.of('F'))) ?? text(pairs.lookup(i))
      const stream = spec?.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'))
      if (name !== null && stream instanceof PDFRawStream) found.set(name, decodePDFRawStream(stream).decode())
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray)
    for (let i = 0; kids && i < kids.size(); i++) visit(kids.lookupMaybe(i, PDFDict), depth + 1)
  }
  visit(names, 0)
  return found
}

export async function openContainer(encrypted: Uint8Array, password: string): Promise<OpenedContainer> {
  if (encrypted.length > limits.containerMaxFileBytes) {
    throw new SiegelpostError('CONTAINER_UNREADABLE', { reason: 'too large' })
  }
  const check = await checkPassword(encrypted, password)
  if (check === 'refused') throw new SiegelpostError('CONTAINER_WRONG_PASSWORD', {})
  if (check !== 'accepted') throw new SiegelpostError('CONTAINER_NOT_SIEGELPOST', {})
  const outcome = await decryptPdf(encrypted, password)
  if (outcome.output === null)
    throw new SiegelpostError('CONTAINER_UNREADABLE', { reason: `qpdf exit ${outcome.exit}` })
  let doc: PDFDocument
  try {
    doc = await PDFDocument.load(outcome.output, { updateMetadata: false })
  } catch (error) {
    throw new SiegelpostError('CONTAINER_UNREADABLE', { reason: 'PDF structure' }, { cause: error })
  }
  const stream = doc.catalog.lookup(PDFName.of(contentKey))
  if (!(stream instanceof PDFRawStream)) throw new SiegelpostError('CONTAINER_NOT_SIEGELPOST', {})
  let content
  try {
    content = containerContentSchema.parse(
      JSON.parse(Buffer.from(decodePDFRawStream(stream).decode()).toString('utf8')),
    )
  } catch (error) {
    throw new SiegelpostError('CONTAINER_UNREADABLE', { reason: 'content' }, { cause: error })
  }
  const files = embeddedFiles(doc)
  const attachments = content.files.map((file) => {
    const bytes = files.get(file.fileName)
    const sha256 = bytes ? createHash('sha256').update(bytes).digest('hex') : ''
    if (!bytes || sha256 !== file.sha256) {
      throw new SiegelpostError('CONTAINER_UNREADABLE', { reason: `${file.fileName}: missing or changed` })
    }
    return { filename: file.fileName, contentType: file.contentType, size: bytes.length, sha256, bytes }
  })
  outcome.output.fill(0)
  return { from: content.from, date: content.date, subject: content.subject, text: content.text, attachments }
}
