import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { aesKeyUnwrap, aesKeyWrap } from './aes-key-wrap.ts'

describe('AES key wrap (RFC 3394)', () => {
  it.each([
    // RFC 3394 §4.1 and §4.6
    [
      '000102030405060708090A0B0C0D0E0F',
      '00112233445566778899AABBCCDDEEFF',
      '1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5',
    ],
    [
      '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F',
      '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F',
      '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21',
    ],
  ])('matches the RFC test vector for KEK %s', (kek, key, wrapped) => {
    expect(aesKeyWrap(Buffer.from(kek, 'hex'), Buffer.from(key, 'hex')).toString('hex').toUpperCase()).toBe(wrapped)
    expect(aesKeyUnwrap(Buffer.from(kek, 'hex'), Buffer.from(wrapped, 'hex')).toString('hex').toUpperCase()).toBe(key)
  })

  it('agrees with OpenSSL id-aes256-wrap and refuses a wrong key', () => {
    const kek = randomBytes(32)
    const key = randomBytes(32)
    const openssl = createCipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex')).update(key)
    expect(aesKeyWrap(kek, key).equals(openssl)).toBe(true)
    expect(() => aesKeyUnwrap(randomBytes(32), openssl)).toThrow()
  })
})
