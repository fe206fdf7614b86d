import { describe, expect, it } from 'vitest'
import { attachmentEntity, entity, headerLine, multipart, quotedPrintable, textEntity } from './build.ts'
import { memorySource } from './byte-source.ts'
import {
  decodedBodyChunks,
  decodedHeader,
  decodeBody,
  decodeText,
  fileNameOf,
  isStreamedPart,
  parseMime,
  type MimePart,
} from './parse.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const str = (data: Uint8Array) => Buffer.from(data).toString('latin1')

describe('MIME build', () => {
  it('writes canonical CRLF only, and the parser returns each child byte for byte', () => {
    const text = textEntity('Zeile 1\nFrom Anfang  \n.\nEnde')
    const attachment = attachmentEntity('Bericht März.pdf', 'application/pdf', new Uint8Array(1000).fill(0xff))
    const built = multipart('mixed', { hp: 'cipher' }, [text, attachment], [['Subject', 'Grüße aus der Kanzlei']])
    expect(/(?<!\r)\n/.test(str(built))).toBe(false)
    const root = parseMime(built)
    expect(root.contentType).toMatchObject({ type: 'multipart/mixed', params: { hp: 'cipher' } })
    expect(decodedHeader(root, 'subject')).toBe('Grüße aus der Kanzlei')
    expect(Buffer.compare(Buffer.from(root.children[0]!.raw), Buffer.from(text))).toBe(0)
    expect(Buffer.compare(Buffer.from(root.children[1]!.raw), Buffer.from(attachment))).toBe(0)
    expect(decodeText(root.children[0]!)).toBe('Zeile 1\nFrom Anfang  \n.\nEnde\n')
    expect(fileNameOf(root.children[1]!)).toBe('Bericht März.pdf')
    expect(decodeBody(root.children[1]!)).toEqual(new Uint8Array(1000).fill(0xff))
  })

  it('protects "From " lines and trailing white space in quoted-printable (RFC 3156 §3)', () => {
    const encoded = quotedPrintable('From here  \nok\n')
    expect(encoded).toContain('=46rom here =20\r\n')
    expect(encoded).not.toMatch(/[ \t]\r\n/)
  })

  it('refuses line breaks in header values (header injection)', () => {
    expect(() => headerLine('Subject', 'a\r\nBcc: x@y.test')).toThrow()
  })

  it('keeps signed bytes exact when the part itself ends without a line break', () => {
    const inner = entity([['Content-Type', 'text/plain']], 'no newline at end')
    const root = parseMime(
      multipart('signed', { protocol: 'application/pgp-signature' }, [
        inner,
        entity([['Content-Type', 'application/pgp-signature']], 'sig\r\n'),
      ]),
    )
    expect(str(root.children[0]!.raw)).toBe(str(inner))
  })
})

describe('MIME parse', () => {
  const lfMail =
    'From: "Müller, Hans" <hans@mandant.test>\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nContent-Type: multipart/mixed;\n boundary="==b 1=="\n\npreamble\n--==b 1==\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe\n--==b 1==\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8\'\'%C3%A4.bin\nContent-Transfer-Encoding: base64\n\nAAEC\nAw==\n--==b 1==--\nepilogue\n'

  it('reads LF-only mail, folded headers, quoted boundaries, encoded words and RFC 2231 names', () => {
    const root = parseMime(bytes(lfMail))
    expect(decodedHeader(root, 'subject')).toBe('Grüße')
    expect(root.children).toHaveLength(2)
    expect(decodeText(root.children[0]!)).toBe('Grüße')
    expect(fileNameOf(root.children[1]!)).toBe('ä.bin')
    expect(Array.from(decodeBody(root.children[1]!))).toEqual([0, 1, 2, 3])
    expect(str(root.children[0]!.raw)).toBe(
      'Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe',
    )
  })

  it('gives the same tree for every way the input could be cut and re-joined (no state leaks between parts)', () => {
    const whole = parseMime(bytes(lfMail))
    for (let cut = 1; cut < lfMail.length; cut += 7) {
      const joined = new Uint8Array([...bytes(lfMail.slice(0, cut)), ...bytes(lfMail.slice(cut))])
      expect(parseMime(joined).children.map((c) => str(c.raw))).toEqual(whole.children.map((c) => str(c.raw)))
    }
  })

  it('runs a part without close delimiter to the end, and treats a missing Content-Type as text/plain', () => {
    const truncated = parseMime(
      bytes(
        'Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nerster\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>abgeschnitten',
      ),
    )
    expect(truncated.children.map((c) => c.contentType.type)).toEqual(['text/plain', 'text/html'])
    expect(decodeText(truncated.children[1]!)).toBe('<p>abgeschnitten')
  })

  it('refuses too deep nesting and too many parts with a clear error', () => {
    let body = 'x'
    for (let i = 0; i < 40; i++)
      body = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`
    expect(() => parseMime(bytes(body))).toThrow(expect.objectContaining({ code: 'MIME_TOO_DEEP' }))
    const many = `Content-Type: multipart/mixed; boundary=m\r\n\r\n${'--m\r\n\r\nx\r\n'.repeat(2000)}--m--\r\n`
    expect(() => parseMime(bytes(many))).toThrow(expect.objectContaining({ code: 'MIME_TOO_MANY_PARTS' }))
  })
})

describe('MIME parsing from a byte source', () => {
  it('gives the same tree, bytes and decoded bodies as parsing in memory, with large parts read on use', () => {
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) & 0xff)
    const built = multipart('mixed', {}, [
      textEntity('Hallo'),
      attachmentEntity('gross.bin', 'application/octet-stream', big),
      attachmentEntity('klein.bin', 'application/octet-stream', big.subarray(0, 300)),
    ])
    const inMemory = parseMime(built)
    const fromSource = parseMime(memorySource(built))
    const flat = (part: MimePart): MimePart[] => [part, ...part.children.flatMap(flat)]
    const [a, b] = [flat(inMemory), flat(fromSource)]
    expect(b.map((p) => p.path)).toEqual(a.map((p) => p.path))
    a.forEach((part, i) => {
      expect(b[i]!.headers).toEqual(part.headers)
      expect(Buffer.compare(Buffer.from(b[i]!.raw), Buffer.from(part.raw))).toBe(0)
      expect(Buffer.compare(Buffer.concat([...decodedBodyChunks(b[i]!)]), Buffer.from(decodeBody(part)))).toBe(0)
    })
    expect(isStreamedPart(fromSource.children[1]!)).toBe(true)
    expect(isStreamedPart(fromSource.children[2]!)).toBe(false)
    expect(Buffer.compare(Buffer.concat([...decodedBodyChunks(fromSource.children[1]!)]), Buffer.from(big))).toBe(0)
  })
})
