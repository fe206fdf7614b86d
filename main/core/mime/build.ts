import { randomBytes } from 'node:crypto'
import libmime from 'libmime'
import { encode as qpEncode, wrap as qpWrap } from 'libqp'

/**
 * Builds MIME entities as exact canonical bytes: CRLF line ends everywhere, 7-bit clean bodies
 * (quoted-printable or base64), so that the bytes signed are the bytes sent (RFC 3156 §5,
 * RFC 8551 §3.1.1: any transport re-encoding would break the signature).
 */
export type HeaderList = readonly (readonly [string, string])[]

const CRLF = '\r\n'
const encoder = new TextEncoder()

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks))
}

/** Fields with a grammar of their own (addresses, parameters, ids), where a whole-value encoded word does not belong. */
const structuredFields =
  /^(from|to|cc|bcc|reply-to|sender|message-id|in-reply-to|references|date|mime-version|content-[a-z-]+|autocrypt[a-z-]*)$/i

/** A header line, RFC 2047-encoded when it is not plain ASCII, folded at 76 columns. */
export function headerLine(name: string, value: string): string {
  if (/[\r\n]/.test(name + value)) throw new Error('header injection: line break in a header value')
  // Unstructured text (a Subject) containing "=?" is encoded whole: a reader would decode it as an
  // encoded word (RFC 2047 §5), so "=?utf-8?q?Hallo?=" typed as a subject would arrive as "Hallo".
  const isLookalike = value.includes('=?') && !structuredFields.test(name)
  const encoded = isLookalike
    ? libmime.encodeWord(value, 'Q', 52)
    : /^[\x20-\x7e]*$/.test(value)
      ? value
      : libmime.encodeWords(value, 'Q', 52)
  return libmime.foldLines(`${name}: ${encoded}`, 76).replace(/\r?\n/g, CRLF) + CRLF
}

/** An address header value: display names RFC 2047-encoded, addresses as is. */
export function addressValue(addresses: readonly string[]): string {
  return addresses.join(', ')
}

/** Content-Type or Content-Disposition value with RFC 2231 parameters where needed. */
export function structuredValue(value: string, params: Record<string, string>): string {
  return libmime.buildHeaderValue({ value, params })
}

export function newBoundary(): string {
  return `sp-${randomBytes(18).toString('base64url')}`
}

/** Text to CRLF quoted-printable, with "From " and trailing spaces protected (RFC 3156 §3). */
export function quotedPrintable(text: string): string {
  const canonical = text.replace(/\r?\n/g, '\n')
  const encoded = qpWrap(qpEncode(Buffer.from(canonical, 'utf8')), 76)
  return encoded
    .replace(/^From /gm, '=46rom ')
    .replace(/^\./gm, '=2E')
    .replace(/\r?\n/g, CRLF)
}

/** Bytes encoded per string: 1024 lines of 57 bytes, strings of 76 KiB that stay in V8's young generation. */
const base64PieceBytes = 57 * 1024

/**
 * Base64 in 76-character CRLF lines, written straight into one buffer (attachments reach 100 MB): each piece's
 * digits are written at once, then moved apart line by line from the end (copyWithin; no string per line).
 */
export function base64Lines(bytes: Uint8Array): Uint8Array {
  const digits = Math.ceil(bytes.length / 3) * 4
  const out = Buffer.allocUnsafe(digits + Math.ceil(digits / 76) * 2)
  writeBase64Lines(bytes, out, 0)
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/** base64Lines of `bytes` written into `out` from `offset` on; returns the offset after the last line end. */
function writeBase64Lines(bytes: Uint8Array, out: Buffer, offset: number): number {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = 0; at < bytes.length; at += base64PieceBytes) {
    const text = source.toString('base64', at, Math.min(bytes.length, at + base64PieceBytes))
    const base = offset + (at / 57) * 78
    out.write(text, base, 'latin1')
    for (let line = Math.ceil(text.length / 76) - 1; line >= 0; line--) {
      const from = base + line * 76
      const count = Math.min(76, text.length - line * 76)
      const to = base + line * 78
      out.copyWithin(to, from, from + count)
      out[to + count] = 0x0d
      out[to + count + 1] = 0x0a
    }
  }
  const digits = Math.ceil(bytes.length / 3) * 4
  return offset + digits + Math.ceil(digits / 76) * 2
}

/** The header block of an entity, blank line included. */
export function entityHead(headers: HeaderList): Uint8Array {
  return encoder.encode(headers.map(([name, value]) => headerLine(name, value)).join('') + CRLF)
}

/** An entity: header lines, a blank line, the body (already 7-bit and CRLF; chunks are joined once). */
export function entity(headers: HeaderList, body: string | Uint8Array | readonly Uint8Array[]): Uint8Array {
  const chunks = typeof body === 'string' ? [encoder.encode(body)] : body instanceof Uint8Array ? [body] : body
  return concatBytes([entityHead(headers), ...chunks])
}

