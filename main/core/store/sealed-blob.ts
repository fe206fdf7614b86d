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
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([Buffer.from([version]), nonce, body, cipher.getAuthTag()])
}

/** The plaintext, or null when the blob is damaged, was sealed under another key or belongs elsewhere. */
export function openBlob(key: Buffer | KeyObject, blob: Uint8Array, context: string): Buffer | null {
  const bytes = Buffer.from(blob)
  if (bytes.length < 1 + 12 + 16 || bytes[0] !== version) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13))
    decipher.setAAD(Buffer.from(context, 'utf8'))
    decipher.setAuthTag(bytes.subarray(bytes.length - 16))
    return Buffer.concat([decipher.update(bytes.subarray(13, bytes.length - 16)), decipher.final()])
  } catch {
    return null
  }
}

export const sealJson = (key: Buffer | KeyObject, value: unknown, context: string): Buffer =>
  sealBlob(key, Buffer.from(JSON.stringify(value), 'utf8'), context)

export function openJson(key: Buffer | KeyObject, blob: Uint8Array, context: string): unknown {
  const plain = openBlob(key, blob, context)
  return plain === null ? null : (JSON.parse(plain.toString('utf8')) as unknown)
}
