import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeBase64Lines } from './base64-lines.ts'
import { base64Lines, base64LinesStream } from './build.ts'
import { memorySource } from './byte-source.ts'
import { decodeBody, decodedBodyChunks, parseMime } from './parse.ts'

/** base64 of `bytes` in lines of `width` digits ending in `eol`. */
const lines = (bytes: Uint8Array, width: number, eol: string) =>
  Buffer.from(bytes)
    .toString('base64')
    .replace(new RegExp(`(.{${width}})`, 'g'), `$1${eol}`)

describe('the fast base64 path for whole lines', () => {
  it('decodes whole lines of one length (CRLF and LF) and refuses everything it cannot vouch for', () => {
    const bytes = randomBytes(57 * 40)
    expect(decodeBase64Lines(Buffer.from(lines(bytes, 76, '\r\n')))).toEqual(bytes)
    expect(decodeBase64Lines(Buffer.from(lines(bytes, 64, '\n'))!.subarray(0, 65 * 30))).toEqual(
      bytes.subarray(0, 48 * 30),
    )
    // bytes decoded before (the end of a line cut by a chunk border) come first, in the same buffer
    expect(decodeBase64Lines(Buffer.from(lines(bytes, 76, '\r\n')), Buffer.from('vorher'))).toEqual(
      Buffer.concat([Buffer.from('vorher'), bytes]),
    )
    const good = lines(bytes, 76, '\r\n')
    // a blank, "-", "=", a line of another length, a line length that is no multiple of 4, no line end
    for (const bad of [
      good.replace('\r\n', ' \r\n'),
      `${good.slice(0, 10)}-${good.slice(11)}`,
      `${good.slice(0, 76)}==${good.slice(78)}`,
      good.slice(0, 78) + good.slice(82),
      lines(bytes, 78, '\r\n').slice(0, 80 * 20),
      good.slice(0, 76),
    ])
      expect(decodeBase64Lines(Buffer.from(bad))).toBeNull()
  })

  it('decodedBodyChunks gives what decodeBody gives, whatever the lines, junk and chunk borders', () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 12_345)
    const variants = [
      lines(bytes, 76, '\r\n'),
      lines(bytes, 64, '\n'),
      lines(bytes, 72, '\r\n').replace(/\r\n(.{7})/, '\r\n $1'), // a blank inside one line
      lines(bytes, 78, '\r\n'), // not a multiple of 4
      lines(bytes, 76, '\r\n').replace(/(.{700000})/, '$1!'), // junk the careful path removes
      Buffer.from(bytes).toString('base64'), // no line ends at all
      lines(bytes, 76, '\r\n').slice(0, 1_500_000) + '====' + lines(bytes, 76, '\r\n').slice(1_500_000), // "=" ends it
    ]
    for (const body of variants) {
      const mail = Buffer.from(`Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`)
      const part = parseMime(memorySource(new Uint8Array(mail)))
      const expected = Buffer.from(decodeBody(parseMime(new Uint8Array(mail))))
      expect(Buffer.concat([...decodedBodyChunks(part)]).equals(expected)).toBe(true)
    }
    expect(
      Buffer.concat([
        ...decodedBodyChunks(
          parseMime(
            memorySource(
              new Uint8Array(
                Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${lines(bytes, 76, '\r\n')}`, 'latin1'),
              ),
            ),
          ),
        ),
      ]).equals(bytes),
    ).toBe(true)
  })
})

describe('base64 lines written in chunks', () => {
  it('base64LinesStream gives the bytes of base64Lines whatever the chunk borders, one new buffer per chunk', async () => {
    const reference = (bytes: Buffer) =>
      Buffer.from((bytes.toString('base64').match(/.{1,76}/g) ?? []).map((line) => `${line}\r\n`).join(''))
    const sizes = [1, 2, 56, 57, 58, 114, 1000, 65_536, 233_472, 300_001]
    for (let trial = 0; trial < 120; trial++) {
      const bytes = randomBytes(trial < 60 ? trial : 1 + ((trial * 7919) % 700_000))
      const chunks: Buffer[] = []
      for (let at = 0; at < bytes.length;) {
        const size = Math.min(bytes.length - at, sizes[(trial + chunks.length) % sizes.length]!)
        chunks.push(bytes.subarray(at, at + size))
        at += size
      }
      const out: Uint8Array[] = []
      for await (const piece of base64LinesStream(chunks)) out.push(piece)
      expect(Buffer.concat(out).equals(reference(bytes))).toBe(true)
      expect(Buffer.from(base64Lines(bytes)).equals(reference(bytes))).toBe(true)
      // at most one piece per chunk and one for the rest; a large piece is all of its own buffer (it can be moved)
      expect(out.length).toBeLessThanOrEqual(chunks.length + 1)
      for (const piece of out.filter((p) => p.length >= 64 * 1024))
        expect([piece.byteOffset, piece.byteLength]).toEqual([0, piece.buffer.byteLength])
    }
  })
})
