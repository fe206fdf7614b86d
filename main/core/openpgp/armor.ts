import { decodeBase64Lines } from '../mime/base64-lines.ts'
import { releaseBytes } from '../streaming/release.ts'

/**
 * ASCII armor for large messages (RFC 9580 §6) on Node's native base64: openpgp.js's own
 * armor works on JS strings and costs several copies of a 100 MB attachment. We write the
 * CRC-24 checksum line too: GnuPG 2.2 mis-decodes armor without it (dev.gnupg.org T7071).
 */
/**
 * CRC-24 tables for slicing by 8, in byte-swapped form (the register's top byte in the low 8 bits), so the
 * message is read as little-endian 32-bit words: table k is the CRC of one byte followed by k zero bytes.
 */
const swap24 = (value: number) => ((value >>> 16) & 0xff) | (value & 0xff00) | ((value & 0xff) << 16)
const crcTables = (() => {
  const tables = [new Int32Array(256)]
  for (let i = 0; i < 256; i++) {
    let crc = i << 16
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1
      if (crc & 0x1000000) crc ^= 0x1864cfb
    }
    tables[0]![i] = crc & 0xffffff
  }
  for (let k = 1; k < 8; k++) {
    const previous = tables[k - 1]!
    const table = new Int32Array(256)
    for (let i = 0; i < 256; i++) table[i] = ((previous[i]! << 8) ^ tables[0]![previous[i]! >>> 16]!) & 0xffffff
    tables.push(table)
  }
  return tables.map((table) => Int32Array.from(table, swap24))
})()
const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * The CRC-24 after `bytes`, from `crc`: eight bytes (two aligned 32-bit words) per step, about 1 GB/s, 2x the
 * six-bytes-per-step form before it and 4x byte by byte — the checksum of a 190 MB armored mail was the largest
 * single cost of the OpenPGP worker.
 */
export function crc24Update(crc: number, bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crcTables as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ]
  let c = swap24(crc)
  let i = isLittleEndian ? Math.min(bytes.length, (4 - (bytes.byteOffset & 3)) & 3) : bytes.length
  for (let k = 0; k < i; k++) c = (c >>> 8) ^ t0[(c ^ bytes[k]!) & 0xff]!
  const steps = (bytes.length - i) >>> 3
  if (steps > 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, steps * 2)
    for (let w = 0; w < words.length; w += 2) {
      const x = c ^ words[w]!
      const y = words[w + 1]!
      c =
        t7[x & 0xff]! ^
        t6[(x >>> 8) & 0xff]! ^
        t5[(x >>> 16) & 0xff]! ^
        t4[x >>> 24]! ^
        t3[y & 0xff]! ^
        t2[(y >>> 8) & 0xff]! ^
        t1[(y >>> 16) & 0xff]! ^
        t0[y >>> 24]!
    }
    i += steps * 8
  }
  for (; i < bytes.length; i++) c = (c >>> 8) ^ t0[(c ^ bytes[i]!) & 0xff]!
  return swap24(c)
}

const crcStart = 0xb704ce

export function crc24(bytes: Uint8Array): number {
  return crc24Update(crcStart, bytes)
}

/** Base64 text as CRLF lines of 64 characters (as gpg writes), in one buffer. */
function base64Lines64(base64: string): Buffer {
  const out = Buffer.allocUnsafe(base64.length + Math.ceil(base64.length / 64) * 2)
  let offset = 0
  for (let i = 0; i < base64.length; i += 64) {
    offset += out.write(base64.slice(i, i + 64), offset, 'latin1')
    offset += out.write('\r\n', offset, 'latin1')
  }
  return out.subarray(0, offset)
}

const armorHead = '-----BEGIN PGP MESSAGE-----\r\n\r\n'
const armorTail = (crc: number) =>
  `=${Buffer.from([(crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]).toString('base64')}\r\n-----END PGP MESSAGE-----\r\n`

