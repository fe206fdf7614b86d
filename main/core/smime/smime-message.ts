import { createHash } from 'node:crypto'
import { summarizeKey, type StoredKey } from '../keys/stored-key.ts'
import { limits } from '../limits.ts'
import { sourceChunks, type ByteSource } from '../mime/byte-source.ts'
import { base64Lines, base64LinesStream, entity, entityHead, multipart, multipartStream, type HeaderList } from '../mime/build.ts'
import { bodyLength, decodeBody, decodedBodyChunks, headerValue, isStreamedPart, parseMime, type MimePart } from '../mime/parse.ts'
import type { DecryptOutcome, MessageTechnology, OfferedKey, OpenContext, SignatureCheck, StreamingContext } from '../message/technology.ts'
import { createSpool } from '../store/spool.ts'
import { basicConstraintsOf, certificatesFromSignedData, emailsOf, parseCertificate, sha256Hex } from './certificate.ts'
import { decryptCms, encryptCms, type ContentCipher, type EncryptRecipient, type KeyTransport } from './cms-envelope.ts'
import { signCms, signDigestDetached } from './cms-signed.ts'
import { contentHashesOf, readSignedStream } from './cms-stream.ts'
import type { SmimeStreamResult } from './cms-stream-job.ts'
import { verifySmimeSignature, verifySmimeSignatureOnline } from './cms-verify.ts'
import { bytesOf, children, oidOf, oids, parseDer } from './der.ts'
import { certificateToStoredKey, fromB64, smimeMaterial } from './smime-keys.ts'
import { smimeThroughWorker } from './stream-port.ts'

/**
 * S/MIME 4.0 (RFC 8551) as a message technology for `open` and `compose`: application/pkcs7-mime
 * enveloped-data / authEnveloped-data / signed-data, and multipart/signed with
 * application/pkcs7-signature (and the old x-pkcs7-* names). The CMS work is cms-*.ts; this file
 * only maps MIME to CMS and CMS verdicts to the neutral SignatureCheck of message/technology.ts.
 *
 * Key choice when composing (documented in the README): a recipient's certificate is usable when
 * it is in the vault, valid now, carries the address and allows encryption. The key transport and
 * content cipher follow what the recipient advertised (SMIMECapabilities recorded with the
 * certificate as `material.capabilities` by `keys import MAIL.eml`): RSA-OAEP only when advertised,
 * else PKCS#1 v1.5; AuthEnvelopedData (AES-256-GCM) only when every recipient advertised it, else
 * AES-256-CBC. The sender's own certificate counts as advertising what Siegelpost reads.
 */

const pkcs7Mime = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime'])
const pkcs7Signature = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature'])
const what = 'S/MIME'

/**
 * CMS content that is not a MIME entity (`openssl cms -encrypt` of a bare text file): shown as
 * text/plain with an empty header block, never with its first line taken for a header field.
 */
function asEntity(content: Uint8Array): Uint8Array {
  return isEntity(content) ? content : Buffer.concat([Buffer.from('\r\n'), content])
}

function isEntity(content: Uint8Array): boolean {
  const head = Buffer.from(content.subarray(0, 200)).toString('latin1')
  return /^[!-9;-~]+:/.test(head) || head.startsWith('\r\n') || head.startsWith('\n')
}

/** asEntity for content in a spool: the same empty header block in front, without copying it. */
function asEntitySource(content: ByteSource): ByteSource {
  if (isEntity(content.read(0, 200))) return content
  const blank = new Uint8Array([0x0d, 0x0a])
  return {
    length: content.length + 2,
    read: (start, end) => {
      const stop = Math.min(end, content.length + 2)
      if (stop <= start) return new Uint8Array(0)
      const head = blank.slice(Math.min(start, 2), Math.min(stop, 2))
      return head.length === 0 ? content.read(start - 2, stop - 2) : Buffer.concat([head, content.read(0, Math.max(0, stop - 2))])
    },
  }
}

