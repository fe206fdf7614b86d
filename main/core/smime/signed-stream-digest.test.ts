import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeTestPki, openssl } from '../../../test/helpers/smime-pki.ts'
import { attachmentEntity, multipart, textEntity } from '../mime/build.ts'
import { parseMime } from '../mime/parse.ts'
import { rechunk, segmentMaxBytes } from './cms-stream.ts'
import { SignedContentHasher } from './signed-stream-digest.ts'
import { releaseBytes } from '../streaming/release.ts'

// The worker's digests of a multipart/signed entity's first part against the MIME parser's range of the same
// bytes, whatever the chunking: the caller trusts them only when start and end agree, so here they must agree
// and the digests must be those of exactly parseMime's part 1.
const signed = (body: string | Buffer, options: { eol?: string; micalg?: string; preamble?: string } = {}) => {
  const eol = options.eol ?? '\r\n'
  const micalg = options.micalg ? `; micalg=${options.micalg}` : ''
  return Buffer.concat([
    Buffer.from(
      `Content-Type: multipart/signed; protocol="application/pkcs7-signature"${micalg}; boundary="b-1"${eol}` +
        `${eol}${options.preamble ?? ''}--b-1${eol}`,
    ),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
    Buffer.from(`${eol}--b-1${eol}Content-Type: application/pkcs7-signature${eol}${eol}AAAA${eol}--b-1--${eol}`),
  ])
}

function hashInChunks(bytes: Buffer, sizes: number[]) {
  const hasher = new SignedContentHasher()
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!
    hasher.push(bytes.subarray(at, at + size))
    at += size
  }
  return hasher.finish()
}

