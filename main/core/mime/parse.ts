import libmime from 'libmime'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { decodeBase64Lines } from './base64-lines.ts'
import {
  memorySource,
  sourceChunkBytes,
  sourceChunks,
  sourceChunksReused,
  sourceIndexOf,
  type ByteSource,
} from './byte-source.ts'

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
  /** Where the (transfer-encoded) body lies, for reading it in chunks (see decodedBodyChunks). */
  bodyRange: { source: ByteSource; start: number; end: number }
  /** Where the whole entity (raw) lies in bodyRange.source: a large signed part is hashed from there in chunks. */
  rawRange?: { start: number; end: number }
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
const crlfBlank = new Uint8Array([LF])

/**
 * The bytes a part is parsed from: a Uint8Array in memory, or a ByteSource (a message file, a
 * decrypted spool) read through one cached window, so scanning a 100 MB body for its delimiters
 * never holds it whole.
 */
interface Cursor {
  at(index: number): number | undefined
  indexOf(needle: Uint8Array, from: number, to: number): number
  /** indexOf, but only a match at `from` or right after an LF (where a delimiter may stand). */
  lineIndexOf(needle: Uint8Array, from: number, to: number): number
  slice(start: number, end: number): Uint8Array
  source: ByteSource
  isInMemory: boolean
}

/** A cursor's lineIndexOf from its indexOf and at. */
function lineStartOf(cursor: Pick<Cursor, 'at' | 'indexOf'>, needle: Uint8Array, from: number, to: number): number {
  for (let at = cursor.indexOf(needle, from, to); at >= 0; at = cursor.indexOf(needle, at + 1, to))
    if (at === from || cursor.at(at - 1) === LF) return at
  return -1
}

function memoryCursor(bytes: Uint8Array): Cursor {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const cursor = {
    at: (index: number) => bytes[index],
    indexOf(needle: Uint8Array, from: number, to: number) {
      const found = buffer.indexOf(needle, from)
      return found >= 0 && found + needle.length <= to ? found : -1
    },
  }
  return {
    ...cursor,
    lineIndexOf: (needle, from, to) => lineStartOf(cursor, needle, from, to),
    // The whole input stays the very same object (callers key WeakMaps by a part's raw bytes).
    slice: (start, end) => (start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)),
    source: memorySource(bytes),
    isInMemory: true,
  }
}

function sourceCursor(source: ByteSource): Cursor {
  let windowStart = 0
  let window: Uint8Array = new Uint8Array(0)
  const load = (index: number) => {
    windowStart = index
    window = source.read(index, index + sourceChunkBytes)
  }
  const cursor: Omit<Cursor, 'lineIndexOf'> = {
    at(index) {
      if (index < 0 || index >= source.length) return undefined
      if (index < windowStart || index >= windowStart + window.length) load(index)
      return window[index - windowStart]
    },
    indexOf(needle, from, to) {
      // Within the cached window first (line-by-line header scans stay in one read).
      if (from >= windowStart && from < windowStart + window.length) {
        const view = Buffer.from(window.buffer, window.byteOffset, window.byteLength)
        const found = view.indexOf(needle, from - windowStart)
        if (found >= 0) return windowStart + found + needle.length <= to ? windowStart + found : -1
        if (windowStart + window.length >= source.length) return -1
      }
      return sourceIndexOf(source, needle, from, to)
    },
    slice: (start, end) => source.read(start, end),
    source,
    isInMemory: false,
  }
  return {
    ...cursor,
    // A spool knows its line starts: a 100 MB body is not read to find the few delimiters in it.
    lineIndexOf: (needle, from, to) =>
      source.lineIndexOf ? source.lineIndexOf(needle, from, to) : lineStartOf(cursor, needle, from, to),
  }
}

/** Index just past the end of the header block and where the body starts (blank line, CRLF or LF). */
function splitHeaderBlock(bytes: Cursor, start: number, end: number): { headerEnd: number; bodyStart: number } {
  const byte = (i: number) => (i < end ? bytes.at(i) : undefined)
  if (byte(start) === LF) return { headerEnd: start, bodyStart: start + 1 }
  if (byte(start) === CR && byte(start + 1) === LF) return { headerEnd: start, bodyStart: start + 2 }
  for (let i = bytes.indexOf(crlfBlank, start, end); i >= 0; i = bytes.indexOf(crlfBlank, i + 1, end)) {
    if (byte(i + 1) === LF) return { headerEnd: i + 1, bodyStart: i + 2 }
    if (byte(i + 1) === CR && byte(i + 2) === LF) return { headerEnd: i + 1, bodyStart: i + 3 }
  }
  return { headerEnd: end, bodyStart: end }
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

/** Raw header bytes read as latin1 (RFC 6532: UTF-8 in headers) as UTF-8 text; left as they are if not UTF-8. */
export function eightBitAsUtf8(value: string): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff))
  return utf8.includes('\uFFFD') ? value : utf8
}

