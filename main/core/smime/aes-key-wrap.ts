import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto'
import { SiegelpostError } from '../errors/index.ts'

/**
 * AES Key Wrap (RFC 3394) on AES-ECB. OpenSSL's `id-aesNNN-wrap` ciphers are not in Electron's
 * BoringSSL (and WebCrypto AES-KW crashes there: electron#36256), but plain AES is everywhere.
 */
const defaultIv = Buffer.from('A6A6A6A6A6A6A6A6', 'hex')

function aesEcb(kek: Uint8Array, decrypt: boolean) {
  const algorithm = `aes-${kek.length * 8}-ecb`
  const cipher = decrypt ? createDecipheriv(algorithm, kek, null) : createCipheriv(algorithm, kek, null)
  cipher.setAutoPadding(false)
  return (block: Buffer) => cipher.update(block)
}

export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Buffer {
  if (key.length % 8 !== 0 || key.length < 16)
    throw new SiegelpostError('INTERNAL', { reason: 'key wrap input length' })
  const n = key.length / 8
  const encrypt = aesEcb(kek, false)
  let a = Buffer.from(defaultIv)
  const r = Array.from({ length: n }, (_, i) => Buffer.from(key.subarray(i * 8, i * 8 + 8)))
  for (let j = 0; j <= 5; j++) {
    for (let i = 0; i < n; i++) {
      const b = encrypt(Buffer.concat([a, r[i]!]))
      a = b.subarray(0, 8)
      const t = BigInt(n * j + i + 1)
      a = Buffer.from((a.readBigUInt64BE() ^ t).toString(16).padStart(16, '0'), 'hex')
      r[i] = b.subarray(8)
    }
  }
  return Buffer.concat([a, ...r])
}

/** Unwraps; a wrong key-encryption key or damaged input fails the integrity check (one error). */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  if (wrapped.length % 8 !== 0 || wrapped.length < 24) throw new SiegelpostError('SMIME_DECRYPT_FAILED', {})
  const n = wrapped.length / 8 - 1
  const decrypt = aesEcb(kek, true)
  let a = Buffer.from(wrapped.subarray(0, 8))
  const r = Array.from({ length: n }, (_, i) => Buffer.from(wrapped.subarray(8 + i * 8, 16 + i * 8)))
  for (let j = 5; j >= 0; j--) {
    for (let i = n - 1; i >= 0; i--) {
      const t = BigInt(n * j + i + 1)
      const x = Buffer.from((a.readBigUInt64BE() ^ t).toString(16).padStart(16, '0'), 'hex')
      const b = decrypt(Buffer.concat([x, r[i]!]))
      a = b.subarray(0, 8)
      r[i] = b.subarray(8)
    }
  }
  if (!timingSafeEqual(a, defaultIv)) throw new SiegelpostError('SMIME_DECRYPT_FAILED', {})
  return Buffer.concat(r)
}
