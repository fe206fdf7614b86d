import { constants, createHash, createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto'
import * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { reason, SiegelpostError, type Reason } from '../errors/index.ts'
import { emailsOf, matchesSignerIdentifier, parseCertificate, spkiOf } from './certificate.ts'
import { digestNames, sha256SignatureAlgorithmDer, verifySignatureWith } from './signature-algorithm.ts'
import {
  algorithm,
  bytesOf,
  children,
  concat,
  derSetOf,
  explicit,
  int,
  isContext,
  octets,
  oid,
  oidOf,
  parseDer,
  rawOf,
  seq,
  tlv,
  toDer,
} from './der.ts'
import { oids } from './oids.ts'

/**
 * CMS SignedData (RFC 5652 §5) for S/MIME 4.0 (RFC 8551): signing with the attributes mail
 * clients expect and verifying signatures as values (never exceptions). Certificate path
 * checks are not done here; `verifySignedData` returns the signer certificate and the
 * certificates the message carried, and cms-verify.ts adds the path and e-mail checks.
 */

export interface SigningIdentity {
  certificate: Uint8Array
  /** Issuers to include (RFC 8551 §2.5: the signer's chain), not the anchor necessarily. */
  chain: Uint8Array[]
  pkcs8: Uint8Array
}

const what = 'CMS SignedData'
/** SMIMECapabilities we advertise (RFC 8551 §2.5.2), strongest first: what we can decrypt. */
function smimeCapabilities(): Uint8Array {
  return toDer(
    seq(
      seq(oid(oids.aes256Gcm)),
      seq(oid(oids.aes128Gcm)),
      seq(oid(oids.aes256Cbc)),
      seq(oid(oids.aes192Cbc)),
      seq(oid(oids.aes128Cbc)),
      seq(oid(oids.rsaOaep)),
      seq(oid(oids.rsaEncryption)),
    ),
  )
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return tlv(0x30, toDer(oid(type)), tlv(0x31, value))
}

function utcOrGeneralizedTime(date: Date): Uint8Array {
  // RFC 5652 §11.3: UTCTime for 1950–2049.
  const year = date.getUTCFullYear()
  return toDer(
    year >= 1950 && year < 2050
      ? new asn1js.UTCTime({ valueDate: date })
      : new asn1js.GeneralizedTime({ valueDate: date }),
  )
}

/** The SignerInfo for a SHA-256 `digest` of the content, with the RFC 8551 signed attributes. */
export function signerInfoFor(signer: SigningIdentity, digest: Uint8Array, now: Date): Uint8Array {
  const cert = parseCertificate(signer.certificate)
  const privateKey = createPrivateKey({ key: Buffer.from(signer.pkcs8), format: 'der', type: 'pkcs8' })
  const type = privateKey.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec') throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `signing key ${type}` })
  const sid = toDer(seq(cert.issuer.toSchema(), cert.serialNumber))
  const attributes = [
    attribute(oids.contentType, toDer(oid(oids.data))),
    attribute(oids.signingTime, utcOrGeneralizedTime(now)),
    attribute(oids.messageDigest, toDer(octets(digest))),
    attribute(oids.smimeCapabilities, smimeCapabilities()),
    // RFC 8551 §2.5.3: encrypt to this same certificate ([0] IMPLICIT IssuerAndSerialNumber).
    attribute(oids.encryptionKeyPreference, concat([new Uint8Array([0xa0]), sid.subarray(1)])),
  ]
  const signedAttrs = derSetOf(attributes)
  const signature = cryptoSign(
    'sha256',
    signedAttrs,
    type === 'rsa'
      ? { key: privateKey, padding: constants.RSA_PKCS1_PADDING }
      : { key: privateKey, dsaEncoding: 'der' },
  )
  const signatureAlgorithm = sha256SignatureAlgorithmDer(type === 'rsa')
  return tlv(
    0x30,
    toDer(int(1)),
    sid,
    sha256AlgorithmDer(),
    concat([new Uint8Array([0xa0]), signedAttrs.subarray(1)]),
    signatureAlgorithm,
    toDer(octets(signature)),
  )
}

export const sha256AlgorithmDer = () => toDer(algorithm(oids.sha256))

/**
 * Signs `content` (the canonical MIME entity bytes) with SHA-256. `detached` gives the
 * multipart/signed form (application/pkcs7-signature); otherwise the content is inside
 * (application/pkcs7-mime; smime-type=signed-data).
 */
export function signCms(input: {
  content: Uint8Array
  signer: SigningIdentity
  detached: boolean
  now: Date
}): Uint8Array {
  const digest = createHash('sha256').update(input.content).digest()
  return signedDataFor(digest, input.signer, input.now, input.detached ? null : input.content)
}

/** A detached signature over content known only by its SHA-256 digest (content streamed elsewhere). */
export function signDigestDetached(digest: Uint8Array, signer: SigningIdentity, now: Date): Uint8Array {
  return signedDataFor(digest, signer, now, null)
}

function signedDataFor(
  digest: Uint8Array,
  signer: SigningIdentity,
  now: Date,
  encapsulated: Uint8Array | null,
): Uint8Array {
  const signerInfo = signerInfoFor(signer, digest, now)
  const encapContentInfo = encapsulated
    ? tlv(0x30, toDer(oid(oids.data)), toDer(explicit(0, octets(encapsulated))))
    : tlv(0x30, toDer(oid(oids.data)))
  const certificates = tlv(0xa0, signer.certificate, ...signer.chain)
  const signedData = tlv(
    0x30,
    toDer(int(1)),
    tlv(0x31, sha256AlgorithmDer()),
    encapContentInfo,
    certificates,
    tlv(0x31, signerInfo),
  )
  return tlv(0x30, toDer(oid(oids.signedData)), tlv(0xa0, signedData))
}

export interface SignatureCheck {
  /** The cryptographic part only: digest and signature over the content. */
  isSignatureValid: boolean
  /** Why the signature is not valid (the verdict's own code); SIGNATURE_VALID when it is. */
  reason: Reason
  signerCertificate: Uint8Array | null
  /** Every certificate the message carried (candidates for the chain; never trusted by themselves). */
  certificates: Uint8Array[]
  signingTime: Date | null
  digestAlgorithm: string
  /** The signed content: the detached bytes given, or the encapsulated content. */
  content: Uint8Array | null
  signerEmails: string[]
  /** SMIMECapabilities OIDs the signer advertised (RFC 8551 §2.5.2), strongest first. */
  capabilities: string[]
  /** The certificate the signer wants mail encrypted to (encryption key preference, RFC 8551 §2.5.3). */
  encryptionCertificate: Uint8Array | null
}

function attributesOf(signedAttrs: asn1js.AsnType): Map<string, asn1js.AsnType[]> {
  const map = new Map<string, asn1js.AsnType[]>()
  for (const attr of children(signedAttrs, what)) {
    const [type, values] = children(attr, what)
    const id = oidOf(type, what)
    // RFC 5652 §5.3: contentType, messageDigest and signingTime are single-valued and appear once.
    if (map.has(id)) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: `attribute ${id} twice` })
    map.set(id, children(values, what))
  }
  return map
}