/** The CMS content type of a pkcs7-mime part: from smime-type, else from the DER itself (old clients omit it). */
function cmsTypeOf(part: MimePart): 'enveloped' | 'signed' | 'certs-only' | null {
  const type = part.contentType.type
  const isP7m = pkcs7Mime.has(type) || (type === 'application/octet-stream' && /\.p7m$/i.test(part.contentType.params.name ?? ''))
  if (!isP7m || part.children.length > 0) return null
  const smimeType = (part.contentType.params['smime-type'] ?? '').toLowerCase()
  if (smimeType === 'enveloped-data' || smimeType === 'authenveloped-data') return 'enveloped'
  if (smimeType === 'signed-data') return 'signed'
  if (smimeType === 'certs-only') return 'certs-only'
  try {
    const id = oidOf(children(parseDer(decodeBody(part), what), what)[0], what)
    if (id === oids.envelopedData || id === oids.authEnvelopedData) return 'enveloped'
    if (id === oids.signedData) return 'signed'
  } catch {
    // not readable CMS: not ours
  }
  return null
}

const isDetachedSigned = (part: MimePart) =>
  part.contentType.type === 'multipart/signed' && pkcs7Signature.has((part.contentType.params.protocol ?? '').toLowerCase()) && part.children.length >= 2

function smimeKeys(keys: readonly StoredKey[]): StoredKey[] {
  return keys.filter((key) => key.technology === 'smime' && smimeMaterial(key).certificate)
}

function anchorsOf(keys: readonly StoredKey[]): Uint8Array[] {
  return smimeKeys(keys)
    .filter((key) => smimeMaterial(key).trustAnchor)
    .map((key) => fromB64(smimeMaterial(key).certificate))
}

/** Certificates the vault holds (own and others', their chains): candidates for paths, never anchors. */
function knownCertificates(keys: readonly StoredKey[]): Uint8Array[] {
  return smimeKeys(keys).flatMap((key) => [fromB64(smimeMaterial(key).certificate), ...smimeMaterial(key).chain.map(fromB64)])
}

/**
 * Certificates that arrived with a signature, remembered by the content object `verify` returned
 * — or, for a large message, the spool source `decrypt` returned — for offeredKeys.
 */
const carriedCertificates = new WeakMap<object, Uint8Array[]>()

async function verifyCms(
  cms: Uint8Array,
  detachedContent: Uint8Array | undefined,
  context: OpenContext,
  dateHeader: Date | null,
  contentDigests?: Readonly<Record<string, Uint8Array>>,
): Promise<{ content: Uint8Array; signatures: SignatureCheck[] }> {
  const keys = smimeKeys(context.keys)
  const input = {
    cms,
    ...(detachedContent ? { detachedContent } : {}),
    ...(contentDigests ? { contentDigests } : {}),
    from: null, // the neutral layer binds the signer to every From address (open.ts)
    anchors: anchorsOf(keys),
    intermediates: knownCertificates(keys),
    knownCertificates: knownCertificates(keys),
    now: context.now,
    dateHeader,
  }
  // Revocation is soft-fail (CLI.md): unreachable or absent CRL/OCSP keeps `valid` and is said in the reason.
  const verdict = context.revocation
    ? await verifySmimeSignatureOnline({ ...input, fetcher: context.revocation.crl, ocsp: context.revocation.ocsp })
    : verifySmimeSignature({ ...input, crls: null })
  const content = detachedContent ?? asEntity(verdict.content ?? new Uint8Array())
  const carried = verdict.certificates
  carriedCertificates.set(content, carried)
  const signerDer = carried.find((der) => sha256Hex(der) === verdict.signerFingerprint) ?? knownCertificates(keys).find((der) => sha256Hex(der) === verdict.signerFingerprint)
  // The vault's entry when the certificate is known (its acceptance counts); else a transient one, never stored.
  const key = verdict.signerFingerprint
    ? (keys.find((k) => k.fingerprint === verdict.signerFingerprint) ?? (signerDer ? certificateToStoredKey(signerDer, { chain: carried.filter((der) => der !== signerDer) }) : null))
    : null
  const created = verdict.signingTime ? new Date(verdict.signingTime) : null
  const keyId = verdict.signerFingerprint ?? ''
  let check: SignatureCheck
  if (verdict.state === 'valid') {
    // Revocation in `open` is soft-fail (CLI.md): said in the reason, the verdict stays valid.
    check = { result: 'good', key, keyId, created, reason: verdict.reason.replace('revocation not checked', 'revocation not checked (no CRL/OCSP available: soft-fail)') }
  } else if (verdict.state === 'unknown-key') {
    check = { result: 'unknown-key', key: null, keyId, created, reason: verdict.reason }
  } else {
    check = { result: 'bad', key, keyId, created, reason: verdict.reason || 'the signature is not valid' }
  }
  return { content, signatures: [check] }
}