export function textEntity(text: string, extraHeaders: HeaderList = []): Uint8Array {
  return entity(
    [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Transfer-Encoding', 'quoted-printable'], ...extraHeaders],
    quotedPrintable(text.endsWith('\n') ? text : `${text}\n`),
  )
}

const attachmentHeaders = (fileName: string, contentType: string): HeaderList => [
  ['Content-Type', structuredValue(contentType, { name: fileName })],
  ['Content-Disposition', structuredValue('attachment', { filename: fileName })],
  ['Content-Transfer-Encoding', 'base64'],
]

export function attachmentEntity(fileName: string, contentType: string, bytes: Uint8Array): Uint8Array {
  return entity(attachmentHeaders(fileName, contentType), base64Lines(bytes))
}

/**
 * attachmentEntity for content read in chunks (a 100 MB file): the same bytes, produced piece by piece. A chunk is
 * done with before the next is asked for (the reader may refill its buffers: sourceChunksReused, sourceChunksAhead).
 */
export async function* attachmentEntityChunks(
  fileName: string,
  contentType: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield entityHead(attachmentHeaders(fileName, contentType))
  const encoder = base64LineEncoder()
  for await (const chunk of chunks) yield* encoder.push(chunk)
  yield* encoder.end()
}

/** base64Lines for content that arrives in chunks (e.g. a CMS stream from a worker). */
export async function* base64LinesStream(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const encoder = base64LineEncoder()
  for await (const chunk of chunks) yield* encoder.push(chunk)
  yield* encoder.end()
}

/**
 * The state of base64Lines over chunks: whole lines out as soon as there are bytes for them, each push's lines in one
 * new buffer of their own (the line a previous push began included), so a consumer may move it to another thread;
 * fewer than 57 bytes wait for the next push.
 */
function base64LineEncoder() {
  const pending = Buffer.alloc(57)
  let held = 0
  return {
    *push(chunk: Uint8Array): Generator<Uint8Array> {
      const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      const first = held > 0 ? Math.min(view.length, 57 - held) : 0
      if (held + view.length < 57) {
        view.copy(pending, held)
        held += view.length
        return
      }
      const whole = view.length - first - ((view.length - first) % 57)
      const lines = (held > 0 ? 1 : 0) + whole / 57
      const out = Buffer.allocUnsafe(lines * 78)
      let offset = 0
      if (held > 0) {
        view.copy(pending, held, 0, first)
        offset = writeBase64Lines(pending, out, 0)
      }
      writeBase64Lines(view.subarray(first, first + whole), out, offset)
      held = view.length - first - whole
      view.copy(pending, 0, first + whole)
      yield new Uint8Array(out.buffer, out.byteOffset, out.length)
    },
    *end(): Generator<Uint8Array> {
      if (held > 0) yield base64Lines(pending.subarray(0, held))
      held = 0
    },
  }
}

const containsBoundary = (children: readonly (Uint8Array | unknown)[], boundary: string) => {
  const marker = Buffer.from(`--${boundary}`)
  return children.some(
    (child) =>
      child instanceof Uint8Array && Buffer.from(child.buffer, child.byteOffset, child.byteLength).includes(marker),
  )
}

function multipartFrame(subtype: string, params: Record<string, string>, extraHeaders: HeaderList, boundary: string) {
  return {
    head: entityHead([
      ['Content-Type', structuredValue(`multipart/${subtype}`, { ...params, boundary })],
      ...extraHeaders,
    ]),
    open: encoder.encode(`--${boundary}${CRLF}`),
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    lineEnd: encoder.encode(CRLF),
    close: encoder.encode(`--${boundary}--${CRLF}`),
  }
}

/** A multipart entity; `children` are complete entities. The boundary must not occur in them (random, checked). */
export function multipart(
  subtype: string,
  params: Record<string, string>,
  children: readonly Uint8Array[],
  extraHeaders: HeaderList = [],
  boundary = newBoundary(),
): Uint8Array {
  if (containsBoundary(children, boundary)) return multipart(subtype, params, children, extraHeaders)
  const frame = multipartFrame(subtype, params, extraHeaders, boundary)
  return concatBytes([frame.head, ...children.flatMap((child) => [frame.open, child, frame.lineEnd]), frame.close])
}

/**
 * multipart for children that are produced in chunks (base64 or armored bodies, which cannot
 * contain a boundary: their alphabets have no "-"; in-memory children are checked as above).
 */
export async function* multipartStream(
  subtype: string,
  params: Record<string, string>,
  children: readonly (Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>)[],
  extraHeaders: HeaderList = [],
): AsyncGenerator<Uint8Array> {
  let boundary = newBoundary()
  while (containsBoundary(children, boundary)) boundary = newBoundary()
  const frame = multipartFrame(subtype, params, extraHeaders, boundary)
  yield frame.head
  for (const child of children) {
    yield frame.open
    if (child instanceof Uint8Array) yield child
    else yield* child
    yield frame.lineEnd
  }
  yield frame.close
}
