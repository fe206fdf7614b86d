import { armor, enums, unarmor } from 'openpgp'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { armorMessage, armorStream, crc24, crc24Update, dearmorChunks, dearmorMessage, dearmorStream } from './armor.ts'

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
    const wrongChecksum = good.replace(
      /\r\n=([A-Za-z0-9+/]{4})\r\n/,
      (_m, c: string) => `\r\n=${c === 'AAAA' ? 'BBBB' : 'AAAA'}\r\n`,
    )
    expect(dearmorMessage(new TextEncoder().encode(wrongChecksum))).toBeNull()
    expect(dearmorMessage(new TextEncoder().encode(good.replace('-----END PGP MESSAGE-----', '')))).toBeNull()
    expect(dearmorMessage(new TextEncoder().encode(good.replace('\r\n\r\n', '\r\nnot a header\r\n')))).toBeNull()
  })
})

describe('CRC-24', () => {
  /** RFC 9580 §6.1.1, bit by bit. */
  const reference = (bytes: Uint8Array) => {
    let crc = 0xb704ce
    for (const byte of bytes) {
      crc ^= byte << 16
      for (let bit = 0; bit < 8; bit++) {
        crc <<= 1
        if (crc & 0x1000000) crc ^= 0x1864cfb
      }
    }
    return crc & 0xffffff
  }

  it('is the RFC 9580 checksum at every length and alignment, and over any split of the input', () => {
    const bytes = new Uint8Array(randomBytes(4096))
    for (const offset of [0, 1, 2, 3, 4, 5, 7])
      for (const length of [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 1000, 4089 - offset]) {
        const view = bytes.subarray(offset, offset + length)
        expect(crc24(view)).toBe(reference(view))
        const split = Math.floor(length / 3)
        expect(crc24Update(crc24(view.subarray(0, split)), view.subarray(split))).toBe(reference(view))
      }
    expect(crc24(new TextEncoder().encode('123456789'))).toBe(0x21cf02)
  })
})

describe('streaming dearmor', () => {
  const through = async (text: string, pieceBytes: number): Promise<Uint8Array> => {
    const input = Buffer.from(text, 'latin1')
    const pieces: Uint8Array[] = []
    for (let at = 0; at < input.length; at += pieceBytes)
      pieces.push(new Uint8Array(input.subarray(at, at + pieceBytes)))
    const out: Uint8Array[] = []
    for await (const chunk of ReadableStream.from(pieces).pipeThrough(dearmorStream())) out.push(chunk)
    return new Uint8Array(Buffer.concat(out))
  }

  it('gives back the bytes of our armor and of openpgp.js armor, whatever the chunking', async () => {
    for (const size of [0, 1, 2, 3, 48, 70_000, 200_001]) {
      const bytes = new Uint8Array(randomBytes(size))
      for (const text of [
        Buffer.from(armorMessage(bytes)).toString('latin1'),
        'preamble text\n' + armor(enums.armor.message, bytes, undefined, undefined, 'a comment', true),
      ]) {
        for (const pieceBytes of [1000, 65_537])
          expect(Buffer.compare(Buffer.from(await through(text, pieceBytes)), Buffer.from(bytes))).toBe(0)
      }
    }
  })

  it('gives the same bytes over a chunk sequence (dearmorChunks) as through the stream', async () => {
    const bytes = new Uint8Array(randomBytes(300_001))
    const text = 'preamble\r\n' + Buffer.from(armorMessage(bytes)).toString('latin1')
    const input = Buffer.from(text, 'latin1')
    for (const pieceBytes of [7, 1000, 65_537, 1024 * 1024]) {
      const pieces: Uint8Array[] = []
      for (let at = 0; at < input.length; at += pieceBytes)
        pieces.push(new Uint8Array(input.subarray(at, at + pieceBytes)))
      expect(Buffer.concat([...dearmorChunks(pieces)]).equals(Buffer.from(bytes)), `pieces of ${pieceBytes}`).toBe(true)
    }
  })

  it('dearmorChunks maps its own errors and passes those of its input through', () => {
    const good = Buffer.from(armorMessage(new Uint8Array(randomBytes(5000)))).toString('latin1')
    const mapped = (error: unknown) => new RangeError(`mapped: ${(error as Error).message}`)
    const cut = [new Uint8Array(Buffer.from(good.slice(0, good.length / 2), 'latin1'))]
    expect(() => [...dearmorChunks(cut, mapped)]).toThrow(/^mapped: .*cut off/)
    const failing = function* () {
      yield new Uint8Array(Buffer.from(good.slice(0, 100), 'latin1'))
      throw new TypeError('disk gone')
    }
    expect(() => [...dearmorChunks(failing(), mapped)]).toThrow(TypeError)
  })

  it('errors on a wrong checksum, a cut-off message and a damaged line', async () => {
    const good = Buffer.from(armorMessage(new Uint8Array(randomBytes(5000)))).toString('latin1')
    const wrongChecksum = good.replace(
      /\r\n=([A-Za-z0-9+/]{4})\r\n/,
      (_m, c: string) => `\r\n=${c === 'AAAA' ? 'BBBB' : 'AAAA'}\r\n`,
    )
    await expect(through(wrongChecksum, 1000)).rejects.toThrow(/checksum/)
    await expect(through(good.slice(0, good.length / 2), 1000)).rejects.toThrow(/cut off/)
    await expect(through(good.replace(/\r\n([A-Za-z0-9+/]{10})/, '\r\n$1-'), 1000)).rejects.toThrow(/bad base64/)
  })
})

describe('streaming armor', () => {
  it('writes exactly what armorMessage writes, whatever the chunking', async () => {
    for (const size of [0, 1, 47, 48, 49, 49_151, 49_152, 200_001]) {
      const bytes = new Uint8Array(randomBytes(size))
      for (const pieceBytes of [1000, 65_537]) {
        const pieces: Uint8Array[] = []
        for (let at = 0; at < bytes.length; at += pieceBytes) pieces.push(bytes.slice(at, at + pieceBytes))
        const out: Uint8Array[] = []
        for await (const chunk of ReadableStream.from(pieces).pipeThrough(armorStream())) out.push(chunk)
        expect(Buffer.concat(out).toString('latin1')).toBe(Buffer.from(armorMessage(bytes)).toString('latin1'))
      }
    }
  })
})
