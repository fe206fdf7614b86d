import libmime from 'libmime'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'

/**
 * A MIME entity that keeps its exact bytes. Signature checks (RFC 1847 / RFC 3156 / RFC 8551)
 * need "the bytes of part 1" exactly as they arrived; mailparser and postal-mime give only
 * decoded content (library-facts §2.2), so the split is done here on the raw buffer, and
 * libmime (nodemailer's header codec) decodes header values.
 */
export interface MimePart {
  /** "" for the root, then "1", "1.2", … as in IMAP BODYSTRUCTURE. */
  path: string
  /** The whole entity, headers + blank line + body, byte-exact (the signed bytes of RFC 1847 §2.1). */
  raw: Uint8Array
  headers: MimeHeader[]
  /** The body as it stands, still transfer-encoded. */
  body: Uint8Array
  /** Lower-case media type ("text/plain" when missing, RFC 2045 §5.2) and its parameters. */
  contentType: { type: string; params: Record<string, string> }
  children: MimePart[]
}

export interface MimeHeader {
  /** As written, e.g. "Content-Type". */
  name: string
  /** Unfolded, not decoded (RFC 2047 words stay encoded; see decodedHeader). */
  value: string
}

export interface ParseOptions {
  maxDepth?: number
  maxParts?: number
}

const CR = 0x0d
const LF = 0x0a

/** Index just past the end of the header block and where the body starts (blank line, CRLF or LF). */
function splitHeaderBlock(bytes: Uint8Array): { headerEnd: number; bodyStart: number } {
  if (bytes[0] === LF) return { headerEnd: 0, bodyStart: 1 }
  if (bytes[0] === CR && bytes[1] === LF) return { headerEnd: 0, bodyStart: 2 }
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue
    if (bytes[i + 1] === LF) return { headerEnd: i + 1, bodyStart: i + 2 }
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return { headerEnd: i + 1, bodyStart: i + 3 }
  }
  return { headerEnd: bytes.length, bodyStart: bytes.length }
}

const latin1 = new TextDecoder('latin1')

function parseHeaders(block: Uint8Array): MimeHeader[] {
  // latin1 keeps every byte as one char; 8-bit UTF-8 headers (RFC 6532) are re-decoded on use.
  const lines = latin1.decode(block).split(/\r?\n/)
  const headers: MimeHeader[] = []
  for (const line of lines) {
    if (line === '') continue
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      headers[headers.length - 1]!.value += line
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() })
  }
  return headers
}

export function headerValue(part: Pick<MimePart, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return part.headers.find((h) => h.name.toLowerCase() === lower)?.value
}

export function headerValues(part: Pick<MimePart, 'headers'>, name: string): string[] {
  const lower = name.toLowerCase()
  return part.headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value)
}

/** A header value with RFC 2047 words and raw UTF-8 (RFC 6532) decoded. */
export function decodedHeader(part: Pick<MimePart, 'headers'>, name: string): string | undefined {
  const value = headerValue(part, name)
  return value === undefined ? undefined : decodeHeaderText(value)
}

export function decodeHeaderText(value: string): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff))
  const text = utf8.includes('\uFFFD') ? value : utf8
  try {
    return libmime.decodeWords(text)
  } catch {
    return text
  }
}

function contentTypeOf(headers: MimeHeader[]): MimePart['contentType'] {
  const value = headerValue({ headers }, 'content-type')
  if (!value) return { type: 'text/plain', params: { charset: 'us-ascii' } }
  const parsed = libmime.parseHeaderValue(decodeHeaderText(value))
  const type = parsed.value.toLowerCase().trim()
  const params: Record<string, string> = {}
  for (const [key, v] of Object.entries(parsed.params)) params[key.toLowerCase()] = String(v)
  return { type: /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : 'text/plain', params }
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from)
}

/**
 * The children of a multipart body, byte-exact. A delimiter is "--boundary" at the start of a
 * line; the line break before it belongs to the delimiter (RFC 2046 §5.1.1).
 */