function timeOf(node: asn1js.AsnType | undefined): Date | null {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) return node.toDate()
  return null
}

function verifySignatureBytes(
  certificate: Uint8Array,
  algorithmNode: asn1js.AsnType,
  digestName: string,
  data: Uint8Array,
  signature: Uint8Array,
  parse: (der: Uint8Array) => pkijs.Certificate,
): boolean {
  const [algIdNode, params] = children(algorithmNode, what)
  const key = createPublicKey({ key: Buffer.from(spkiOf(parse(certificate))), format: 'der', type: 'spki' })
  return verifySignatureWith(key, oidOf(algIdNode, what), params, data, signature, digestName)
}

/**
 * Checks a SignedData: exactly the signature and digest, as a value. `detachedContent` is the
 * first MIME part of multipart/signed; for opaque signatures leave it out.
 */
export function verifySignedData(input: {
  cms: Uint8Array
  detachedContent?: Uint8Array
  /** Digests of content that was streamed elsewhere (cms-stream.ts), by hash name, instead of the content. */
  contentDigests?: Readonly<Record<string, Uint8Array>>
  knownCertificates?: Uint8Array[]
  /** Parses a certificate (the message's parsed certificates, shared by its checks); parseCertificate if absent. */
  parse?: (der: Uint8Array) => pkijs.Certificate
}): SignatureCheck {
  const parse = input.parse ?? parseCertificate
  const [typeNode, wrapper] = children(parseDer(input.cms, what), what)
  if (oidOf(typeNode, what) !== oids.signedData)
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'not SignedData' })
  const fields = children(children(wrapper, what)[0], what)
  const encap = fields[2]!
  const [eContentType, eContentWrapper] = children(encap, what)
  const eContent = eContentWrapper ? bytesOf(children(eContentWrapper, what)[0], what) : null
  const certSet = fields.find((f) => isContext(f, 0))
  const certificates = certSet
    ? children(certSet, what)
        .filter((c) => c instanceof asn1js.Sequence)
        .map(rawOf)
    : []
  const signerInfos = children(fields[fields.length - 1], what)
  const result: SignatureCheck = {
    isSignatureValid: false,
    reason: reason('SIGNATURE_NO_USABLE'),
    signerCertificate: null,
    certificates,
    signingTime: null,
    digestAlgorithm: '',
    content: input.detachedContent ?? eContent,
    signerEmails: [],
    capabilities: [],
    encryptionCertificate: null,
  }
  if (
    input.detachedContent &&
    eContent &&
    Buffer.compare(Buffer.from(eContent), Buffer.from(input.detachedContent)) !== 0
  ) {
    return { ...result, reason: reason('SIGNATURE_OTHER_CONTENT') }
  }
  if (!result.content && !input.contentDigests) return { ...result, reason: reason('SIGNATURE_CONTENT_MISSING') }
  if (signerInfos.length !== 1)
    return { ...result, reason: reason(signerInfos.length === 0 ? 'SIGNATURE_NO_SIGNER' : 'SIGNATURE_SEVERAL_SIGNERS') }
  const info = children(signerInfos[0], what)
  const [, sid, digestAlgNode] = info
  const signedAttrs = info.find((f) => isContext(f, 0))
  const signatureAlgorithm = info[signedAttrs ? 4 : 3]!
  const signature = bytesOf(info[signedAttrs ? 5 : 4], what)
  const digestOid = oidOf(children(digestAlgNode, what)[0], what)
  const digestName = digestNames[digestOid] ?? `unknown digest ${digestOid}`
  result.digestAlgorithm = digestName

  const pool = [...certificates, ...(input.knownCertificates ?? [])]
  const signer = pool.find((der) => matchesSignerIdentifier(sid!, der, parse))
  if (!signer) return { ...result, reason: reason('SIGNATURE_SIGNER_CERTIFICATE_MISSING') }
  result.signerCertificate = signer
  result.signerEmails = emailsOf(parse(signer))
  if (!['sha256', 'sha384', 'sha512'].includes(digestName))
    return { ...result, reason: reason('SIGNATURE_DIGEST_REFUSED', { digest: digestName }) }

  const digest = input.contentDigests
    ? input.contentDigests[digestName]
    : createHash(digestName).update(result.content!).digest()
  if (!digest) return { ...result, reason: reason('SIGNATURE_NEEDS_CONTENT', { digest: digestName }) }
  let signedBytes: Uint8Array | null = result.content
  if (signedAttrs) {
    const attrs = attributesOf(signedAttrs)
    const messageDigest = attrs.get(oids.messageDigest)?.[0]
    const contentType = attrs.get(oids.contentType)?.[0]
    if (!messageDigest || !contentType) return { ...result, reason: reason('SIGNATURE_ATTRIBUTES_INCOMPLETE') }
    if (oidOf(contentType, what) !== oidOf(eContentType, what))
      return { ...result, reason: reason('SIGNATURE_CONTENT_TYPE_MISMATCH') }
    result.signingTime = timeOf(attrs.get(oids.signingTime)?.[0])
    const capabilities = attrs.get(oids.smimeCapabilities)?.[0]
    if (capabilities) result.capabilities = children(capabilities, what).map((c) => oidOf(children(c, what)[0], what))
    const preference = attrs.get(oids.encryptionKeyPreference)?.[0]
    if (preference && isContext(preference, 0)) {
      const [issuer, serial] = children(preference, what)
      result.encryptionCertificate =
        pool.find((der) => matchesSignerIdentifier(seq(issuer!, serial!), der, parse)) ?? null
    }
    if (Buffer.compare(Buffer.from(bytesOf(messageDigest, what)), digest) !== 0)
      return { ...result, reason: reason('SIGNATURE_CONTENT_CHANGED') }
    // RFC 5652 §5.4: the signature covers the DER of the attributes with a SET OF tag.
    signedBytes = concat([new Uint8Array([0x31]), rawOf(signedAttrs).subarray(1)])
  } else if (oidOf(eContentType, what) !== oids.data) {
    return { ...result, reason: reason('SIGNATURE_ATTRIBUTES_MISSING') }
  }
  if (!signedBytes) return { ...result, reason: reason('SIGNATURE_NEEDS_CONTENT', { digest: digestName }) }
  let ok: boolean
  try {
    ok = verifySignatureBytes(signer, signatureAlgorithm, digestName, signedBytes, signature, parse)
  } catch {
    ok = false
  }
  return {
    ...result,
    isSignatureValid: ok,
    reason: ok ? reason('SIGNATURE_VALID') : reason('SIGNATURE_CONTENT_MISMATCH', { detail: 'RSA/ECDSA check failed' }),
  }
}

/**
 * How to encrypt to someone, from what their signed mail advertised: RSA-OAEP and AES-GCM
 * (AuthEnvelopedData) only when listed; otherwise PKCS#1 v1.5 and AES-256-CBC, which every
 * S/MIME client reads: PKCS#1 v1.5 is the default because it reaches the most recipients.
 */
export function encryptionChoiceFrom(capabilities: readonly string[]): {
  keyTransport: 'rsa-pkcs1' | 'rsa-oaep'
  cipher: 'aes-256-cbc' | 'aes-256-gcm'
} {
  return {
    keyTransport: capabilities.includes(oids.rsaOaep) ? 'rsa-oaep' : 'rsa-pkcs1',
    cipher: capabilities.includes(oids.aes256Gcm) ? 'aes-256-gcm' : 'aes-256-cbc',
  }
}
