import { createCipheriv, createDecipheriv, createHash, randomBytes, type Hash } from 'node:crypto'
import type * as asn1js from 'asn1js'
import { SiegelpostError } from '../errors/index.ts'
import {
  contentCiphers,
  contentKeysFor,
  decryptFailed,
  recipientInfosFor,
  type ContentCipher,
  type DecryptIdentity,
  type EncryptRecipient,
} from './cms-envelope.ts'
import { sha256AlgorithmDer, signerInfoFor, type SigningIdentity } from './cms-signed.ts'
import { limits } from '../limits.ts'
import { digestNames } from './signature-algorithm.ts'
import { algorithm, bytesOf, children, concat, int, octets, oid, oidOf, parseDer, seq, set, tlv, toDer } from './der.ts'
import { oids } from './oids.ts'

/**
 * Streaming CMS output for large attachments (memory stays flat with size): opaque SignedData and EnvelopedData
 * written as indefinite-length BER whose content is a constructed OCTET STRING of segments of 64 KiB to 1 MiB
 * (RFC 5652 §5.2, the form `openssl cms -stream` writes), so memory stays bounded by
 * the chunk size however large the message is. Compose them for sign-then-encrypt:
 * `encryptCmsStream(signCmsStream(source, …), …)`.
 */
export const streamChunkBytes = 64 * 1024
/** The largest segment (and the largest piece the reader hands out). */
export const segmentMaxBytes = 1024 * 1024
/** A file stream, a Web/Node readable, a generator, or an array of buffers. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>
const endOfContents = new Uint8Array([0, 0])
const open = (tag: number) => new Uint8Array([tag, 0x80])

/**
 * Regroups any source into chunks of `size` to segmentMaxBytes bytes (the last may be shorter): small pieces are
 * joined, large ones passed on as they are (views, no copy) — the caller's chunks are never changed. With `release`,
 * each source piece is handed to it as soon as no view of it is held any more: after its views went out and the
 * consumer asked for more (a consumer that keeps no view of a chunk beyond that: a cipher), or once it was joined.
 */
