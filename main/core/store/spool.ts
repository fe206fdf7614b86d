import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { sourceIndexOf, type ByteSource } from '../mime/byte-source.ts'
import { releaseBytes } from '../streaming/release.ts'

/**
 * A temporary file for plaintext that is too large for memory (a decrypted 100 MB attachment),
 * encrypted under an ephemeral AES-256-GCM key that exists only in this process's memory: what
 * lands on disk is useless after the process ends, even if `dispose` never runs (crash, kill -9).
 * Records of `recordBytes` plaintext are sealed one by one; the nonce is the record number and
 * the additional data says whether it is the last, so records cannot be reordered or cut off.
 * The folder is private (0700), the file 0600.
 */
export interface SpoolWriter {
  write(chunk: Uint8Array): void
  /** Seals the last record; the spool can then be read, never written again. */
  finish(): Spool
  /** Deletes the file and its folder; safe to call more than once, also after finish. */
  dispose(): void
}

export interface Spool extends ByteSource {
  dispose(): void
}

export const spoolRecordBytes = 1024 * 1024
/** Line starts with "--" kept per spool (8 bytes each); a spool with more searches its bytes instead. */
export const spoolLineIndexMax = 1 << 20
const dashLine = Buffer.from('\n--')
const tagBytes = 16

function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12)
  iv.writeUIntBE(index, 6, 6)
  return iv
}

const aad = (isLast: boolean) => Buffer.from(isLast ? 'siegelpost-spool:last' : 'siegelpost-spool:more')

