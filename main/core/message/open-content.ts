import { decodeText, fileNameOf, isAttachmentDisposition, type MimePart } from '../mime/parse.ts'
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
}

/** What the user sees: inline text parts and the attachments (leaves that are not body text). */
export function contentOf(root: MimePart, technologies: readonly MessageTechnology[]): Content {
  const texts: string[] = []
  const attachments: MimePart[] = []
  const kinds: Content['kinds'] = []
  let hasNestedEncrypted = false
  let hasNestedSigned = false
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
        visit(plain ?? part.children[part.children.length - 1]!, inner)
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
      texts.push(type === 'text/html' ? htmlToText(decodeText(part)) : decodeText(part))
      if (!inner) kinds.push(type === 'text/html' ? 'html' : 'text')
      return
    }
    if (type === 'application/pgp-signature' || type === 'application/pgp-encrypted') return
    attachments.push(part)
    if (!inner) kinds.push('attachment')
  }
  visit(root, false)
  return { text: texts.join('\n'), attachments, kinds, hasNestedEncrypted, hasNestedSigned }
}
