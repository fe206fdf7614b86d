import {
  bodyLength,
  decodeBody,
  decodeText,
  fileNameOf,
  headerValue,
  isAttachmentDisposition,
  type MimePart,
} from '../mime/parse.ts'
import { limits } from '../limits.ts'
import type { MessageTechnology } from '../message/technology.ts'

/**
 * The displayed message split into what the read view shows, in order, each part on its own:
 * text, HTML (sanitized later, in the renderer's DOM, and shown in a frame of its own),
 * attachments (by index into the open result's attachments), and encrypted parts left closed.
 * The walk follows the one `open` uses for its text and attachments, so the attachment indices
 * are the same; an alternative with an HTML version is shown as HTML, its plain text kept beside.
 */
export type DisplayBody =
  | { kind: 'text'; text: string; isTruncated: boolean }
  | {
      kind: 'html'
      html: string
      alternativeText: string | null
      images: { cid: string; dataUrl: string }[]
      isTruncated: boolean
    }
  | { kind: 'attachment'; index: number; isInClosedPart: boolean }
  | { kind: 'not-opened' }

const isTextLeaf = (part: MimePart) =>
  part.children.length === 0 &&
  ['text/plain', 'text/html'].includes(part.contentType.type) &&
  !isAttachmentDisposition(part) &&
  fileNameOf(part) === null

function clipped(text: string): { text: string; isTruncated: boolean } {
  return text.length > limits.readingTextMaxChars
    ? { text: text.slice(0, limits.readingTextMaxChars), isTruncated: true }
    : { text, isTruncated: false }
}

/** Images a part of the message names by Content-ID, as data: URLs (the frame loads nothing else). */
export function inlineImagesOf(root: MimePart): { cid: string; dataUrl: string }[] {
  const images: { cid: string; dataUrl: string }[] = []
  let total = 0
  const visit = (part: MimePart) => {
    part.children.forEach(visit)
    if (part.children.length > 0 || !part.contentType.type.startsWith('image/')) return
    const id = headerValue(part, 'content-id')?.trim().replace(/^<|>$/g, '')
    if (!id || !/^image\/(png|jpeg|gif|webp|bmp)$/.test(part.contentType.type)) return
    const size = bodyLength(part)
    if (size > limits.readingInlineImageMaxBytes || total + size > limits.readingInlineImagesMaxBytes) return
    total += size
    images.push({
      cid: id,
      dataUrl: `data:${part.contentType.type};base64,${Buffer.from(decodeBody(part)).toString('base64')}`,
    })
  }
  visit(root)
  return images
}

function htmlBody(htmlPart: MimePart, plain: MimePart | null, images: { cid: string; dataUrl: string }[]): DisplayBody {
  const { text, isTruncated } = clipped(decodeText(htmlPart))
  return {
    kind: 'html',
    html: text,
    alternativeText: plain ? clipped(decodeText(plain)).text : null,
    images,
    isTruncated,
  }
}

/** The first text/html leaf of an alternative's version (directly, or as the root of a multipart/related). */
function htmlOf(part: MimePart): MimePart | null {
  if (part.contentType.type === 'text/html' && isTextLeaf(part)) return part
  if (part.contentType.type === 'multipart/related')
    return part.children.find((c) => c.contentType.type === 'text/html' && isTextLeaf(c)) ?? null
  return null
}

export function displayBodiesOf(
  displayed: MimePart,
  technologies: readonly MessageTechnology[],
  inlineText: string | null,
): DisplayBody[] {
  if (inlineText !== null) return [{ kind: 'text', ...clipped(inlineText) }]
  const bodies: DisplayBody[] = []
  let attachmentIndex = 0
  let images: { cid: string; dataUrl: string }[] | null = null
  const imagesOnce = () => (images ??= inlineImagesOf(displayed))
  /** `quiet`: count the attachments as `open` does, but show no text (the alternative's other versions). */
  const visit = (part: MimePart, quiet: boolean, closed = false) => {
    const type = part.contentType.type
    if (!quiet && technologies.some((technology) => technology.isEncrypted(part))) {
      bodies.push({ kind: 'not-opened' })
      closed = true
    }
    if (part.children.length > 0) {
      if (type === 'multipart/alternative') {
        const plain = part.children.find((c) => c.contentType.type === 'text/plain') ?? null
        const chosen = plain ?? part.children[part.children.length - 1]!
        const html = part.children.map(htmlOf).find((h) => h !== null) ?? null
        if (html && !quiet) {
          bodies.push(htmlBody(html, plain && isTextLeaf(plain) ? plain : null, imagesOnce()))
          visit(chosen, true)
        } else visit(chosen, quiet)
        return
      }
      if (type === 'multipart/signed') {
        if (part.children[0]) visit(part.children[0], quiet, closed)
        return
      }
      part.children.forEach((child) => visit(child, quiet, closed))
      return
    }
    if (part.contentType.params['hp-legacy-display'] === '1') return
    if (isTextLeaf(part)) {
      if (quiet) return
      if (type === 'text/html') bodies.push(htmlBody(part, null, imagesOnce()))
      else bodies.push({ kind: 'text', ...clipped(decodeText(part)) })
      return
    }
    if (type === 'application/pgp-signature' || type === 'application/pgp-encrypted') return
    // An attachment inside an encrypted part left closed is that part's ciphertext.
    bodies.push({ kind: 'attachment', index: attachmentIndex++, isInClosedPart: closed })
  }
  visit(displayed, false)
  return bodies
}