/** A header value with RFC 2047 words and raw UTF-8 (RFC 6532) decoded. */
export function decodedHeader(part: Pick<MimePart, 'headers'>, name: string): string | undefined {
  const value = headerValue(part, name)
  return value === undefined ? undefined : decodeHeaderText(value)
}

export function decodeHeaderText(value: string): string {
  const text = eightBitAsUtf8(value)
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

/**
 * The children of a multipart body [start, end), byte-exact, as ranges. A delimiter is
 * "--boundary" at the start of a line; the line break before it belongs to the delimiter
 * (RFC 2046 §5.1.1).
 */
function splitMultipart(bytes: Cursor, bodyStart: number, end: number, boundary: string): [number, number][] {
  const byte = (i: number) => (i < end ? bytes.at(i) : undefined)
  const marker = new TextEncoder().encode(`--${boundary}`)
  const delimiters: { start: number; contentStart: number; isClose: boolean }[] = []
  let from = bodyStart
  while (from <= end) {
    // Only a match at the start of a line (or of the body) can be a delimiter.
    const at = bytes.lineIndexOf(marker, from, end)
    if (at < 0) break
    from = at + marker.length
    if (at > bodyStart && byte(at - 1) !== LF) continue
    let cursor = at + marker.length
    const isClose = byte(cursor) === 0x2d && byte(cursor + 1) === 0x2d
    if (isClose) cursor += 2
    while (byte(cursor) === 0x20 || byte(cursor) === 0x09) cursor++
    if (cursor < end && byte(cursor) !== CR && byte(cursor) !== LF && !isClose) continue
    if (byte(cursor) === CR) cursor++
    if (byte(cursor) === LF) cursor++
    let start = at
    if (start > bodyStart && byte(start - 1) === LF) start--
    if (start > bodyStart && byte(start - 1) === CR && byte(start) === LF) start--
    delimiters.push({ start, contentStart: cursor, isClose })
    if (isClose) break
  }
  const parts: [number, number][] = []
  for (let i = 0; i < delimiters.length - 1; i++) {
    const here = delimiters[i]!
    if (here.isClose) break
    parts.push([here.contentStart, Math.max(here.contentStart, delimiters[i + 1]!.start)])
  }
  const last = delimiters[delimiters.length - 1]
  // A missing close delimiter (truncated mail): the last part runs to the end.
  if (last && !last.isClose) parts.push([last.contentStart, end])
  return parts
}

/** Parts read from a ByteSource up to this size are held in memory; larger ones are read on use. */
const sourcePartCacheBytes = 4 * 1024 * 1024
const streamedParts = new WeakSet<MimePart>()

/** True when reading the part's raw or body costs a read of its whole size (a large part of a file or spool). */
export const isStreamedPart = (part: MimePart): boolean => streamedParts.has(part)

/** The transfer-encoded body's length, without reading it. */
export const bodyLength = (part: MimePart): number => part.bodyRange.end - part.bodyRange.start

/**
 * Parses a message into a tree of parts that keep their raw bytes. message/rfc822 parts stay
 * leaves: a forwarded message is an attachment, never part of what this message's signature
 * or encryption covers. Deeper or larger trees than the limits are refused (DoS guard).
 */
export function parseMime(input: Uint8Array | ByteSource, options: ParseOptions = {}): MimePart {
  const maxDepth = options.maxDepth ?? limits.mimeMaxDepth
  const maxParts = options.maxParts ?? limits.mimeMaxParts
  const bytes = input instanceof Uint8Array ? memoryCursor(input) : sourceCursor(input)
  let count = 0
  const walk = (start: number, end: number, path: string, depth: number): MimePart => {
    if (depth > maxDepth) throw new SiegelpostError('MIME_TOO_DEEP', { limit: maxDepth })
    if (++count > maxParts) throw new SiegelpostError('MIME_TOO_MANY_PARTS', { limit: maxParts })
    const { headerEnd, bodyStart } = splitHeaderBlock(bytes, start, end)
    const headers = parseHeaders(bytes.slice(start, headerEnd))
    const contentType = contentTypeOf(headers)
    const children: MimePart[] = []
    const boundary = contentType.params.boundary
    if (contentType.type.startsWith('multipart/') && boundary) {
      splitMultipart(bytes, bodyStart, end, boundary).forEach(([from, to], index) =>
        children.push(walk(from, to, path ? `${path}.${index + 1}` : `${index + 1}`, depth + 1)),
      )
    }
    const bodyRange = { source: bytes.source, start: bodyStart, end }
    const rawRange = { start, end }
    // Parts in memory and small parts are read now; large ones (a 100 MB attachment) on each use, and
    // streamed through bodyRange by the code paths that handle large content (attachments, decryption).
    if (bytes.isInMemory || end - start <= sourcePartCacheBytes)
      return {
        path,
        raw: bytes.slice(start, end),
        headers,
        body: bytes.slice(bodyStart, end),
        contentType,
        children,
        bodyRange,
        rawRange,
      }
    const part: MimePart = {
      rawRange,
      path,
      get raw() {
        return bytes.slice(start, end)
      },
      get body() {
        return bytes.slice(bodyStart, end)
      },
      headers,
      contentType,
      children,
      bodyRange,
    }
    streamedParts.add(part)
    return part
  }
  return walk(0, input.length, '', 0)
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

/**
 * The body with its Content-Transfer-Encoding undone, in chunks of about 1 MiB, read from the
 * part's byte range: a 100 MB base64 attachment is decoded without holding it whole.
 * Quoted-printable (text) bodies are decoded in one piece.
 */
export function* decodedBodyChunks(part: MimePart): Generator<Uint8Array> {
  const encoding = (headerValue(part, 'content-transfer-encoding') ?? '7bit').toLowerCase().trim()
  const { source, start, end } = part.bodyRange
  if (encoding === 'quoted-printable') {
    yield decodeBody(part)
    return
  }
  if (encoding !== 'base64') {
    yield* sourceChunks(source, start, end)
    return
  }
  // Digits not decoded yet (fewer than 4 between steps), and the bytes after the last line end of
  // the chunk before (the start of a line the next chunk completes).
  let carry = ''
  let rest = Buffer.alloc(0)
  /** The careful path: anything but base64 digits removed; true when "=" ended the data. */
  const careful = (view: Buffer, decoded: Buffer[]): boolean => {
    // Strings of 64 KiB stay in V8's young generation; 1 MiB strings would pile up in its
    // large-object space until a full collection (hundreds of MiB for a 100 MB attachment).
    for (let at = 0; at < view.length; at += stringSliceBytes) {
      const text =
        carry +
        view.toString('latin1', at, Math.min(view.length, at + stringSliceBytes)).replace(/[^A-Za-z0-9+/=]/g, '')
      // "=" ends the data (RFC 2045 §6.8): what follows is not decoded, as decodeBody does, so the
      // digest `open` reports and the bytes it saves are the same.
      const padding = text.indexOf('=')
      if (padding >= 0) {
        decoded.push(Buffer.from(text.slice(0, padding), 'base64'))
        carry = ''
        return true
      }
      const usable = text.length - (text.length % 4)
      carry = text.slice(usable)
      if (usable > 0) decoded.push(Buffer.from(text.slice(0, usable), 'base64'))
    }
    return false
  }
  // A view of the one buffer (new Uint8Array(buffer) would copy it once more).
  const joined = (decoded: Buffer[]) => {
    const bytes = decoded.length === 1 ? decoded[0]! : Buffer.concat(decoded)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
  }
  // Read through one buffer, refilled per chunk: every byte yielded below is decoded into a buffer of its own, and
  // what is kept (`rest`, `carry`) is copied, so a chunk is done with before the next is read.
  for (const chunk of sourceChunksReused(source, start, end)) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const decoded: Buffer[] = []
    let view = bytes
    if (rest.length > 0) {
      const lineEnd = bytes.indexOf(0x0a)
      if (lineEnd >= 0 && rest.length + lineEnd < stringSliceBytes) {
        // the line the previous chunk began, completed
        if (careful(Buffer.concat([rest, bytes.subarray(0, lineEnd + 1)]), decoded)) {
          yield joined(decoded)
          return
        }
        view = bytes.subarray(lineEnd + 1)
      } else view = Buffer.concat([rest, bytes])
      rest = Buffer.alloc(0)
    }
    // Whole lines of one length go to the native decoder as they are (base64-lines.ts).
    const wholeLines = view.lastIndexOf(0x0a) + 1
    // The completed line's bytes go in front of the fast path's, in its one buffer (no join of 1 MiB per chunk).
    const before = decoded.length > 0 ? Buffer.concat(decoded) : undefined
    const fast = carry === '' && wholeLines > 0 ? decodeBase64Lines(view.subarray(0, wholeLines), before) : null
    let isEnd = false
    if (fast) {
      decoded.length = 0
      decoded.push(fast)
      rest = Buffer.from(view.subarray(wholeLines))
    } else isEnd = careful(view, decoded)
    if (decoded.length > 0) yield joined(decoded)
    if (isEnd) return
  }
  const decoded: Buffer[] = []
  careful(rest, decoded)
  if (carry !== '') decoded.push(Buffer.from(carry, 'base64'))
  if (decoded.length > 0) yield joined(decoded)
}

export const stringSliceBytes = 64 * 1024

const base64Byte = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n \t')
  base64Byte[c.charCodeAt(0)] = 1

function isPlainBase64(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (base64Byte[bytes[i]!] === 0) return false
  return true
}

function qpDecode(bytes: Uint8Array): Buffer {
  const text = latin1
    .decode(bytes)
    .replace(/[ \t]+(\r?\n)/g, '$1')
    .replace(/=\r?\n/g, '')
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
