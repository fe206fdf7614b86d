import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/**
 * Random access to bytes that need not all be in memory: a message file on disk, or the
 * encrypted spool of a decrypted entity. Reads are synchronous and small (the MIME parser asks
 * for windows around delimiters); large bodies are read in chunks through `chunks`.
 */
export interface ByteSource {
  readonly length: number
  /** Bytes [start, end) in a buffer the caller owns (never a view of shared memory); end is clamped to length. */
  read(start: number, end: number): Uint8Array
  /**
   * Optional, for a source that indexed its line starts while it was written (the spool): the first index of
   * `needle` in [from, to) that is at `from` itself or right after an LF — where a MIME delimiter may stand
   * (RFC 2046 §5.1.1) — or -1, found without reading the bytes in between. The same answer as a scan.
   */
  lineIndexOf?(needle: Uint8Array, from: number, to: number): number
  /** Optional: bytes from `start` into `target` (as many as fit, fewer at the end); returns how many. */
  readInto?(target: Uint8Array, start: number): number
}

export function isByteSource(value: unknown): value is ByteSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    typeof (value as ByteSource).read === 'function'
  )
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { length: bytes.length, read: (start, end) => bytes.slice(start, Math.min(end, bytes.length)) }
}

/** A read-only file as a byte source; close it when done. */
export function fileSource(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, 'r')
  const length = fstatSync(fd).size
  const readInto = (target: Uint8Array, start: number) => {
    const wanted = Math.max(0, Math.min(target.length, length - start))
    let done = 0
    while (done < wanted) {
      const n = readSync(fd, target, done, wanted - done, start + done)
      if (n === 0) break
      done += n
    }
    return done
  }
  return {
    length,
    read(start, end) {
      const out = Buffer.allocUnsafe(Math.max(0, Math.min(end, length) - start))
      return new Uint8Array(out.buffer, out.byteOffset, readInto(out, start))
    },
    readInto,
    close: () => closeSync(fd),
  }
}

export const sourceChunkBytes = 1024 * 1024

/** The range [start, end) of a source in chunks of at most 1 MiB. */
export function* sourceChunks(source: ByteSource, start = 0, end = source.length): Generator<Uint8Array> {
  for (let at = start; at < end; at += sourceChunkBytes) yield source.read(at, Math.min(end, at + sourceChunkBytes))
}

/**
 * sourceChunks read into one buffer, refilled for each chunk: a chunk is valid only until the next one is asked
 * for — for a consumer that is done with each chunk before it asks for the next (an encoder that copies what it
 * keeps), which then does not leave a fresh megabyte behind per chunk for the collector.
 */
export function* sourceChunksReused(source: ByteSource, start = 0, end = source.length): Generator<Uint8Array> {
  if (!source.readInto) return yield* sourceChunks(source, start, end)
  const buffer = new Uint8Array(Math.min(sourceChunkBytes, Math.max(0, end - start)))
  for (let at = start; at < end;) {
    const target = buffer.subarray(0, Math.min(buffer.length, end - at))
    const read = source.readInto(target, at)
    if (read === 0) return
    yield target.subarray(0, read)
    at += read
  }
}

/** The range as a Web Stream (for openpgp.js), read lazily as the consumer pulls. */
export function sourceStream(
  source: ByteSource,
  start = 0,
  end = source.length,
  onRead?: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  let at = start
  return new ReadableStream({
    pull(controller) {
      if (at >= end) return controller.close()
      const chunk = source.read(at, Math.min(end, at + sourceChunkBytes))
      at += chunk.length
      onRead?.(at - start)
      controller.enqueue(chunk)
    },
  })
}

/** First index of `needle` in [from, to) of the source, searched in overlapping windows; -1 if none. */
export function sourceIndexOf(source: ByteSource, needle: Uint8Array, from: number, to = source.length): number {
  if (needle.length === 0) return from
  const window = Math.max(sourceChunkBytes, needle.length * 2)
  // A file is searched through one scratch buffer: scanning a 190 MB part for the delimiter after it then touches
  // no fresh memory (a new 1 MiB buffer per window cost page faults and GC).
  const scratch = source.readInto ? Buffer.allocUnsafe(Math.min(window, Math.max(0, to - from))) : null
  for (let at = from; at < to; at += window - needle.length + 1) {
    const bytes = scratch
      ? scratch.subarray(0, source.readInto!(scratch.subarray(0, Math.min(to, at + window) - at), at))
      : source.read(at, Math.min(to, at + window))
    const found = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle)
    if (found >= 0 && at + found + needle.length <= to) return at + found
    if (at + window >= to) break
  }
  return -1
}