describe('SignedContentHasher', () => {
  const part = Buffer.concat([
    Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
    Buffer.from(
      randomBytes(30_000)
        .toString('base64')
        .replace(/(.{76})/g, '$1\r\n'),
    ),
    Buffer.from('\r\n-- not a delimiter\r\n--b-10 neither, but it ends the hashing: the parser decides\r\n'),
  ])

  it('agrees with parseMime on the range and the bytes, for every chunking, CRLF and LF', () => {
    for (const eol of ['\r\n', '\n']) {
      const message = signed(Buffer.from(part.toString('latin1').replace(/\r\n/g, eol), 'latin1'), { eol })
      const first = parseMime(message).children[0]!
      const range = first.rawRange!
      const expected = createHash('sha256').update(message.subarray(range.start, range.end)).digest('hex')
      for (const sizes of [[message.length], [1], [7, 3, 1], [65_536], [1000, 1, 2, 99_999]]) {
        const result = hashInChunks(message, sizes)
        // The bytes "\r\n--b-10" look like a delimiter: the hasher stops there and the parser disagrees.
        expect(result).not.toBeNull()
        expect(result!.start).toBe(range.start)
        expect(result!.end).not.toBe(range.end)
      }
      const clean = signed(Buffer.from(part.subarray(0, part.indexOf('\r\n-- not')).toString('latin1')), { eol })
      const cleanRange = parseMime(clean).children[0]!.rawRange!
      const cleanHash = createHash('sha256').update(clean.subarray(cleanRange.start, cleanRange.end)).digest()
      expect(cleanHash.toString('hex')).not.toBe(expected)
      for (const sizes of [[clean.length], [1], [7, 3, 1], [65_536], [1000, 1, 2, 99_999]]) {
        const result = hashInChunks(clean, sizes)!
        expect({ start: result.start, end: result.end }).toEqual(cleanRange)
        expect(Buffer.from(result.digests.sha256!).toString('hex')).toBe(cleanHash.toString('hex'))
      }
    }
  })

  it('a preamble, and the micalg digests besides SHA-256', () => {
    const message = signed('Content-Type: text/plain\r\n\r\nHallo\r\n', {
      micalg: '"sha-512,sha-384"',
      preamble: 'This is an S/MIME signed message\r\n',
    })
    const range = parseMime(message).children[0]!.rawRange!
    const result = hashInChunks(message, [5])!
    expect({ start: result.start, end: result.end }).toEqual(range)
    for (const name of ['sha256', 'sha384', 'sha512'])
      expect(Buffer.from(result.digests[name]!)).toEqual(
        createHash(name).update(message.subarray(range.start, range.end)).digest(),
      )
  })

  it('nothing for what is not multipart/signed, a lost close or a body without its delimiter', () => {
    expect(hashInChunks(Buffer.from('Content-Type: text/plain\r\n\r\nHallo --b-1\r\n'), [3])).toBeNull()
    const message = signed('Content-Type: text/plain\r\n\r\nHallo\r\n')
    expect(hashInChunks(message.subarray(0, message.indexOf('\r\n--b-1\r\nContent-Type: application')), [4])).toBeNull()
    const noDelimiter = Buffer.concat([
      Buffer.from('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=x\r\n\r\n'),
      Buffer.alloc(70_000, 0x41),
    ])
    expect(hashInChunks(noDelimiter, [1024])).toBeNull()
  })
})

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('SignedContentHasher on openssl', () => {
  it('what `openssl cms -sign` writes (LF outside, CRLF inside) is hashed in the stream, not read again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-signed-digest-'))
    try {
      const pki = makeTestPki(dir)
      const inner = multipart('mixed', {}, [
        textEntity('Anbei.'),
        attachmentEntity('a.pdf', 'application/pdf', randomBytes(300_000)),
      ])
      writeFileSync(join(dir, 'inner.eml'), inner)
      const args = ['cms', '-sign', '-in', 'inner.eml', '-signer', pki.alice.certFile, '-inkey', pki.alice.keyFile]
      const message = openssl(args, { cwd: dir })
      const range = parseMime(message).children[0]!.rawRange!
      const result = hashInChunks(message, [65_536, 1000])!
      expect({ start: result.start, end: result.end }).toEqual(range)
      expect(Buffer.from(result.digests.sha256!)).toEqual(
        createHash('sha256').update(message.subarray(range.start, range.end)).digest(),
      )
      expect(Buffer.from(message.subarray(range.start, range.end))).toEqual(
        Buffer.from(readFileSync(join(dir, 'inner.eml'))),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('rechunk (the CMS segments)', () => {
  it('joins small pieces to at least 64 KiB, splits large ones at 1 MiB, and changes no byte', async () => {
    const bytes = randomBytes(3 * segmentMaxBytes + 5)
    for (const sizes of [[bytes.length], [1000], [70_000, 3, segmentMaxBytes + 1]]) {
      const pieces: Uint8Array[] = []
      for (let at = 0, i = 0; at < bytes.length; i++) pieces.push(bytes.subarray(at, (at += sizes[i % sizes.length]!)))
      const out: Uint8Array[] = []
      for await (const chunk of rechunk(pieces)) out.push(chunk)
      expect(Buffer.concat(out)).toEqual(bytes)
      expect(out.slice(0, -1).every((c) => c.length >= 64 * 1024 && c.length <= segmentMaxBytes)).toBe(true)
      expect(out.at(-1)!.length).toBeLessThanOrEqual(segmentMaxBytes)
    }
  })

  it("frees a piece (release) only once no view of it is held: a large piece's rest waits among small ones", async () => {
    const bytes = randomBytes(4 * segmentMaxBytes + 12_345)
    // A large piece leaves a rest of under 64 KiB in waiting; the small pieces after it (each kept, under 64 KiB)
    // need several pulls to fill it up — freeing by count instead of by what is held would empty that rest.
    const patterns = [
      [segmentMaxBytes + 1000, 10, 10, 10, 10, 100_000],
      [200_000, 1, 2, 3, 65_536, 64 * 1024 - 1, 64 * 1024 + 1],
      [1000],
      [bytes.length],
    ]
    for (const sizes of patterns) {
      const pieces: Uint8Array[] = []
      for (let at = 0, i = 0; at < bytes.length; i++)
        pieces.push(new Uint8Array(bytes.subarray(at, (at += sizes[i % sizes.length]!))))
      const released: Uint8Array[] = []
      const out: Buffer[] = []
      // The consumer copies each chunk before it asks for the next (as the cipher does).
      for await (const chunk of rechunk(pieces, 64 * 1024, (piece) => (released.push(piece), releaseBytes(piece))))
        out.push(Buffer.from(chunk))
      expect(Buffer.concat(out).equals(bytes), `pieces ${sizes.join(',')}`).toBe(true)
      expect(new Set(released).size).toBe(released.length)
      // Every piece is freed but those still waiting (in part) at the end: one large piece's rest, small ones after.
      expect(released).toEqual(pieces.slice(0, released.length))
      expect(pieces.slice(released.length + 1).every((piece) => piece.byteLength < 64 * 1024)).toBe(true)
    }
  })
})
