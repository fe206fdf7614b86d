import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto'

/**
 * AES-256-GCM for small stores (Outbox rows, account and policy files): `v1 | nonce(12) | ct | tag(16)`.
 * `context` is bound as additional data, so a blob cannot be moved to another row, column or store.
 * Keys come from `vault.deriveKey(purpose)`; nothing here ever picks a key itself. A store that seals many
 * rows passes the key as a `createSecretKey` KeyObject once (Node otherwise builds one per call).
 */
const version = 1

export function sealBlob(
  key: Buffer | KeyObject,
  plaintext: Uint8Array,
  context: string,
  random: (n: number) => Buffer = randomBytes,
): Buffer {
  if ((Buffer.isBuffer(key) ? key.length : key.symmetricKeySize) !== 32) throw new Error('sealBlob needs a 256-bit key')
  const nonce = random(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(Buffer.from(context, 'utf8'))
  // Written into one buffer slice by slice: a 180 MB Outbox copy costs its size once, not three times.
  const out = Buffer.allocUnsafe(1 + 12 + plaintext.length + 16)
  out[0] = version
  nonce.copy(out, 1)
  let at = 13
  for (let from = 0; from < plaintext.length; from += sliceBytes) {
    at += cipher.update(plaintext.subarray(from, from + sliceBytes)).copy(out, at)
  }
  at += cipher.final().copy(out, at)
  cipher.getAuthTag().copy(out, at)
  return out
}

const sliceBytes = 1024 * 1024

/** The plaintext, or null when the blob is damaged, was sealed under another key or belongs elsewhere. */
export function openBlob(key: Buffer | KeyObject, blob: Uint8Array, context: string): Buffer | null {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
  if (bytes.length < 1 + 12 + 16 || bytes[0] !== version) return null
  const plain = Buffer.allocUnsafe(bytes.length - 1 - 12 - 16)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13))
    decipher.setAAD(Buffer.from(context, 'utf8'))
    decipher.setAuthTag(bytes.subarray(bytes.length - 16))
    let at = 0
    for (let from = 13; from < bytes.length - 16; from += sliceBytes) {
      at += decipher.update(bytes.subarray(from, Math.min(from + sliceBytes, bytes.length - 16))).copy(plain, at)
    }
    decipher.final()
    return plain
  } catch {
    // nothing of an unauthenticated plaintext stays behind
    plain.fill(0)
    return null
  }
}

export const sealJson = (key: Buffer | KeyObject, value: unknown, context: string): Buffer =>
  sealBlob(key, Buffer.from(JSON.stringify(value), 'utf8'), context)

export function openJson(key: Buffer | KeyObject, blob: Uint8Array, context: string): unknown {
  const plain = openBlob(key, blob, context)
  return plain === null ? null : (JSON.parse(plain.toString('utf8')) as unknown)
}