function splitMultipart(body: Uint8Array, boundary: string): Uint8Array[] {
  const marker = new TextEncoder().encode(`--${boundary}`)
  const delimiters: { start: number; contentStart: number; isClose: boolean }[] = []
  let from = 0
  while (from <= body.length) {
    const at = indexOfBytes(body, marker, from)
    if (at < 0) break
    from = at + marker.length
    if (at > 0 && body[at - 1] !== LF) continue
    let cursor = at + marker.length
    const isClose = body[cursor] === 0x2d && body[cursor + 1] === 0x2d
    if (isClose) cursor += 2
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++
    if (cursor < body.length && body[cursor] !== CR && body[cursor] !== LF && !isClose) continue
    if (body[cursor] === CR) cursor++
    if (body[cursor] === LF) cursor++
    let start = at
    if (start > 0 && body[start - 1] === LF) start--
    if (start > 0 && body[start - 1] === CR && body[start] === LF) start--
    delimiters.push({ start, contentStart: cursor, isClose })
    if (isClose) break
  }
  const parts: Uint8Array[] = []
  for (let i = 0; i < delimiters.length - 1; i++) {
    const here = delimiters[i]!
    if (here.isClose) break
    parts.push(body.subarray(here.contentStart, Math.max(here.contentStart, delimiters[i + 1]!.start)))
  }
  const last = delimiters[delimiters.length - 1]
  // A missing close delimiter (truncated mail): the last part runs to the end.
  if (last && !last.isClose) parts.push(body.subarray(last.contentStart))
  return parts
}

/**
 * Parses a message into a tree of parts that keep their raw bytes. message/rfc822 parts stay
 * leaves: a forwarded message is an attachment, never part of what this message's signature
 * or encryption covers. Deeper or larger trees than the limits are refused (DoS guard).
 */
export function parseMime(raw: Uint8Array, options: ParseOptions = {}): MimePart {
  const maxDepth = options.maxDepth ?? limits.mimeMaxDepth
  const maxParts = options.maxParts ?? limits.mimeMaxParts
  let count = 0
  const walk = (bytes: Uint8Array, path: string, depth: number): MimePart => {
    if (depth > maxDepth) throw new SiegelpostError('MIME_TOO_DEEP', { limit: maxDepth })
    if (++count > maxParts) throw new SiegelpostError('MIME_TOO_MANY_PARTS', { limit: maxParts })
    const { headerEnd, bodyStart } = splitHeaderBlock(bytes)
    const headers = parseHeaders(bytes.subarray(0, headerEnd))
    const contentType = contentTypeOf(headers)
    const body = bytes.subarray(bodyStart)
    const children: MimePart[] = []
    const boundary = contentType.params.boundary
    if (contentType.type.startsWith('multipart/') && boundary) {
      splitMultipart(body, boundary).forEach((child, index) => children.push(walk(child, path ? `${path}.${index + 1}` : `${index + 1}`, depth + 1)))
    }
    return { path, raw: bytes, headers, body, contentType, children }
  }
  return walk(raw, '', 0)
}

/** The body with its Content-Transfer-Encoding undone (base64, quoted-printable; others as is). */
export function decodeBody(part: MimePart): Uint8Array {
  const encoding = (headerValue(part, 'content-transfer-encoding') ?? '7bit').toLowerCase().trim()
  if (encoding === 'base64') {
    const view = Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength)
    // Node's decoder skips white space itself; anything else non-base64 is removed first
    // (Node would read "-" and "_" as base64url digits).
    const text = isPlainBase64(view) ? view.toString('latin1') : view.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '')
    const decoded = Buffer.from(text, 'base64')
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length)
  }
  if (encoding === 'quoted-printable') return new Uint8Array(qpDecode(part.body))
  return part.body
}

const base64Byte = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n \t') base64Byte[c.charCodeAt(0)] = 1

function isPlainBase64(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (base64Byte[bytes[i]!] === 0) return false
  return true
}

function qpDecode(bytes: Uint8Array): Buffer {
  const text = latin1.decode(bytes).replace(/[ \t]+(\r?\n)/g, '$1').replace(/=\r?\n/g, '')
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else out.push(c & 0xff)
  }
  return Buffer.from(out)
}

/** A text part as a string, in its declared charset (UTF-8 when unknown), line breaks as LF. */
export function decodeText(part: MimePart): string {
  const bytes = decodeBody(part)
  const charset = (part.contentType.params.charset ?? 'utf-8').toLowerCase()
  let text: string
  try {
    text = new TextDecoder(charset === 'us-ascii' ? 'utf-8' : charset).decode(bytes)
  } catch {
    text = new TextDecoder('utf-8').decode(bytes)
  }
  return text.replace(/\r\n/g, '\n')
}

/** The part's file name (Content-Disposition filename, then Content-Type name, RFC 2231 decoded). */
export function fileNameOf(part: MimePart): string | null {
  const disposition = headerValue(part, 'content-disposition')
  if (disposition) {
    const parsed = libmime.parseHeaderValue(decodeHeaderText(disposition))
    if (parsed.params.filename) return String(parsed.params.filename)
  }
  return part.contentType.params.name ?? null
}

export function isAttachmentDisposition(part: MimePart): boolean {
  const disposition = headerValue(part, 'content-disposition')
  return disposition !== undefined && /^\s*attachment/i.test(disposition)
}