export function createSpool(parentDir: string, recordBytes = spoolRecordBytes): SpoolWriter {
  const dir = mkdtempSync(join(parentDir, 'siegelpost-spool-'))
  const path = join(dir, 'data')
  const fd = openSync(path, 'wx+', 0o600)
  const key = randomBytes(32)
  let isOpen = true
  let isDisposed = false
  // One record's plaintext is gathered here and sealed when full: no copy per chunk, no concatenation.
  const record = Buffer.allocUnsafe(recordBytes)
  let pendingBytes = 0
  let records = 0
  let length = 0
  // Where a line starts with "--" (a MIME delimiter may stand only there), found as the plaintext passes: the MIME
  // parser then finds a 100 MB part's delimiters without reading it back. Null once there are too many.
  let dashLines: number[] | null = []
  let tail = Buffer.alloc(0)
  const indexLines = (view: Buffer, at: number) => {
    if (!dashLines) return
    // a "\n--" across the border to the chunk before
    const border = Buffer.concat([tail, view.subarray(0, 2)])
    for (let i = border.indexOf(dashLine); i >= 0 && i < tail.length; i = border.indexOf(dashLine, i + 1))
      dashLines.push(at - tail.length + i + 1)
    for (let i = view.indexOf(dashLine); i >= 0; i = view.indexOf(dashLine, i + 1)) dashLines.push(at + i + 1)
    if (dashLines.length > spoolLineIndexMax) dashLines = null
    tail = Buffer.from(Buffer.concat([tail, view.subarray(Math.max(0, view.length - 2))]).subarray(-2))
  }

  const seal = (plain: Buffer, isLast: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce(records))
    cipher.setAAD(aad(isLast))
    const at = records * (recordBytes + tagBytes)
    const encrypted = cipher.update(plain)
    cipher.final() // GCM: no further bytes
    writeSync(fd, encrypted, 0, encrypted.length, at)
    writeSync(fd, cipher.getAuthTag(), 0, tagBytes, at + encrypted.length)
    releaseBytes(encrypted)
    records++
  }
  const dispose = () => {
    if (isDisposed) return
    isDisposed = true
    record.fill(0)
    if (isOpen) closeSync(fd)
    isOpen = false
    key.fill(0)
    rmSync(dir, { recursive: true, force: true })
  }

  return {
    write(chunk) {
      if (isDisposed) throw new Error('spool already disposed')
      let view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      indexLines(view, length)
      length += chunk.length
      while (view.length > 0) {
        const take = Math.min(view.length, recordBytes - pendingBytes)
        view.copy(record, pendingBytes, 0, take)
        pendingBytes += take
        view = view.subarray(take)
        if (pendingBytes === recordBytes) {
          seal(record, false)
          pendingBytes = 0
        }
      }
    },
    finish() {
      // Always a last record (possibly empty), so a cut-off file is detected.
      seal(record.subarray(0, pendingBytes), true)
      record.fill(0)
      const total = length
      const lastIndex = records - 1
      // The last two records stay open: reads that straddle a record border decrypt each record once.
      let cached: { index: number; plain: Buffer }[] = []
      // sealed records are read into this one buffer (reads are synchronous)
      const sealedRecord = Buffer.allocUnsafe(recordBytes + tagBytes)
      const open = (index: number): Buffer => {
        const hit = cached.find((entry) => entry.index === index)
        if (hit) return hit.plain
        const isLast = index === lastIndex
        const size = (isLast ? total - index * recordBytes : recordBytes) + tagBytes
        const sealed = sealedRecord.subarray(0, size)
        if (readSync(fd, sealed, 0, size, index * (recordBytes + tagBytes)) !== size)
          throw new Error('spool file was cut short')
        const decipher = createDecipheriv('aes-256-gcm', key, nonce(index))
        decipher.setAAD(aad(isLast))
        decipher.setAuthTag(sealed.subarray(size - tagBytes))
        const plain = decipher.update(sealed.subarray(0, size - tagBytes))
        decipher.final() // checks the tag; GCM gives no further bytes
        // read and readInto copy out of the records: one that leaves the cache is referred to nowhere else.
        const evicted = cached[1]
        cached = [{ index, plain }, ...cached.slice(0, 1)]
        if (evicted) releaseBytes(evicted.plain)
        return plain
      }
      const lines = dashLines
      const spool: Spool = {
        length: total,
        read(start, end) {
          const stop = Math.min(end, total)
          if (stop <= start) return new Uint8Array(0)
          const first = Math.floor(start / recordBytes)
          const last = Math.floor((stop - 1) / recordBytes)
          if (first === last) {
            const plain = open(first)
            return new Uint8Array(plain.subarray(start - first * recordBytes, stop - first * recordBytes))
          }
          const out = Buffer.allocUnsafe(stop - start)
          for (let index = first; index <= last; index++) {
            const plain = open(index)
            const from = Math.max(start, index * recordBytes)
            const to = Math.min(stop, (index + 1) * recordBytes)
            plain.copy(out, from - start, from - index * recordBytes, to - index * recordBytes)
          }
          return new Uint8Array(out.buffer, out.byteOffset, out.length)
        },
        // Opened records copied into the caller's buffer: a reader that refills one buffer (sourceChunksReused)
        // then leaves no fresh copy per chunk behind.
        readInto(target, start) {
          const stop = Math.min(total, start + target.length)
          for (let at = start; at < stop;) {
            const index = Math.floor(at / recordBytes)
            const plain = open(index)
            const from = at - index * recordBytes
            const take = Math.min(stop - at, plain.length - from)
            target.set(plain.subarray(from, from + take), at - start)
            at += take
          }
          return Math.max(0, stop - start)
        },
        dispose,
      }
      if (!lines) return spool
      const isAt = (needle: Uint8Array, at: number) => Buffer.from(spool.read(at, at + needle.length)).equals(needle)
      spool.lineIndexOf = (needle, from, to) => {
        const isDashed = needle.length >= 2 && needle[0] === 0x2d && needle[1] === 0x2d
        if (!isDashed) return scanLineStarts(spool, needle, from, to)
        const stop = Math.min(to, total) - needle.length
        if (from > stop) return -1
        if (isAt(needle, from)) return from
        // the first indexed line start after `from` (binary search), then each in turn
        let low = 0
        for (let high = lines.length; low < high;) {
          const middle = (low + high) >>> 1
          if (lines[middle]! <= from) low = middle + 1
          else high = middle
        }
        for (let k = low; k < lines.length && lines[k]! <= stop; k++) if (isAt(needle, lines[k]!)) return lines[k]!
        return -1
      }
      return spool
    },
    dispose,
  }
}

/** lineIndexOf by reading: for needles the index does not cover. */
function scanLineStarts(source: ByteSource, needle: Uint8Array, from: number, to: number): number {
  for (let at = sourceIndexOf(source, needle, from, to); at >= 0; at = sourceIndexOf(source, needle, at + 1, to))
    if (at === from || source.read(at - 1, at)[0] === 0x0a) return at
  return -1
}
