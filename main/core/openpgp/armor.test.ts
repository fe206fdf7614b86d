import { armor, enums, unarmor } from 'openpgp'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { armorMessage, dearmorMessage } from './armor.ts'

describe('message armor', () => {
  it('writes what openpgp.js reads (checksum included), and reads what openpgp.js writes', async () => {
    for (const size of [0, 1, 2, 3, 47, 48, 49, 5000]) {
      const bytes = new Uint8Array(randomBytes(size))
      const ours = Buffer.from(armorMessage(bytes)).toString('latin1')
      expect(/(?<!\r)\n/.test(ours)).toBe(false)
      expect(ours).toMatch(/\r\n=[A-Za-z0-9+/]{4}\r\n-----END PGP MESSAGE-----\r\n$/)
      expect(Buffer.compare(Buffer.from((await unarmor(ours)).data as Uint8Array), Buffer.from(bytes))).toBe(0)
      const theirs = armor(enums.armor.message, bytes, undefined, undefined, 'a comment', true)
      expect(Buffer.compare(Buffer.from(dearmorMessage(new TextEncoder().encode(theirs))!), Buffer.from(bytes))).toBe(0)
    }
  })

  it('refuses a wrong checksum and anything that is not a plain armored message', () => {
    const good = Buffer.from(armorMessage(new Uint8Array(randomBytes(100)))).toString('latin1')
    const wrongChecksum = good.replace(/\r\n=([A-Za-z0-9+/]{4})\r\n/, (_m, c: string) => `\r\n=${c === 'AAAA' ? 'BBBB' : 'AAAA'}\r\n`)
    expect(dearmorMessage(new TextEncoder().encode(wrongChecksum))).toBeNull()
    expect(dearmorMessage(new TextEncoder().encode(good.replace('-----END PGP MESSAGE-----', '')))).toBeNull()
    expect(dearmorMessage(new TextEncoder().encode(good.replace('\r\n\r\n', '\r\nnot a header\r\n')))).toBeNull()
  })
})
