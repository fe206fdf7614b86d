import { createHash } from 'node:crypto'
import { reason, SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { limits } from '../limits.ts'
import { sourceChunksReused, type ByteSource } from '../mime/byte-source.ts'
import { decodeBody, decodedBodyChunks, parseMime, type MimePart } from '../mime/parse.ts'
import type { DecryptOutcome, OpenContext, SignatureCheck, StreamingContext } from '../message/technology.ts'
import { createSpool } from '../store/spool.ts'
import { contentHashesOf, readSignedStream } from './cms-stream.ts'
import type { SmimeStreamResult } from './cms-stream-job.ts'
import { fromB64, smimeMaterial } from './smime-keys.ts'
import { asEntitySource, isDetachedSigned, pkcs7Mime, signaturePartOf, sliceSource } from './smime-parts.ts'
import { damagedSignature, verifyStreamed } from './smime-verify-mail.ts'
import type { SignedContentDigests } from './signed-stream-digest.ts'
import { serveSmimeStream } from './stream-port.ts'
import { decryptPartToSpool } from '../streaming/large-part.ts'

/** One signature layer of a large decrypted entity: what it covers, its checks, the certificates it carried. */
interface LargeLayer {
  content: ByteSource | Uint8Array
  signatures: SignatureCheck[]
  offered: Uint8Array[]
}

const decryptIdentity = (key: StoredKey) => ({
  certificate: fromB64(smimeMaterial(key).certificate),
  pkcs8: fromB64(smimeMaterial(key).privateKey!),
})

/**
 * A large enveloped / authEnveloped part (bounded memory): the CMS is read from the mail in chunks
 * and decrypted in the worker into an encrypted spool. Nothing of it is handed out before the
 * worker finished (GCM tag / CBC padding checked) and the inner signature has been checked with
 * the same verification as `verify` (path validation, revocation context) — over digests taken
 * in chunks from the spool instead of the bytes in memory. On any failure the spools are deleted.
 */
export async function decryptLarge(
  part: MimePart,
  own: StoredKey[],
  context: OpenContext,
  streaming: StreamingContext,
): Promise<DecryptOutcome> {
  const spools: { dispose(): void }[] = []
  try {
    const request = {
      technology: 'smime' as const,
      job: { kind: 'decrypt' as const, identities: own.map(decryptIdentity) },
    }
    type Decrypted = Extract<SmimeStreamResult, { kind: 'decrypt' }>
    const { spool: decrypted, result } = await decryptPartToSpool<Decrypted>(part, streaming, request, serveSmimeStream)
    spools.push(decrypted)
    const key = own[result.identity]!
    const recipients = [`${key.emails[0] ?? key.name} (${result.contentAlgorithm})`]
    const offered: Uint8Array[] = []
    // Nested signatures (a gateway signing a signed mail) as open.ts checks them in memory: every layer must check out.
    let content: ByteSource | Uint8Array = asEntitySource(decrypted)
    // The worker's digests are of the decrypted bytes as they are (no empty header block put in front).
    const hashed = content === decrypted ? result.signedContent : null
    const signatures: SignatureCheck[] = []
    for (let depth = 0; depth < limits.messageMaxSignatureLayers && !(content instanceof Uint8Array); depth++) {
      const prehashed = depth === 0 ? hashed : null
      const layer: LargeLayer | null = await verifyLargeInner(parseMime(content), content, context, streaming, {
        spools,
        prehashed,
      })
      if (!layer) break
      signatures.push(...layer.signatures)
      offered.push(...layer.offered)
      content = layer.content
    }
    for (const spool of spools) streaming.keep?.(() => spool.dispose())
    if (!streaming.keep) spools.forEach((spool) => spool.dispose())
    // GCM (AuthEnvelopedData) detects changes; CBC and 3DES do not (the cipher name is the algorithm's, not a message).
    const isAuthenticated = /-gcm\b/i.test(result.contentAlgorithm)
    return { ok: true, content, signatures, recipients, offered, isAuthenticated, cipher: result.contentAlgorithm }
  } catch (error) {
    spools.forEach((spool) => spool.dispose())
    const code = (error as { code?: string }).code
    if (error instanceof SiegelpostError && (code === 'SMIME_UNSUPPORTED' || code === 'SMIME_MALFORMED'))
      return { ok: false, reason: { code: error.code, params: error.params } }
    if (code === 'SMIME_DECRYPT_FAILED') return { ok: false, reason: reason('ENCRYPTION_SMIME_NOT_DECRYPTED') }
    throw error
  }
}

/**
 * The signature inside a large decrypted entity, checked in chunks: multipart/signed (what
 * Siegelpost, `openssl cms -sign` and most clients write) or opaque signed-data (whose content
 * goes to a second spool). Null when the entity is not signed (the caller shows it as it is).
 */
async function verifyLargeInner(
  inner: MimePart,
  decrypted: ByteSource,
  context: OpenContext,
  streaming: StreamingContext,
  { spools, prehashed }: { spools: { dispose(): void }[]; prehashed: SignedContentDigests | null },
): Promise<LargeLayer | null> {
  if (isDetachedSigned(inner)) {
    const signed = inner.children[0]!
    const range = signed.rawRange!
    const content = sliceSource(decrypted, range.start, range.end)
    try {
      const cms = decodeBody(signaturePartOf(inner))
      const digestsOf = (canonical: boolean) => {
        // A SignedData too damaged to name its digests: verifySmimeSignature says why, as in memory.
        let hashes: Map<string, ReturnType<typeof createHash>>
        try {
          hashes = contentHashesOf(cms)
        } catch {
          hashes = new Map()
        }
        // Hashed in the worker as the entity streamed by: used only for exactly these bytes and these digests.
        const names = [...hashes.keys()]
        const isSameRange = prehashed?.start === range.start && prehashed.end === range.end
        if (!canonical && isSameRange && names.every((name) => prehashed.digests[name]))
          return Object.fromEntries(names.map((name) => [name, prehashed.digests[name]!]))
        let previous = 0
        // Read through one buffer: each chunk is hashed (or copied by crlfCanonical) before the next is read.
        for (const chunk of sourceChunksReused(decrypted, range.start, range.end)) {
          const bytes = canonical ? crlfCanonical(chunk, previous) : chunk
          hashes.forEach((hash) => hash.update(bytes))
          previous = chunk[chunk.length - 1] ?? previous
        }
        return Object.fromEntries([...hashes].map(([name, hash]) => [name, new Uint8Array(hash.digest())]))
      }
      let { signatures, offered } = await verifyStreamed(cms, digestsOf(false), context)
      // As verifySmimeSignature does in memory: a signer that signed the CRLF form of a part we got with bare LFs.
      // (Looked for only then: a scan for bare LFs cost as much as the hashing.)
      if (signatures.some((check) => check.result === 'invalid') && sourceHasBareLf(decrypted, range)) {
        const retry = await verifyStreamed(cms, digestsOf(true), context)
        if (retry.signatures.every((check) => check.result !== 'invalid')) ({ signatures, offered } = retry)
      }
      return { content, signatures, offered }
    } catch (error) {
      return { content, signatures: [damagedSignature(error)], offered: [] }
    }
  }
  const isOpaqueSigned =
    pkcs7Mime.has(inner.contentType.type) &&
    (inner.contentType.params['smime-type'] ?? '').toLowerCase() === 'signed-data'
  if (!isOpaqueSigned) return null
  const writer = createSpool(streaming.tempDir)
  spools.push(writer)
  try {
    const { cms, contentDigests } = await readSignedStream(decodedBodyChunks(inner), (chunk) => writer.write(chunk))
    const content = asEntitySource(writer.finish())
    return { content, ...(await verifyStreamed(cms, contentDigests, context)) }
  } catch (error) {
    return { content: new Uint8Array(), signatures: [damagedSignature(error)], offered: [] }
  }
}

/** Whether `bytes` hold an LF without a CR before it (`previous`: the byte before them). */
function sourceHasBareLf(source: ByteSource, range: { start: number; end: number }): boolean {
  let previous = 0
  for (const chunk of sourceChunksReused(source, range.start, range.end)) {
    if (hasBareLf(chunk, previous)) return true
    previous = chunk[chunk.length - 1] ?? previous
  }
  return false
}

function hasBareLf(bytes: Uint8Array, previous: number): boolean {
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1))
    if ((at === 0 ? previous : bytes[at - 1]) !== 0x0d) return true
  return false
}

/** `bytes` with every bare LF made CRLF (the canonical form, RFC 8551 §3.1.1), chunk by chunk. */
function crlfCanonical(bytes: Uint8Array, previous: number): Uint8Array {
  const pieces: Uint8Array[] = []
  let from = 0
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) {
    if ((at === 0 ? previous : bytes[at - 1]) === 0x0d) continue
    pieces.push(bytes.subarray(from, at), carriageReturn)
    from = at
  }
  pieces.push(bytes.subarray(from))
  return Buffer.concat(pieces)
}
const carriageReturn = new Uint8Array([0x0d])