/** What Siegelpost itself reads (and advertises in its signatures): the sender's own copy may use it. */
const ownCapabilities: readonly string[] = [oids.aes256Gcm, oids.rsaOaep]

function keyTransportFor(key: StoredKey): { keyTransport: KeyTransport; gcm: boolean } {
  const capabilities = (key.material as { capabilities?: unknown }).capabilities
  const list = Array.isArray(capabilities) ? capabilities.map(String) : smimeMaterial(key).privateKey ? ownCapabilities : []
  return { keyTransport: list.includes(oids.rsaOaep) ? 'rsa-oaep' : 'rsa-pkcs1', gcm: list.includes(oids.aes256Gcm) }
}

function signingIdentity(signer: StoredKey) {
  const material = smimeMaterial(signer)
  return { certificate: fromB64(material.certificate), chain: material.chain.map(fromB64), pkcs8: fromB64(material.privateKey!) }
}

const pkcs7MimeHeaders = (smimeType: string): HeaderList => [
  ['Content-Type', `application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"`],
  ['Content-Transfer-Encoding', 'base64'],
  ['Content-Disposition', 'attachment; filename="smime.p7m"'],
  ['Content-Description', 'S/MIME Encrypted Message'],
]

function pkcs7MimeEntity(smimeType: string, cms: Uint8Array): Uint8Array {
  return entity(pkcs7MimeHeaders(smimeType), base64Lines(cms))
}

const signedParams = { protocol: 'application/pkcs7-signature', micalg: 'sha-256' }

function signaturePartFor(cms: Uint8Array): Uint8Array {
  return entity(
    [
      ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
      ['Content-Transfer-Encoding', 'base64'],
      ['Content-Disposition', 'attachment; filename="smime.p7s"'],
      ['Content-Description', 'S/MIME Cryptographic Signature'],
    ],
    base64Lines(cms),
  )
}

function signDetached(content: Uint8Array, signer: StoredKey, now: Date): Uint8Array {
  const cms = signCms({ content, signer: signingIdentity(signer), detached: true, now })
  return multipart('signed', signedParams, [content, signaturePartFor(cms)])
}

/** signDetached over content that arrives in chunks: hashed on its way through, the signature part after it. */
function signDetachedStream(content: AsyncIterable<Uint8Array>, signer: StoredKey, now: Date): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256')
  async function* hashed() {
    for await (const chunk of content) {
      hash.update(chunk)
      yield chunk
    }
  }
  // multipartStream reads its children in order: the signature is made once the content has passed.
  async function* signature() {
    yield signaturePartFor(signDigestDetached(hash.digest(), signingIdentity(signer), now))
  }
  return multipartStream('signed', signedParams, [hashed(), signature()])
}

/** The envelope's recipients and content cipher, as the recipients advertised (see the top of this file). */
function envelopeFor(recipients: readonly StoredKey[]): { encryptTo: EncryptRecipient[]; cipher: ContentCipher } {
  const choices = recipients.map(keyTransportFor)
  const cipher: ContentCipher = choices.every((c) => c.gcm) ? 'aes-256-gcm' : 'aes-256-cbc'
  const encryptTo: EncryptRecipient[] = recipients.map((key, index) => ({ certificate: fromB64(smimeMaterial(key).certificate), keyTransport: choices[index]!.keyTransport }))
  return { encryptTo, cipher }
}

const smimeTypeOf = (cipher: ContentCipher) => (cipher === 'aes-256-gcm' ? 'authEnveloped-data' : 'enveloped-data')

/** Encrypted parts from this (transfer-encoded) size on are decrypted in the worker into an encrypted spool. */
const streamFromBytes = 1024 * 1024

const decryptIdentity = (key: StoredKey) => ({ certificate: fromB64(smimeMaterial(key).certificate), pkcs8: fromB64(smimeMaterial(key).privateKey!) })

/** Bytes [start, end) of a source as a source of their own. */
function sliceSource(source: ByteSource, start: number, end: number): ByteSource {
  return { length: end - start, read: (from, to) => source.read(start + from, start + Math.min(to, end - start)) }
}