export async function* rechunk(
  source: ByteSource,
  size = streamChunkBytes,
  release?: (piece: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  // The source pieces of which `pending` holds views.
  let held: Uint8Array[] = []
  // Whole segments out; a short rest (under `size`) waits for the next piece.
  const emit = function* (bytes: Uint8Array) {
    let at = 0
    for (; bytes.length - at > segmentMaxBytes; at += segmentMaxBytes) yield bytes.subarray(at, at + segmentMaxBytes)
    const rest = bytes.subarray(at)
    const isKept = rest.length > 0 && rest.length < size
    pending = isKept ? [rest] : []
    pendingBytes = isKept ? rest.length : 0
    if (rest.length >= size) yield rest
  }
  for await (const piece of source) {
    if (pendingBytes === 0 && piece.length >= size) {
      yield* emit(piece)
      if (pendingBytes > 0) held = [piece]
      else release?.(piece)
    } else {
      pending.push(piece)
      held.push(piece)
      pendingBytes += piece.length
      if (pendingBytes >= size) {
        const joined = concat(pending)
        held.forEach((done) => release?.(done))
        held = []
        yield* emit(joined)
      }
    }
  }
  if (pendingBytes > 0) yield concat(pending)
}

/** An OCTET STRING segment as its header and the bytes themselves (not copied into one buffer). */
function* segment(bytes: Uint8Array): Generator<Uint8Array> {
  yield tlvHead(0x04, bytes.length)
  yield bytes
}

function tlvHead(tag: number, length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([tag, length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff)
  return new Uint8Array([tag, 0x80 | bytes.length, ...bytes])
}

/** Opaque SignedData (application/pkcs7-mime; smime-type=signed-data) over a streamed entity. */
export async function* signCmsStream(
  source: ByteSource,
  signer: SigningIdentity,
  now: Date,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256')
  yield concat([
    open(0x30),
    toDer(oid(oids.signedData)),
    open(0xa0),
    open(0x30),
    toDer(int(1)),
    tlv(0x31, sha256AlgorithmDer()),
    open(0x30),
    toDer(oid(oids.data)),
    open(0xa0),
    open(0x24),
  ])
  for await (const chunk of rechunk(source)) {
    hash.update(chunk)
    yield* segment(chunk)
  }
  // end of: OCTET STRING, [0] eContent, EncapsulatedContentInfo
  yield concat([endOfContents, endOfContents, endOfContents])
  const signerInfo = signerInfoFor(signer, hash.digest(), now)
  yield concat([
    tlv(0xa0, signer.certificate, ...signer.chain),
    tlv(0x31, signerInfo),
    endOfContents,
    endOfContents,
    endOfContents,
  ])
}

/**
 * EnvelopedData with AES-256-CBC, or AuthEnvelopedData with AES-256-GCM (RFC 5083/5084, no
 * authenticated attributes), over a streamed entity — the same choice encryptCms makes in memory.
 */
export async function* encryptCmsStream(
  source: ByteSource,
  recipients: EncryptRecipient[],
  contentCipher: ContentCipher = 'aes-256-cbc',
  release?: (piece: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  const cek = randomBytes(32)
  const isGcm = contentCipher === 'aes-256-gcm'
  const iv = randomBytes(isGcm ? 12 : 16)
  const { recipientInfos, hasKari } = recipientInfosFor(recipients, cek)
  yield concat([
    open(0x30),
    toDer(oid(isGcm ? oids.authEnvelopedData : oids.envelopedData)),
    open(0xa0),
    open(0x30),
    toDer(int(hasKari && !isGcm ? 2 : 0)),
    toDer(set(...recipientInfos)),
    open(0x30),
    toDer(oid(oids.data)),
    toDer(isGcm ? algorithm(oids.aes256Gcm, seq(octets(iv), int(16))) : algorithm(oids.aes256Cbc, octets(iv))),
    open(0xa0), // [0] IMPLICIT OCTET STRING, constructed
  ])
  const cipher = isGcm
    ? createCipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 })
    : createCipheriv('aes-256-cbc', cek, iv)
  // The cipher keeps no view of what it was given: each source piece is done with once encrypted.
  for await (const chunk of rechunk(source, streamChunkBytes, release)) {
    const out = cipher.update(chunk)
    if (out.length > 0) yield* segment(out)
  }
  const last = cipher.final()
  if (last.length > 0) yield* segment(last)
  // end of: [0] encryptedContent, EncryptedContentInfo; then (AuthEnvelopedData) the MAC
  yield concat([endOfContents, endOfContents])
  if (isGcm) yield toDer(octets((cipher as ReturnType<typeof createCipheriv> & { getAuthTag(): Buffer }).getAuthTag()))
  // end of: EnvelopedData, [0] content, ContentInfo
  yield concat([endOfContents, endOfContents, endOfContents])
}

/** Pull-based BER reader over a byte stream: headers, small elements whole, big contents in pieces. */
class BerReader {
  private buffer: Buffer = Buffer.alloc(0)
  private readonly source: AsyncIterator<Uint8Array>
  private done = false

  constructor(source: ByteSource) {
    this.source = (async function* () {
      yield* source
    })()
  }

  /** Appends a chunk: a view of it when nothing is left over (no copy of every chunk), else joined. */
  private append(chunk: Uint8Array): void {
    this.buffer =
      this.buffer.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.buffer, chunk])
  }

  private async fill(bytes: number): Promise<void> {
    while (this.buffer.length < bytes && !this.done) {
      const next = await this.source.next()
      if (next.done) this.done = true
      else this.append(next.value)
    }
    if (this.buffer.length < bytes) throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'truncated' })
  }

  private take(bytes: number): Buffer {
    const out = this.buffer.subarray(0, bytes)
    this.buffer = this.buffer.subarray(bytes)
    return out
  }

  /** Tag byte, and length (null = indefinite); high tag numbers do not occur in CMS. */
  async header(): Promise<{ tag: number; length: number | null; raw: Buffer }> {
    await this.fill(2)
    const tag = this.buffer[0]!
    if ((tag & 0x1f) === 0x1f) throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'high tag number' })
    const first = this.buffer[1]!
    if (first < 0x80) return { tag, length: first, raw: Buffer.from(this.take(2)) }
    if (first === 0x80) return { tag, length: null, raw: Buffer.from(this.take(2)) }
    const count = first & 0x7f
    if (count > 6) throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'length' })
    await this.fill(2 + count)
    let length = 0
    for (let i = 0; i < count; i++) length = length * 256 + this.buffer[2 + i]!
    return { tag, length, raw: Buffer.from(this.take(2 + count)) }
  }

  /** A whole element (for the small parts: OIDs, algorithms, RecipientInfos), at most `max` bytes. */
  async element(max = 1024 * 1024): Promise<Buffer> {
    const head = await this.header()
    if (head.length === null) {
      const parts: Buffer[] = [head.raw]
      let total = 0
      for (;;) {
        const inner = await this.element(max)
        parts.push(inner)
        total += inner.length
        if (total > max) throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'element too large' })
        if (inner.length === 2 && inner[0] === 0 && inner[1] === 0) return Buffer.concat(parts)
      }
    }
    if (head.length > max) throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'element too large' })
    await this.fill(head.length)
    return Buffer.concat([head.raw, this.take(head.length)])
  }

  /**
   * Reads the source to its end (at most `max` more bytes) and returns what was left: a stream's
   * closing end-of-contents octets — and pulling to the end is what makes an underlying streamed
   * decryption check its GCM tag or CBC padding.
   */
  async rest(max: number): Promise<Buffer> {
    while (!this.done) {
      const next = await this.source.next()
      if (next.done) this.done = true
      else this.append(next.value)
      if (this.buffer.length > max)
        throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'data after the end' })
    }
    return this.take(this.buffer.length)
  }

  /**
   * The content bytes of a primitive element of `length`, in pieces of at most segmentMaxBytes: views of the
   * chunks read (no copies; the reader never changes them), valid as long as the caller keeps them.
   */
  async *content(length: number): AsyncGenerator<Buffer> {
    for (let left = length; left > 0;) {
      if (this.buffer.length === 0) await this.fill(1)
      const piece = Math.min(left, this.buffer.length, segmentMaxBytes)
      yield this.take(piece)
      left -= piece
    }
  }

  /** An OCTET STRING's bytes whether primitive or constructed (segments, EOC-terminated or definite). */
  async *octets(head: { tag: number; length: number | null }): AsyncGenerator<Buffer> {
    if ((head.tag & 0x20) === 0) {
      yield* this.content(head.length!)
      return
    }
    let consumed = 0
    for (;;) {
      if (head.length !== null && consumed >= head.length) return
      const segment = await this.header()
      consumed += segment.raw.length + (segment.length ?? 0)
      if (segment.tag === 0 && segment.length === 0) return
      if ((segment.tag & 0x1f) !== 0x04)
        throw new SiegelpostError('SMIME_MALFORMED', { what: 'CMS', reason: 'segment is not an OCTET STRING' })
      yield* this.octets(segment)
    }
  }
}