/** A binary OpenPGP message as armored text with CRLF line ends, 64 characters a line (as gpg writes). */
export function armorMessage(bytes: Uint8Array): Uint8Array {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  const out = Buffer.concat([Buffer.from(armorHead), base64Lines64(base64), Buffer.from(armorTail(crc24(bytes)))])
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/** The streaming form of armorMessage: binary chunks in, the same armored text out. */
export function armorStream(): TransformStream<Uint8Array, Uint8Array> {
  let crc = crcStart
  let pending = Buffer.alloc(0)
  // 48 bytes make one 64-character line; 48 KiB pieces keep strings in V8's young generation.
  const piece = 48 * 1024
  const emit = (controller: TransformStreamDefaultController<Uint8Array>, bytes: Buffer) => {
    crc = crc24Update(crc, bytes)
    controller.enqueue(new Uint8Array(base64Lines64(bytes.toString('base64'))))
  }
  return new TransformStream({
    start(controller) {
      controller.enqueue(new Uint8Array(Buffer.from(armorHead)))
    },
    transform(chunk, controller) {
      const joined = Buffer.concat([pending, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)])
      let at = 0
      for (; joined.length - at >= piece; at += piece) emit(controller, joined.subarray(at, at + piece))
      pending = Buffer.from(joined.subarray(at))
      // Our own copy, read only by emit (which keeps nothing of it): freed now, not at the next collection.
      releaseBytes(joined)
    },
    flush(controller) {
      if (pending.length > 0) emit(controller, pending)
      controller.enqueue(new Uint8Array(Buffer.from(armorTail(crc))))
    },
  })
}

/**
 * The binary message inside an armored PGP MESSAGE block, or null when the text is not a plain
 * armored message (the caller then lets openpgp.js parse it). A checksum, when present, must match.
 */
