import { createHash, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import { pkcs12Kdf, readPkcs12, writePkcs12 } from './pkcs12.ts'

const password = new TextEncoder().encode('Geheim-Kanzlei 2026')
const pkcs8 = new Uint8Array(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }),
)
// readPkcs12/writePkcs12 carry certificates as opaque DER; any bytes do for the container layer.
const chain = [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02])]

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    return error instanceof SiegelpostError ? error.code : `foreign ${String(error)}`
  }
  return 'no error'
}

describe('PKCS#12', () => {
  it('derives keys as RFC 7292 Appendix B (known answer from OpenSSL PKCS12_key_gen_uni)', () => {
    // OpenSSL: PKCS12_key_gen_utf8("smeg", salt 0A58CF64530D823F, id 1, iter 1, 24, SHA1) (test vector from its test suite)
    const bmp = Buffer.from('0073006d006500670000', 'hex')
    const key = pkcs12Kdf('sha1', bmp, Buffer.from('0A58CF64530D823F', 'hex'), 1, 1, 24)
    expect(key.toString('hex').toUpperCase()).toBe('8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3')
  })

  it.each([false, true])('round-trips key and chain (compat=%s)', (compat) => {
    const p12 = writePkcs12({ pkcs8, chain, friendlyName: 'Anna Beraterin', password, compat })
    const read = readPkcs12(p12, password)
    expect(read.keys).toHaveLength(1)
    expect(Buffer.from(read.keys[0]!.pkcs8).equals(Buffer.from(pkcs8))).toBe(true)
    expect(read.certificates.map((c) => Buffer.from(c.der).toString('hex'))).toEqual(
      chain.map((c) => Buffer.from(c).toString('hex')),
    )
    expect(read.keys[0]!.localKeyId).toBe(createHash('sha1').update(chain[0]!).digest('hex'))
    expect(read.certificates[0]!.localKeyId).toBe(read.keys[0]!.localKeyId)
  })

  it('refuses a wrong password as KEY_PASSPHRASE_WRONG', () => {
    const p12 = writePkcs12({ pkcs8, chain, friendlyName: 'x', password, compat: false })
    expect(codeOf(() => readPkcs12(p12, new TextEncoder().encode('falsch')))).toBe('KEY_PASSPHRASE_WRONG')
  })

  it('reports garbage and truncated files as malformed, never as a crash', () => {
    const p12 = writePkcs12({ pkcs8, chain, friendlyName: 'x', password, compat: false })
    expect(codeOf(() => readPkcs12(new Uint8Array([1, 2, 3, 4]), password))).toBe('SMIME_MALFORMED')
    expect(codeOf(() => readPkcs12(p12.subarray(0, p12.length - 40), password))).toBe('SMIME_MALFORMED')
  })
})
