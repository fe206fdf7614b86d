import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs'

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
  /** Optional: readInto in the thread pool (a file), so the calling thread works meanwhile. */
  readIntoAsync?(target: Uint8Array, start: number): Promise<number>
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
  const readOnce = (target: Uint8Array, offset: number, position: number) =>
    new Promise<number>((resolve, reject) =>
      read(fd, target, offset, target.length - offset, position, (error, n) => (error ? reject(error) : resolve(n))),
    )
  const readIntoAsync = async (target: Uint8Array, start: number) => {
    const wanted = target.subarray(0, Math.max(0, Math.min(target.length, length - start)))
    let done = 0
    while (done < wanted.length) {
      const n = await readOnce(wanted, done, start + done)
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
    readIntoAsync,
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

/**
 * sourceChunksReused for a source that reads in the thread pool (a file): the next chunk is read into a second
 * buffer while the consumer works on this one, so the calling thread does not wait for the disk nor copy from the
 * page cache. Each chunk is valid only until the next one is asked for, as with sourceChunksReused.
 */
export async function* sourceChunksAhead(
  source: ByteSource,
  start = 0,
  end = source.length,
): AsyncGenerator<Uint8Array> {
  if (!source.readIntoAsync) return yield* sourceChunksReused(source, start, end)
  const size = Math.min(sourceChunkBytes, Math.max(0, end - start))
  const buffers = [new Uint8Array(size), new Uint8Array(size)] as const
  const readAt = (index: 0 | 1, at: number) => {
    const target = buffers[index].subarray(0, Math.min(size, end - at))
    const chunk = source.readIntoAsync!(target, at).then((n) => target.subarray(0, n))
    // Awaited below; a read still running when the consumer stops early must not count as unhandled.
    chunk.catch(() => undefined)
    return chunk
  }
  let index: 0 | 1 = 0
  let pending = start < end ? readAt(index, start) : null
  try {
    for (let at = start; pending;) {
      const chunk = await pending
      if (chunk.length === 0) return
      at += chunk.length
      index = index === 0 ? 1 : 0
      pending = at < end ? readAt(index, at) : null
      yield chunk
    }
  } finally {
    await pending?.catch(() => undefined)
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
