import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openBlob, sealBlob } from './sealed-blob.ts'

describe('sealed blobs', () => {
  const key = randomBytes(32)
  const nonce = randomBytes(12)

  /** The format as a one-shot encryption writes it: v1 | nonce | ciphertext | tag. */
  function reference(plaintext: Uint8Array, context: string): Buffer {
    const cipher = createCipheriv('aes-256-gcm', key, nonce)
    cipher.setAAD(Buffer.from(context, 'utf8'))
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return Buffer.concat([Buffer.from([1]), nonce, body, cipher.getAuthTag()])
  }

  it('seals slice by slice into the same bytes as one-shot encryption, and opens them, at the slice borders', () => {
    for (const size of [0, 1, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5]) {
      const plaintext = randomBytes(size)
      const sealed = sealBlob(key, plaintext, 'outbox:1:message', () => nonce)
      expect(sealed.equals(reference(plaintext, 'outbox:1:message')), `size ${size}`).toBe(true)
      expect(openBlob(key, new Uint8Array(sealed), 'outbox:1:message')?.equals(plaintext), `size ${size}`).toBe(true)
    }
  })

  it('a changed byte at the start, middle or end, another context or another key: null', () => {
    const plaintext = randomBytes(2 * 1024 * 1024 + 3)
    const sealed = sealBlob(key, plaintext, 'outbox:1:message')
    for (const at of [13, Math.floor(sealed.length / 2), sealed.length - 1]) {
      const tampered = Buffer.from(sealed)
      tampered[at]! ^= 0x01
      expect(openBlob(key, tampered, 'outbox:1:message'), `byte ${at}`).toBeNull()
    }
    expect(openBlob(key, sealed, 'outbox:2:message')).toBeNull()
    expect(openBlob(randomBytes(32), sealed, 'outbox:1:message')).toBeNull()
  })
})
