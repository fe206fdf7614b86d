import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { recipientInfosFor, type EncryptRecipient } from './cms-envelope.ts'
import { sha256AlgorithmDer, signerInfoFor, type SigningIdentity } from './cms-signed.ts'
import { algorithm, concat, int, octets, oid, oids, set, tlv, toDer } from './der.ts'

/**
 * Streaming CMS output for large attachments (issue 4 §8): opaque SignedData and EnvelopedData
 * written as indefinite-length BER whose content is a constructed OCTET STRING of 64 KiB
 * segments (RFC 5652 §5.2, the form `openssl cms -stream` writes), so memory stays bounded by
 * the chunk size however large the message is. Compose them for sign-then-encrypt:
 * `encryptCmsStream(signCmsStream(source, …), …)`.
 */
export const streamChunkBytes = 64 * 1024
const endOfContents = new Uint8Array([0, 0])
const open = (tag: number) => new Uint8Array([tag, 0x80])

/** Regroups any source into chunks of `size` bytes (the last may be shorter). */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size = streamChunkBytes): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  for await (const piece of source) {
    pending.push(piece)
    pendingBytes += piece.length
    while (pendingBytes >= size) {
      const all = concat(pending)
      yield all.subarray(0, size)
      pending = [all.subarray(size)]
      pendingBytes = all.length - size
    }
  }
  if (pendingBytes > 0) yield concat(pending)
}

/** Opaque SignedData (application/pkcs7-mime; smime-type=signed-data) over a streamed entity. */
export async function* signCmsStream(source: AsyncIterable<Uint8Array>, signer: SigningIdentity, now: Date): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256')
  yield concat([open(0x30), toDer(oid(oids.signedData)), open(0xa0), open(0x30), toDer(int(1)), tlv(0x31, sha256AlgorithmDer()), open(0x30), toDer(oid(oids.data)), open(0xa0), open(0x24)])
  for await (const chunk of rechunk(source)) {
    hash.update(chunk)
    yield tlv(0x04, chunk)
  }
  // end of: OCTET STRING, [0] eContent, EncapsulatedContentInfo
  yield concat([endOfContents, endOfContents, endOfContents])
  const signerInfo = signerInfoFor(signer, hash.digest(), now)
  yield concat([tlv(0xa0, signer.certificate, ...signer.chain), tlv(0x31, signerInfo), endOfContents, endOfContents, endOfContents])
}

/** EnvelopedData with AES-256-CBC over a streamed entity (usually signCmsStream's output). */
export async function* encryptCmsStream(source: AsyncIterable<Uint8Array>, recipients: EncryptRecipient[]): AsyncGenerator<Uint8Array> {
  const cek = randomBytes(32)
  const iv = randomBytes(16)
  const { recipientInfos, hasKari } = recipientInfosFor(recipients, cek)
  yield concat([
    open(0x30),
    toDer(oid(oids.envelopedData)),
    open(0xa0),
    open(0x30),
    toDer(int(hasKari ? 2 : 0)),
    toDer(set(...recipientInfos)),
    open(0x30),
    toDer(oid(oids.data)),
    toDer(algorithm(oids.aes256Cbc, octets(iv))),
    open(0xa0), // [0] IMPLICIT OCTET STRING, constructed
  ])
  const cipher = createCipheriv('aes-256-cbc', cek, iv)
  for await (const chunk of rechunk(source)) {
    const out = cipher.update(chunk)
    if (out.length > 0) yield tlv(0x04, out)
  }
  yield tlv(0x04, cipher.final())
  // end of: [0] encryptedContent, EncryptedContentInfo, EnvelopedData, [0] content, ContentInfo
  yield concat([endOfContents, endOfContents, endOfContents, endOfContents, endOfContents])
}