/**
 * Decrypts EnvelopedData (AES-CBC, 3DES) or AuthEnvelopedData (AES-GCM without authenticated
 * attributes) from a stream in bounded memory. The chunks it yields are NOT authenticated until
 * the generator finishes: AES-GCM checks its tag and CBC its padding at the end and throw there
 * — write them to a place the user cannot see yet and delete it on error (DESIGN: no release
 * before the integrity check). Uses the first recipient info our keys open. Each chunk is a new buffer the generator
 * keeps no reference to (the decipher's output), so a caller may move it to another thread.
 */
export async function* decryptCmsStream(
  source: ByteSource,
  identities: DecryptIdentity[],
  info: { identity?: number; contentAlgorithm?: string } = {},
): AsyncGenerator<Uint8Array> {
  const reader = new BerReader(source)
  const what = 'CMS'
  await reader.header() // ContentInfo
  const type = oidOf(parseDer(await reader.element(), what), what)
  if (type !== oids.envelopedData && type !== oids.authEnvelopedData)
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: `not encrypted data (${type})` })
  const isAuth = type === oids.authEnvelopedData
  await reader.header() // [0]
  await reader.header() // EnvelopedData / AuthEnvelopedData
  await reader.element() // version
  let recipientInfos = await reader.element()
  if (recipientInfos[0] === 0xa0) recipientInfos = await reader.element() // originatorInfo
  await reader.header() // EncryptedContentInfo
  await reader.element() // contentType
  const [algId, params] = children(parseDer(await reader.element(), what), what)
  const contentAlg = oidOf(algId, what)
  const cipherSpec = isAuth ? contentCiphers.gcm[contentAlg] : contentCiphers.cbc[contentAlg]
  if (!cipherSpec) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `content encryption ${contentAlg}` })
  const infos = parseDer(recipientInfos, what)
  // The first identity that opens a recipient info (reported: whose key it was, for the verdict).
  let cek: Buffer | undefined
  for (const [index, identity] of identities.entries()) {
    cek = contentKeysFor(infos, [identity], cipherSpec.bytes)[0]
    if (cek) {
      info.identity = index
      break
    }
  }
  if (!cek) throw decryptFailed()
  info.contentAlgorithm = isAuth ? `${cipherSpec.cipher} (AuthEnvelopedData)` : cipherSpec.cipher
  const encryptedHead = await reader.header()
  if ((encryptedHead.tag & 0x1f) !== 0)
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'detached encrypted content' })
  let decipher
  let tagLength = 0
  if (isAuth) {
    const [nonce, icv] = children(params, what)
    tagLength = icv ? (icv as asn1js.Integer).valueBlock.valueDec : 12
    decipher = createDecipheriv(cipherSpec.cipher as 'aes-256-gcm', cek, bytesOf(nonce, what), {
      authTagLength: tagLength,
    })
  } else decipher = createDecipheriv(cipherSpec.cipher, cek, bytesOf(params, what))
  try {
    for await (const piece of reader.octets(encryptedHead)) {
      const out = decipher.update(piece)
      if (out.length > 0) yield out
    }
    if (isAuth) {
      // after the content: the end of EncryptedContentInfo when indefinite, [1] authAttrs, then the MAC
      let next = await reader.element()
      if (next.length === 2 && next[0] === 0 && next[1] === 0) next = await reader.element()
      if (next[0] === 0xa1)
        throw new SiegelpostError('SMIME_UNSUPPORTED', {
          what: 'streamed AuthEnvelopedData with authenticated attributes',
        })
      const mac = bytesOf(parseDer(next, what), what)
      if (mac.length !== tagLength) throw decryptFailed()
      ;(decipher as ReturnType<typeof createDecipheriv> & { setAuthTag(tag: Uint8Array): void }).setAuthTag(mac)
    }
    yield decipher.final()
  } catch (error) {
    if (error instanceof SiegelpostError && error.code !== 'SMIME_DECRYPT_FAILED') throw error
    throw decryptFailed()
  }
}