/** A signature that could not even be read: the content is shown, the signature is invalid (as in `verify`). */
function damagedSignature(error: unknown): SignatureCheck {
  const reason = `the signature is damaged (${error instanceof Error ? error.message.split('\n')[0]!.slice(0, 160) : 'unreadable'})`
  return { result: 'bad', key: null, keyId: '', created: null, reason }
}

const dateHeaderOf = (part: MimePart) => {
  const date = Date.parse(headerValue(part, 'date') ?? '')
  return Number.isNaN(date) ? null : new Date(date)
}

/**
 * A large enveloped / authEnveloped part (issue 4 §8): the CMS is read from the mail in chunks
 * and decrypted in the worker into an encrypted spool. Nothing of it is handed out before the
 * worker finished (GCM tag / CBC padding checked) and the inner signature has been checked with
 * the same verification as `verify` (path validation, revocation context) — over digests taken
 * in chunks from the spool instead of the bytes in memory. On any failure the spools are deleted.
 */
async function decryptLarge(part: MimePart, own: StoredKey[], context: OpenContext, streaming: StreamingContext): Promise<DecryptOutcome> {
  const isBase64 = (headerValue(part, 'content-transfer-encoding') ?? '').trim().toLowerCase() === 'base64'
  const total = isBase64 ? Math.floor((bodyLength(part) * 3) / 4) : bodyLength(part)
  const spools: { dispose(): void }[] = []
  try {
    const writer = createSpool(streaming.tempDir)
    spools.push(writer)
    const run = smimeThroughWorker(streaming, decodedBodyChunks(part), { kind: 'decrypt', identities: own.map(decryptIdentity) }, total)
    let step = await run.next()
    try {
      for (; !step.done; step = await run.next()) writer.write(step.value)
    } finally {
      // Our side failed (the spool): the worker is ended too (a finished run ignores this).
      if (!step.done) await run.return(undefined as never)
    }
    const result = step.value as Extract<SmimeStreamResult, { kind: 'decrypt' }>
    const decrypted = writer.finish()
    const key = own[result.identity]!
    const recipients = [`${key.emails[0] ?? key.name} (${result.contentAlgorithm})`]
    // Nested signatures (a gateway signing a signed mail) as open.ts checks them in memory: every layer must check out.
    let content: ByteSource | Uint8Array = asEntitySource(decrypted)
    const signatures: SignatureCheck[] = []
    for (let depth = 0; depth < limits.messageMaxSignatureLayers && !(content instanceof Uint8Array); depth++) {
      const layer: { content: ByteSource | Uint8Array; signatures: SignatureCheck[] } | null = await verifyLargeInner(parseMime(content), content, context, streaming, spools)
      if (!layer) break
      signatures.push(...layer.signatures)
      content = layer.content
    }
    for (const spool of spools) streaming.keep?.(() => spool.dispose())
    if (!streaming.keep) spools.forEach((spool) => spool.dispose())
    return { ok: true, content, signatures, recipients }
  } catch (error) {
    spools.forEach((spool) => spool.dispose())
    const code = (error as { code?: string }).code
    if (code === 'SMIME_UNSUPPORTED' || code === 'SMIME_MALFORMED') return { ok: false, reason: `the encrypted part cannot be read: ${(error as Error).message}` }
    if (code === 'SMIME_DECRYPT_FAILED') return { ok: false, reason: notDecrypted }
    throw error
  }
}

/**
 * The signature inside a large decrypted entity, checked in chunks: multipart/signed (what
 * Siegelpost, `openssl cms -sign` and most clients write) or opaque signed-data (whose content
 * goes to a second spool). Null when the entity is not signed (the caller shows it as it is).
 */
