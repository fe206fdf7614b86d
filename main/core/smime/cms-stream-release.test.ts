import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeTestPki } from '../../../test/helpers/smime-pki.ts'
import { releasedBehind } from '../streaming/release.ts'
import { decryptCmsStream, encryptCmsStream, readSignedStream, signCmsStream } from './cms-stream.ts'

// The decryption worker frees each input chunk once its BER reader is past it (cms-stream-job.ts): the plaintext
// must come out byte for byte when the chunk borders fall inside the segment headers (the reader then holds the rest
// of a chunk while it waits for the next), and a changed byte is still refused.

/** The CMS and where its content's segment headers start (each OCTET STRING segment's header is its own piece). */
async function encrypted(pieces: AsyncIterable<Uint8Array>) {
  const parts: Buffer[] = []
  const heads: number[] = []
  let at = 0
  for await (const piece of pieces) {
    if (piece.length <= 6 && piece[0] === 0x04) heads.push(at)
    parts.push(Buffer.from(piece))
    at += piece.length
  }
  return { cms: Buffer.concat(parts), heads }
}

/** The CMS cut 1 to 4 bytes into every segment header after the first, as fresh buffers of their own. */
function cutInHeaders(cms: Uint8Array, heads: number[]): Uint8Array[] {
  const borders = [...heads.slice(1).map((head, i) => head + 1 + (i % 4)), cms.length]
  let from = 0
  return borders.map((border) => {
    const chunk = new Uint8Array(cms.subarray(from, border))
    from = border
    return chunk
  })
}

const collect = async (source: AsyncIterable<Uint8Array>) => {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

async function* yielded(chunks: Uint8Array[]) {
  yield* chunks
}

/** The plaintext in pieces of 128 KiB: the content then has a segment header every 128 KiB. */
async function* inPieces(bytes: Uint8Array) {
  for (let at = 0; at < bytes.length; at += 128 * 1024) yield bytes.subarray(at, at + 128 * 1024)
}

const isFreed = (chunk: Uint8Array) => (chunk.buffer as ArrayBuffer).detached
const freed = (chunks: Uint8Array[]) => chunks.filter(isFreed).length

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'streamed S/MIME decryption over input chunks freed behind the reader',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-cms-release-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const pki = makeTestPki(dir)
    const identities = [{ certificate: pki.fran.certificate, pkcs8: pki.fran.pkcs8 }]
    const recipients = [{ certificate: pki.fran.certificate }]
    const plain = randomBytes(2 * 1024 * 1024 + 12_345)

    for (const cipher of ['aes-256-cbc', 'aes-256-gcm'] as const) {
      it(`${cipher}: the plaintext byte for byte, the chunks behind the reader freed; a changed byte refused`, async () => {
        const { cms, heads } = await encrypted(encryptCmsStream(inPieces(plain), recipients, cipher))
        expect(heads.length).toBeGreaterThan(10)
        const chunks = cutInHeaders(cms, heads)
        const out = await collect(decryptCmsStream(releasedBehind(yielded(chunks)), identities))
        expect(out.equals(plain)).toBe(true)
        // All but the last two were freed (the reader stops after the MAC or the padding); the last one never.
        expect(freed(chunks)).toBeGreaterThanOrEqual(chunks.length - 2)
        expect(isFreed(chunks.at(-1)!)).toBe(false)

        if (cipher !== 'aes-256-gcm') return
        for (const at of [heads[3]! + 20, Math.floor(cms.length / 2), cms.length - 40]) {
          const tampered = Buffer.from(cms)
          tampered[at] = tampered[at]! ^ 0x01
          const run = collect(decryptCmsStream(releasedBehind(yielded(cutInHeaders(tampered, heads))), identities))
          await expect(run).rejects.toMatchObject({ code: 'SMIME_DECRYPT_FAILED' })
        }
      })
    }

    it('sign-then-encrypt read back through readSignedStream: the content and its digest', async () => {
      const signer = { certificate: pki.alice.certificate, chain: [], pkcs8: pki.alice.pkcs8 }
      const signed = signCmsStream(inPieces(plain), signer, new Date())
      const { cms, heads } = await encrypted(encryptCmsStream(signed, recipients))
      const chunks = cutInHeaders(cms, heads)
      const parts: Uint8Array[] = []
      const { contentDigests } = await readSignedStream(
        decryptCmsStream(releasedBehind(yielded(chunks)), identities),
        (chunk) => void parts.push(Buffer.from(chunk)),
      )
      expect(Buffer.concat(parts).equals(plain)).toBe(true)
      expect(Buffer.from(contentDigests.sha256!).equals(createHash('sha256').update(plain).digest())).toBe(true)
      expect(freed(chunks)).toBeGreaterThanOrEqual(chunks.length - 2)
    })
  },
)
