import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writevSync } from 'node:fs'
import { dirname } from 'node:path'
import { releaseBytes } from '../streaming/release.ts'

/**
 * A large stored value (a 100 MB message) as a file of sealed records, like the spool (spool.ts), but
 * under a key derived from the store's key, so it can be read again after a restart. Record i is
 * AES-256-GCM with nonce i and additional data `context | i | last?`, so records cannot be moved
 * between files, reordered or cut off. The file key is HMAC(storeKey, context): one key per file.
 * Written to a temp file, synced and renamed: a crash leaves the old file or none, never a torn one.
 * On disk each record is: 4-byte plaintext length, ciphertext, 16-byte tag.
 */
const tagBytes = 16

const fileKey = (key: Buffer, context: string) => createHmac('sha256', key).update(`sealed-file:${context}`).digest()

function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12)
  iv.writeUIntBE(index, 6, 6)
  return iv
}

const aad = (context: string, index: number, isLast: boolean) =>
  Buffer.from(`${context}|${index}|${isLast ? 'last' : 'more'}`)

/** Writes the parts one after another at the file's position (writev may take fewer bytes than given). */
function writeAll(fd: number, parts: Buffer[]): void {
  const rest = parts.filter((part) => part.length > 0)
  while (rest.length > 0) {
    let written = writevSync(fd, rest)
    while (rest.length > 0 && written >= rest[0]!.length) written -= rest.shift()!.length
    if (rest.length > 0) rest[0] = rest[0]!.subarray(written)
  }
}

/** A sealed file written piece by piece: at most one record of plaintext is held. */
export interface SealedFileWriter {
  write(chunk: Uint8Array): void
  /** Seals the last record, syncs and closes the temp file; returns the plaintext length. */
  end(): number
  /** Renames the ended temp file to its place and syncs the folder: from here on the file exists. */
  publish(): void
  /** Removes the temp file (safe after end, and more than once). */
  abort(): void
}

export function createSealedFileWriter(
  path: string,
  key: Buffer,
  context: string,
  recordBytes: number,
  tempPath = `${path}.tmp`,
): SealedFileWriter {
  const k = fileKey(key, context)
  const fd = openSync(tempPath, 'w', 0o600)
  let isOpen = true
  const record = Buffer.allocUnsafe(recordBytes)
  let pending = 0
  let index = 0
  let length = 0
  const seal = (isLast: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', k, nonce(index))
    cipher.setAAD(aad(context, index, isLast))
    const head = Buffer.alloc(4)
    head.writeUInt32BE(pending)
    // Written as they come out of the cipher, not joined first, and the ciphertext freed at once: nothing of a
    // record is left for V8 to collect.
    const sealed = cipher.update(record.subarray(0, pending))
    const final = cipher.final()
    writeAll(fd, [head, sealed, final, cipher.getAuthTag()])
    releaseBytes(sealed)
    index++
    pending = 0
  }
  const close = () => {
    if (!isOpen) return
    isOpen = false
    record.fill(0)
    closeSync(fd)
  }
  return {
    write(chunk) {
      if (!isOpen) throw new Error('sealed file already ended')
      let view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      length += view.length
      while (view.length > 0) {
        // A full record is sealed only when more bytes follow: the last one is sealed by end().
        if (pending === recordBytes) seal(false)
        const take = Math.min(view.length, recordBytes - pending)
        view.copy(record, pending, 0, take)
        pending += take
        view = view.subarray(take)
      }
    },
    end() {
      seal(true) // always a last record (possibly empty), so a cut-off file is detected
      fsyncSync(fd)
      close()
      return length
    },
    publish() {
      renameSync(tempPath, path)
      const dir = openSync(dirname(path), 'r')
      try {
        fsyncSync(dir)
      } finally {
        closeSync(dir)
      }
    },
    abort() {
      try {
        close()
      } finally {
        rmSync(tempPath, { force: true })
      }
    },
  }
}

export function writeSealedFile(
  path: string,
  key: Buffer,
  context: string,
  plain: Uint8Array,
  recordBytes: number,
): void {
  const writer = createSealedFileWriter(path, key, context, recordBytes)
  try {
    writer.write(plain)
    writer.end()
  } catch (error) {
    writer.abort()
    throw error
  }
  writer.publish()
}

