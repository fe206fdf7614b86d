import { limits } from '../limits.ts'
import {
  decodedBodyChunks,
  decodeText,
  fileNameOf,
  isAttachmentDisposition,
  parseMime,
  type MimePart,
} from '../mime/parse.ts'
import type { MessageTechnology } from './technology.ts'

export function findTechnology(
  technologies: readonly MessageTechnology[],
  part: MimePart,
  test: 'isEncrypted' | 'isSigned',
) {
  return technologies.find((technology) => technology[test](part)) ?? null
}

export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code) % 0x110000))
    .replace(/&amp;/g, '&')
}

/** What the user sees of a MIME tree, in order. */
export interface Content {
  text: string
  attachments: MimePart[]
  /** Each displayed leaf in order; an encrypted entity inside the message is one `not-opened` entry. */
  kinds: ('text' | 'html' | 'attachment' | 'not-opened')[]
  /** An encrypted entity inside the message (never decrypted automatically). */
  hasNestedEncrypted: boolean
  /** A signed entity inside the message (its signature is not the message's). */
  hasNestedSigned: boolean
  /** Inline protection (e.g. an armored OpenPGP block) found in a displayed text part, never checked here. */
  inline: ('encrypted' | 'signed')[]
}

/** Whether an encrypted entity is anywhere in this part. */
function containsEncrypted(technologies: readonly MessageTechnology[], part: MimePart): boolean {
  if (findTechnology(technologies, part, 'isEncrypted')) return true
  return part.children.some((child) => containsEncrypted(technologies, child))
}

/**
 * Whether an attached message (message/rfc822) is itself encrypted: its first bytes are enough for
 * the structure (a closed encrypted message is never decrypted, so it counts as a part left closed).
 */
function isEncryptedMessage(technologies: readonly MessageTechnology[], part: MimePart): boolean {
  const head: Uint8Array[] = []
  let size = 0
  for (const chunk of decodedBodyChunks(part)) {
    head.push(chunk)
    size += chunk.length
    if (size >= limits.streamFromBytes) break
  }
  const bytes = new Uint8Array(size)
  head.reduce((offset, chunk) => (bytes.set(chunk, offset), offset + chunk.length), 0)
  try {
    return containsEncrypted(technologies, parseMime(bytes))
  } catch {
    return false
  }
}

/** What the user sees: inline text parts and the attachments (leaves that are not body text). */
export function contentOf(root: MimePart, technologies: readonly MessageTechnology[]): Content {
  const texts: string[] = []
  const attachments: MimePart[] = []
  const kinds: Content['kinds'] = []
  let hasNestedEncrypted = false
  let hasNestedSigned = false
  const inline: Content['inline'] = []
  // `closed`: inside an encrypted entity that is left closed; its pieces stay attachments (they can be saved) but
  // are shown as one `not-opened` part.
  const visit = (part: MimePart, closed: boolean) => {
    const type = part.contentType.type
    // Leaves too: an S/MIME encrypted or opaque-signed entity is a single application/pkcs7-mime part.
    const isEncrypted = findTechnology(technologies, part, 'isEncrypted') !== null
    if (isEncrypted && !closed) kinds.push('not-opened')
    hasNestedEncrypted ||= isEncrypted
    hasNestedSigned ||= findTechnology(technologies, part, 'isSigned') !== null
    const inner = closed || isEncrypted
    if (part.children.length > 0) {
      if (type === 'multipart/alternative') {
        const plain = part.children.find((c) => c.contentType.type === 'text/plain')
        const shown = plain ?? part.children[part.children.length - 1]!
        // An encrypted version beside the one shown is left closed: the reader learns that it exists.
        const closedVersions = part.children.filter((c) => c !== shown && containsEncrypted(technologies, c))
        if (closedVersions.length > 0 && !inner) kinds.push(...closedVersions.map(() => 'not-opened' as const))
        hasNestedEncrypted ||= closedVersions.length > 0
        visit(shown, inner)
        return
      }
      if (type === 'multipart/signed') {
        // Show the content; the signature part itself is not shown as an attachment.
        if (part.children[0]) visit(part.children[0], inner)
        return
      }
      part.children.forEach((child) => visit(child, inner))
      return
    }
    if (part.contentType.params['hp-legacy-display'] === '1') return
    const isText = type === 'text/plain' || type === 'text/html'
    if (isText && !isAttachmentDisposition(part) && fileNameOf(part) === null) {
      const text = type === 'text/html' ? htmlToText(decodeText(part)) : decodeText(part)
      texts.push(text)
      if (!inner) kinds.push(type === 'text/html' ? 'html' : 'text')
      for (const kind of technologies.map((t) => t.inlineKind?.(text) ?? null)) if (kind && !inner) inline.push(kind)
      return
    }
    if (type === 'message/rfc822' && isEncryptedMessage(technologies, part)) {
      // An attached encrypted message stays closed (only the top level is decrypted) but can be saved.
      attachments.push(part)
      hasNestedEncrypted = true
      if (!inner) kinds.push('not-opened')
      return
    }
    if (type === 'application/pgp-signature' || type === 'application/pgp-encrypted') return
    attachments.push(part)
    if (!inner) kinds.push('attachment')
  }
  visit(root, false)
  return { text: texts.join('\n'), attachments, kinds, hasNestedEncrypted, hasNestedSigned, inline }
}