export function dearmorMessage(text: Uint8Array): Uint8Array | null {
  const buffer = Buffer.from(text.buffer, text.byteOffset, text.byteLength)
  const begin = buffer.indexOf('-----BEGIN PGP MESSAGE-----')
  if (begin < 0) return null
  const end = buffer.indexOf('-----END PGP MESSAGE-----', begin)
  if (end < 0) return null
  // Header lines ("Key: value") up to the first blank line; everything is worked on in place,
  // without splitting the (possibly 200 MB) text into line strings.
  let cursor = buffer.indexOf(0x0a, begin) + 1
  if (cursor <= 0 || cursor > end) return null
  for (;;) {
    const lineEnd = buffer.indexOf(0x0a, cursor)
    if (lineEnd < 0 || lineEnd > end) return null
    const line = buffer.subarray(cursor, lineEnd).toString('latin1').trim()
    cursor = lineEnd + 1
    if (line === '') break
    if (!/^[A-Za-z-]+: /.test(line)) return null
  }
  // The optional checksum is the last non-empty line before END, "=" and four base64 digits.
  const tailStart = Math.max(cursor, end - 16)
  const tail = buffer.subarray(tailStart, end).toString('latin1')
  const checksumMatch = /(?:^|\n)[ \t]*=([A-Za-z0-9+/]{4})\s*$/.exec(tail)
  const bodyEnd = checksumMatch ? tailStart + tail.lastIndexOf(`=${checksumMatch[1]}`) : end
  const body = buffer.subarray(cursor, bodyEnd)
  for (let i = 0; i < body.length; i++) if (base64OrSpace[body[i]!] === 0) return null
  // Node's base64 decoder skips white space (CR, LF, blanks) by itself.
  const bytes = Buffer.from(body.toString('latin1'), 'base64')
  if (checksumMatch) {
    const crc = crc24(bytes)
    if (Buffer.from([(crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]).toString('base64') !== checksumMatch[1])
      return null
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
}

const base64OrSpace = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n \t')
  base64OrSpace[c.charCodeAt(0)] = 1

/** Armored bytes in, chunk by chunk; the binary message's bytes go to `emit` as they are decoded. */
interface Dearmorer {
  push(chunk: Uint8Array): void
  /** The input is complete: a missing END line or a wrong checksum throws. */
  end(): void
}

/**
 * The streaming form of dearmorMessage: armored bytes in, the binary message out, line by line,
 * so a 185 MB armored attachment never becomes one string. Text before the BEGIN line is skipped
 * (MIME bodies may carry it); a damaged line, a missing END line or a wrong checksum is an error.
 */
function dearmorer(emitBytes: (bytes: Uint8Array) => void): Dearmorer {
  let state: 'before' | 'headers' | 'body' | 'done' = 'before'
  let partial = ''
  let base64 = ''
  let crc = crcStart
  let checksum: string | null = null
  /** A line ended in "=" padding: only the checksum or the END line may follow. */
  let isPadded = false
  const emit = (isFinal: boolean) => {
    const usable = isFinal ? base64.length : base64.length - (base64.length % 4)
    if (usable === 0) return
    const bytes = Buffer.from(base64.slice(0, usable), 'base64')
    base64 = base64.slice(usable)
    crc = crc24Update(crc, bytes)
    emitBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))
  }
  const line = (raw: string) => {
    const text = raw.trim()
    if (state === 'before') {
      if (text === '-----BEGIN PGP MESSAGE-----') state = 'headers'
      return
    }
    if (state === 'headers') {
      if (text === '') state = 'body'
      else if (!/^[A-Za-z-]+: /.test(text)) throw new Error('Misformed armored text: bad armor header line')
      return
    }
    if (state !== 'body') return
    if (text.startsWith('-----END PGP MESSAGE-----')) {
      emit(true)
      state = 'done'
      return
    }
    if (/^=[A-Za-z0-9+/]{4}$/.test(text)) {
      checksum = text.slice(1)
      return
    }
    // "=" only as the padding at the end of the last line: one in the middle would decode differently
    // depending on where the input was cut into chunks.
    if (checksum !== null || isPadded || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
      throw new Error('Misformed armored text: bad base64 line')
    isPadded = text.endsWith('=')
    base64 += text
    if (base64.length >= 48 * 1024) emit(false)
  }
  return {
    push(chunk) {
      let view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      if (state === 'body' && partial !== '' && checksum === null) {
        // the line the chunk before began, completed
        const lineEnd = view.indexOf(0x0a)
        if (lineEnd >= 0) {
          const text = partial + view.toString('latin1', 0, lineEnd)
          partial = ''
          line(text)
          view = view.subarray(lineEnd + 1)
        }
      }
      if (state === 'body' && partial === '' && checksum === null) {
        // Whole body lines go to the native decoder as they are (base64-lines.ts); the checksum
        // and END lines hold "=" and "-" and take the line-by-line path below.
        emit(false)
        const wholeLines = view.lastIndexOf(0x0a) + 1
        const fast = base64 === '' && wholeLines > 0 ? decodeBase64Lines(view.subarray(0, wholeLines)) : null
        if (fast) {
          crc = crc24Update(crc, fast)
          emitBytes(new Uint8Array(fast.buffer, fast.byteOffset, fast.length))
          view = view.subarray(wholeLines)
        }
      }
      // 64 KiB strings: they stay in V8's young generation (1 MiB ones pile up until a full GC).
      for (let at = 0; at < view.length; at += 64 * 1024) {
        const lines = (partial + view.toString('latin1', at, Math.min(view.length, at + 64 * 1024))).split('\n')
        partial = lines.pop()!
        if (partial.length > 64 * 1024 && state === 'body') throw new Error('Misformed armored text: line too long')
        for (const text of lines) line(text)
      }
    },
    end() {
      if (partial !== '') line(partial)
      if (state !== 'done') throw new Error('Misformed armored text: no END PGP MESSAGE line (the message is cut off)')
      if (checksum !== null) {
        const expected = Buffer.from([(crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]).toString('base64')
        if (expected !== checksum)
          throw new Error('Misformed armored text: checksum mismatch (the message was damaged)')
      }
    },
  }
}

/** dearmorer as a Web Stream transform. */
export function dearmorStream(): TransformStream<Uint8Array, Uint8Array> {
  let target: TransformStreamDefaultController<Uint8Array> | null = null
  const inner = dearmorer((bytes) => target!.enqueue(bytes))
  return new TransformStream({
    transform(chunk, controller) {
      target = controller
      inner.push(chunk)
    },
    flush(controller) {
      target = controller
      inner.end()
    },
  })
}

/**
 * dearmorer over a synchronous chunk sequence: the binary message's bytes, decoded as the armored chunks are read
 * (the caller's thread decodes while a worker decrypts). Its own errors are thrown as `onError` maps them; errors
 * of `input` pass through as they are.
 */
export function* dearmorChunks(
  input: Iterable<Uint8Array>,
  onError: (error: unknown) => unknown = (error) => error,
): Generator<Uint8Array> {
  const out: Uint8Array[] = []
  const inner = dearmorer((bytes) => out.push(bytes))
  const step = (work: () => void) => {
    try {
      work()
    } catch (error) {
      throw onError(error)
    }
  }
  for (const chunk of input) {
    step(() => inner.push(chunk))
    yield* out.splice(0)
  }
  step(() => inner.end())
  yield* out.splice(0)
}