/** One record opened: its plaintext, or null when its tag does not check. */
function openRecord(k: Buffer, context: string, index: number, isLast: boolean, sealed: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', k, nonce(index))
    decipher.setAAD(aad(context, index, isLast))
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes))
    const plain = decipher.update(sealed.subarray(0, sealed.length - tagBytes))
    decipher.final()
    return plain
  } catch {
    return null
  }
}

/**
 * The plaintext, or null when the file is missing, damaged, cut short or belongs elsewhere. Held once: each
 * record is read and opened straight into the result (one record of ciphertext at a time besides it).
 */
export function readSealedFile(path: string, key: Buffer, context: string): Buffer | null {
  const layout = layoutOf(path, key, context)
  if (layout === null) return null
  const k = fileKey(key, context)
  const out = Buffer.allocUnsafe(layout.lengths.reduce((sum, n) => sum + n, 0))
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  try {
    let offset = 0
    let at = 0
    const sealed = Buffer.allocUnsafe(Math.max(...layout.lengths) + tagBytes)
    for (let index = 0; index < layout.lengths.length; index++) {
      const record = sealed.subarray(0, layout.lengths[index]! + tagBytes)
      if (readSync(fd, record, 0, record.length, offset + 4) !== record.length) return null
      const plain = openRecord(k, context, index, index === layout.lengths.length - 1, record)
      if (plain === null) return null
      plain.copy(out, at)
      plain.fill(0)
      at += plain.length
      offset += 4 + record.length
    }
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
  return out
}

/** Every record's plaintext length, read from the file's layout up to its exact end, the last record checked. */
function layoutOf(path: string, key: Buffer, context: string): { lengths: number[] } | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  const lengths: number[] = []
  try {
    const size = fstatSync(fd).size
    const head = Buffer.alloc(4)
    let offset = 0
    while (offset < size) {
      if (offset + 4 + tagBytes > size || readSync(fd, head, 0, 4, offset) !== 4) return null
      const length = head.readUInt32BE(0)
      if (offset + 4 + length + tagBytes > size) return null
      lengths.push(length)
      offset += 4 + length + tagBytes
    }
    if (lengths.length === 0) return null
    const last = Buffer.alloc(lengths.at(-1)! + tagBytes)
    readSync(fd, last, 0, last.length, size - last.length)
    if (openRecord(fileKey(key, context), context, lengths.length - 1, true, last) === null) return null
  } finally {
    closeSync(fd)
  }
  return { lengths }
}

/**
 * A sealed file read record by record. `open` checks the file's layout (every record's length up to the
 * exact end) and the last record's tag, so a file cut at a record border is refused before the first byte;
 * `records()` then opens one record at a time and throws on a record whose tag does not check.
 */
export interface SealedFileReader {
  /** The plaintext length. */
  length: number
  /** Each record a new buffer of its own, referred to nowhere else: the reader may free it (releaseBytes) when done. */
  records(): AsyncGenerator<Buffer>
  recordsAreOwned: true
}

export function openSealedFile(path: string, key: Buffer, context: string): SealedFileReader | null {
  const layout = layoutOf(path, key, context)
  if (layout === null) return null
  const { lengths } = layout
  const k = fileKey(key, context)
  return {
    length: lengths.reduce((sum, n) => sum + n, 0),
    recordsAreOwned: true,
    async *records() {
      // The file is opened for each record, not held open between them: a reader left unfinished
      // (the server refused the message before DATA) keeps no descriptor. One buffer takes every record's
      // ciphertext (each plaintext is a new buffer of the decipher's): a 100 MB message makes half the garbage.
      const buffer = Buffer.allocUnsafe(Math.max(...lengths) + tagBytes)
      let offset = 0
      for (let index = 0; index < lengths.length; index++) {
        const sealed = buffer.subarray(0, lengths[index]! + tagBytes)
        const fd = openSync(path, 'r')
        try {
          if (readSync(fd, sealed, 0, sealed.length, offset + 4) !== sealed.length)
            throw new Error('sealed file was cut short')
        } finally {
          closeSync(fd)
        }
        const plain = openRecord(k, context, index, index === lengths.length - 1, sealed)
        if (plain === null) throw new Error('sealed file record does not check')
        offset += 4 + sealed.length
        yield plain
      }
    },
  }
}