/** Hashes for the SHA-2 digest algorithms a SignedData's digestAlgorithms SET names (what its signer may use). */
export function contentHashesFor(digestAlgorithms: asn1js.AsnType): Map<string, Hash> {
  const names = children(digestAlgorithms, 'CMS SignedData').map(
    (alg) => digestNames[oidOf(children(alg, 'CMS SignedData')[0], 'CMS SignedData')],
  )
  return new Map(
    [...new Set(names.filter((n): n is string => n === 'sha256' || n === 'sha384' || n === 'sha512'))].map((n) => [
      n,
      createHash(n),
    ]),
  )
}

/** contentHashesFor of a whole (detached) SignedData in DER. */
export function contentHashesOf(cms: Uint8Array): Map<string, Hash> {
  const what = 'CMS SignedData'
  const signedData = children(children(parseDer(cms, what), what)[1], what)[0]
  return contentHashesFor(children(signedData, what)[1]!)
}

/**
 * Reads an opaque SignedData (application/pkcs7-mime; smime-type=signed-data) from a stream:
 * the encapsulated content goes to `sink` piece by piece while its digests are computed, and the
 * result is the signature in detached form plus those digests, for
 * verifySmimeSignature({ cms, contentDigests }). The content in the sink is unverified until then.
 */
export async function readSignedStream(
  source: ByteSource,
  sink: (chunk: Uint8Array) => Promise<void> | void,
): Promise<{ cms: Uint8Array; contentDigests: Record<string, Uint8Array> }> {
  const reader = new BerReader(source)
  const what = 'CMS SignedData'
  const isEnd = (element: Buffer) => element.length === 2 && element[0] === 0 && element[1] === 0
  await reader.header() // ContentInfo
  if (oidOf(parseDer(await reader.element(), what), what) !== oids.signedData)
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'not SignedData' })
  await reader.header() // [0]
  await reader.header() // SignedData
  const version = await reader.element()
  const digestAlgorithms = await reader.element()
  const hashes = contentHashesFor(parseDer(digestAlgorithms, what))
  const encapHead = await reader.header()
  const eContentType = await reader.element()
  const contentHead = await reader.header()
  if (contentHead.tag !== 0xa0)
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'no encapsulated content (a detached signature)' })
  const octetsHead = await reader.header()
  for await (const piece of reader.octets(octetsHead)) {
    for (const hash of hashes.values()) hash.update(piece)
    await sink(piece)
  }
  if (contentHead.length === null && !isEnd(await reader.element()))
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'eContent' })
  if (encapHead.length === null && !isEnd(await reader.element()))
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'encapContentInfo' })
  const rest: Buffer[] = []
  for (;;) {
    const element = await reader.element(limits.keyFileMaxBytes)
    if (isEnd(element)) break
    rest.push(element)
    if (element[0] === 0x31) break // signerInfos, the last field
  }
  // Read to the very end: only closing end-of-contents octets may follow, and a streamed decryption
  // underneath authenticates (GCM tag, CBC padding) only when its last byte has been pulled.
  const trailer = await reader.rest(64)
  if (trailer.length % 2 !== 0 || trailer.some((byte) => byte !== 0))
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'data after the signature' })
  const cms = tlv(
    0x30,
    toDer(oid(oids.signedData)),
    tlv(0xa0, tlv(0x30, version, digestAlgorithms, tlv(0x30, eContentType), ...rest)),
  )
  return {
    cms,
    contentDigests: Object.fromEntries([...hashes].map(([name, hash]) => [name, new Uint8Array(hash.digest())])),
  }
}
