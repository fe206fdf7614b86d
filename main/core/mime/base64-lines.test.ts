import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeBase64Lines } from './base64-lines.ts'
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