async function verifyLargeInner(inner: MimePart, decrypted: ByteSource, context: OpenContext, streaming: StreamingContext, spools: { dispose(): void }[]) {
  const dateHeader = dateHeaderOf(inner)
  if (isDetachedSigned(inner)) {
    const signed = inner.children[0]!
    const range = signed.rawRange!
    const content = sliceSource(decrypted, range.start, range.end)
    try {
      const cms = decodeBody(signaturePartOf(inner))
      let sawBareLf = false
      const digestsOf = (canonical: boolean) => {
        // A SignedData too damaged to name its digests: verifySmimeSignature says why, as in memory.
        let hashes: Map<string, ReturnType<typeof createHash>>
        try {
          hashes = contentHashesOf(cms)
        } catch {
          hashes = new Map()
        }
        let previous = 0
        for (const chunk of sourceChunks(decrypted, range.start, range.end)) {
          if (!canonical) sawBareLf ||= hasBareLf(chunk, previous)
          const bytes = canonical ? crlfCanonical(chunk, previous) : chunk
          hashes.forEach((hash) => hash.update(bytes))
          previous = chunk[chunk.length - 1] ?? previous
        }
        return Object.fromEntries([...hashes].map(([name, hash]) => [name, new Uint8Array(hash.digest())]))
      }
      let signatures = await verifyStreamed(cms, digestsOf(false), content, context, dateHeader)
      // As verifySmimeSignature does in memory: a signer that signed the CRLF form of a part we got with bare LFs.
      if (sawBareLf && signatures.some((check) => check.result === 'bad')) {
        const retry = await verifyStreamed(cms, digestsOf(true), content, context, dateHeader)
        if (retry.every((check) => check.result !== 'bad')) signatures = retry
      }
      return { content, signatures }
    } catch (error) {
      return { content, signatures: [damagedSignature(error)] }
    }
  }
  const isOpaqueSigned = pkcs7Mime.has(inner.contentType.type) && (inner.contentType.params['smime-type'] ?? '').toLowerCase() === 'signed-data'
  if (!isOpaqueSigned) return null
  const writer = createSpool(streaming.tempDir)
  spools.push(writer)
  try {
    const { cms, contentDigests } = await readSignedStream(decodedBodyChunks(inner), (chunk) => writer.write(chunk))
    const content = asEntitySource(writer.finish())
    return { content, signatures: await verifyStreamed(cms, contentDigests, content, context, dateHeader) }
  } catch (error) {
    return { content: new Uint8Array(), signatures: [damagedSignature(error)] }
  }
}

/** Whether `bytes` hold an LF without a CR before it (`previous`: the byte before them). */
function hasBareLf(bytes: Uint8Array, previous: number): boolean {
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) if ((at === 0 ? previous : bytes[at - 1]) !== 0x0d) return true
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

/** verifyCms over digests; the certificates the signature carried are remembered by `content` (for offeredKeys). */
async function verifyStreamed(cms: Uint8Array, contentDigests: Record<string, Uint8Array>, content: ByteSource, context: OpenContext, dateHeader: Date | null) {
  const checked = await verifyCms(cms, undefined, context, dateHeader, contentDigests)
  carriedCertificates.set(content, carriedCertificates.get(checked.content) ?? [])
  return checked.signatures
}

const signaturePartOf = (part: MimePart) => part.children.find((child, index) => index > 0 && pkcs7Signature.has(child.contentType.type)) ?? part.children[1]!

/** One reason for every failure (not a recipient, wrong key, damaged data): no decryption oracle. */
const notDecrypted = 'the message could not be decrypted with any S/MIME key in your vault (not encrypted to you, or damaged)'

