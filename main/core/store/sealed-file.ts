import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'

/**
 * A large stored value (a 100 MB message) as a file of sealed records, like the spool (spool.ts), but
 * under a key derived from the store's key, so it can be read again after a restart. Record i is
 * AES-256-GCM with nonce i and additional data `context | i | last?`, so records cannot be moved
 * between files, reordered or cut off. The file key is HMAC(storeKey, context): one key per file.
 * Written to `path.tmp`, synced and renamed: a crash leaves the old file or none, never a torn one.
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

export function writeSealedFile(
  path: string,
  key: Buffer,
  context: string,
  plain: Uint8Array,
  recordBytes: number,
): void {
  const k = fileKey(key, context)
  const temp = `${path}.tmp`
  const fd = openSync(temp, 'w', 0o600)
  try {
    const records = Math.max(1, Math.ceil(plain.byteLength / recordBytes))
    for (let index = 0; index < records; index++) {
      const isLast = index === records - 1
      const cipher = createCipheriv('aes-256-gcm', k, nonce(index))
      cipher.setAAD(aad(context, index, isLast))
      const chunk = plain.subarray(index * recordBytes, Math.min(plain.byteLength, (index + 1) * recordBytes))
      const head = Buffer.alloc(4)
      head.writeUInt32BE(chunk.byteLength)
      const sealed = Buffer.concat([head, cipher.update(chunk), cipher.final(), cipher.getAuthTag()])
      writeSync(fd, sealed)
    }
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(temp, { force: true })
    throw error
  }
  closeSync(fd)
  renameSync(temp, path)
}

/** The plaintext, or null when the file is missing, damaged, cut short or belongs elsewhere. */
export function readSealedFile(path: string, key: Buffer, context: string): Buffer | null {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch {
    return null
  }
  const k = fileKey(key, context)
  const out: Buffer[] = []
  let offset = 0
  for (let index = 0; offset < bytes.length; index++) {
    if (offset + 4 + tagBytes > bytes.length) return null
    const length = bytes.readUInt32BE(offset)
    const end = offset + 4 + length + tagBytes
    if (end > bytes.length) return null
    const isLast = end === bytes.length
    try {
      const decipher = createDecipheriv('aes-256-gcm', k, nonce(index))
      decipher.setAAD(aad(context, index, isLast))
      decipher.setAuthTag(bytes.subarray(end - tagBytes, end))
      out.push(decipher.update(bytes.subarray(offset + 4, end - tagBytes)), decipher.final())
    } catch {
      return null
    }
    offset = end
  }
  return Buffer.concat(out)
}