export const smimeMessageTechnology: MessageTechnology = {
  technology: 'smime',
  isEncrypted: (part) => cmsTypeOf(part) === 'enveloped',
  isSigned: (part) => isDetachedSigned(part) || cmsTypeOf(part) === 'signed',

  opaqueSignedContent(part) {
    if (cmsTypeOf(part) !== 'signed') return null
    try {
      const [, wrapper] = children(parseDer(decodeBody(part), what), what)
      const encap = children(children(wrapper, what)[0], what)[2]
      const eContent = children(children(encap, what)[1], what)[0]
      return eContent ? parseMime(bytesOf(eContent, what)) : null
    } catch {
      return null
    }
  },

  async decrypt(part, context): Promise<DecryptOutcome> {
    const own = smimeKeys(context.keys).filter((key) => key.hasSecret && smimeMaterial(key).privateKey)
    if (own.length === 0) return { ok: false, reason: 'the message is encrypted with S/MIME, but the vault holds no S/MIME certificate with a private key; import your .p12' }
    const streaming = context.streaming
    if (streaming && bodyLength(part) >= (streaming.fromBytes ?? streamFromBytes)) return decryptLarge(part, own, context, streaming)
    let cms: Uint8Array
    try {
      cms = decodeBody(part)
    } catch {
      return { ok: false, reason: 'the encrypted part is damaged' }
    }
    for (const key of own) {
      try {
        const material = smimeMaterial(key)
        const result = decryptCms({ cms, identities: [{ certificate: fromB64(material.certificate), pkcs8: fromB64(material.privateKey!) }] })
        return { ok: true, content: asEntity(result.content), signatures: [], recipients: [`${key.emails[0] ?? key.name} (${result.contentAlgorithm})`] }
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code === 'SMIME_UNSUPPORTED' || code === 'SMIME_MALFORMED') return { ok: false, reason: `the encrypted part cannot be read: ${(error as Error).message}` }
      }
    }
    return { ok: false, reason: notDecrypted }
  },

  async verify(part, context) {
    const detached = isDetachedSigned(part)
    // The signed entity's own Date field (the message root, or protected headers): a gap to signingTime is a warning.
    const dateHeader = dateHeaderOf(part)
    try {
      if (detached) return await verifyCms(decodeBody(signaturePartOf(part)), part.children[0]!.raw, context, dateHeader)
      return await verifyCms(decodeBody(part), undefined, context, dateHeader)
    } catch (error) {
      // Bad input never ends `open`: the content (if any) is shown, the signature is invalid.
      return { content: detached ? part.children[0]!.raw : new Uint8Array(), signatures: [damagedSignature(error)] }
    }
  },

  async offeredKeys(root, parts): Promise<OfferedKey[]> {
    const offered: OfferedKey[] = []
    const candidates: Uint8Array[] = []
    // A large part of a file or spool is never a verified content object (those are in memory).
    for (const part of [root, ...parts]) {
      if (!isStreamedPart(part)) candidates.push(...(carriedCertificates.get(part.raw) ?? []))
      if (part.path === '') candidates.push(...(carriedCertificates.get(part.bodyRange.source) ?? []))
    }
    for (const part of parts) {
      if (cmsTypeOf(part) !== 'certs-only' || bodyLength(part) > 1024 * 1024) continue
      try {
        candidates.push(...certificatesFromSignedData(decodeBody(part)))
      } catch {
        // unreadable: nothing to offer
      }
    }
    for (const der of candidates) {
      try {
        const cert = parseCertificate(der)
        const fingerprint = sha256Hex(der)
        if (basicConstraintsOf(cert).isCA || offered.some((o) => o.fingerprint === fingerprint)) continue
        offered.push({ source: 'signature', technology: 'smime', fingerprint, emails: emailsOf(cert), isKnown: false })
      } catch {
        // a damaged certificate is not offered
      }
    }
    return offered
  },

  keyFor(keys, address, purpose, now) {
    const wanted = address.toLowerCase()
    const candidates = smimeKeys(keys).filter((key) => {
      if (smimeMaterial(key).trustAnchor || !key.emails.includes(wanted)) return false
      if (summarizeKey(key, now).status !== 'valid' || !key.usage.includes(purpose)) return false
      return purpose === 'encrypt' || Boolean(smimeMaterial(key).privateKey)
    })
    candidates.sort((a, b) => Number(b.acceptance === 'verified') - Number(a.acceptance === 'verified') || Date.parse(b.created) - Date.parse(a.created))
    return candidates[0] ?? null
  },

  async sign(content, signer, now) {
    return signDetached(content, signer, now)
  },

  async encrypt(content, recipients, signer, now) {
    // Sign-then-encrypt (RFC 8551 §3.7): the signed entity inside the envelope, no outer signature.
    const inner = signer ? signDetached(content, signer, now) : content
    const { encryptTo, cipher } = envelopeFor(recipients)
    return pkcs7MimeEntity(smimeTypeOf(cipher), encryptCms({ content: inner, recipients: encryptTo, cipher }))
  },

  signStream(content, signer, now) {
    // The same entity as sign: a detached signature over the content, hashed as it passes.
    return signDetachedStream(content, signer, now)
  },

  encryptStream(content, contentSize, recipients, signer, now, streaming) {
    // The same entity as encrypt: sign-then-encrypt, the signed entity streamed through the worker's envelope.
    const inner = signer ? signDetachedStream(content, signer, now) : content
    const { encryptTo, cipher } = envelopeFor(recipients)
    return (async function* () {
      yield entityHead(pkcs7MimeHeaders(smimeTypeOf(cipher)))
      yield* base64LinesStream(smimeThroughWorker(streaming, inner, { kind: 'encrypt', recipients: encryptTo, cipher }, contentSize))
    })()
  },
}
