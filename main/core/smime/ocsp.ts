import { createHash, createPublicKey } from 'node:crypto'
import * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { limits } from '../limits.ts'
import { extension, extKeyUsageOf, parseCertificate, spkiOf } from './certificate.ts'
import { algorithm, bytesOf, children, isContext, nul, octets, oidOf, parseDer, rawOf, seq, toDer } from './der.ts'
import { generalNameTags } from './general-name.ts'
import { extensionIds, oids } from './oids.ts'
import { verifySignatureWith } from './signature-algorithm.ts'

/**
 * OCSP (RFC 6960) for message signatures: request for one certificate, response checked
 * (signed by the issuer or by a responder certificate the issuer gave id-kp-OCSPSigning, for
 * this serial, fresh at `now`). The transport is an argument (HTTP POST in the app; a local
 * responder in tests). Any doubt is "unknown" — soft-fail is the caller's policy.
 */
export type OcspTransport = (url: string, request: Uint8Array) => Promise<Uint8Array | null>
export type OcspStatus = 'good' | 'revoked' | 'unknown'
/** A checked answer; for 'revoked' the revocationTime and CRLReason (0 = unspecified when absent). */
export interface OcspAnswer {
  status: OcspStatus
  revokedAt?: Date
  reason?: number
}

const what = 'OCSP'

/** OCSP responder URLs from authorityInfoAccess (id-ad-ocsp, http only); none when unreadable. */
export function ocspUrlsOf(
  der: Uint8Array,
  parse: (der: Uint8Array) => pkijs.Certificate = parseCertificate,
): string[] {
  try {
    return responderUrls(parse(der))
  } catch {
    return []
  }
}

const uriTag = generalNameTags.uniformResourceIdentifier

function responderUrls(cert: pkijs.Certificate): string[] {
  const ext = extension(cert, extensionIds.authorityInfoAccess)
  if (!ext) return []
  return children(parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'AIA'), 'AIA')
    .map((access) => children(access, 'AIA'))
    .filter(([method, location]) => oidOf(method, 'AIA') === oids.accessMethodOcsp && isContext(location, uriTag))
    .map(([, location]) => Buffer.from(bytesOf(location, 'AIA')).toString('latin1'))
    .filter((url) => /^http:\/\//i.test(url))
}

function certId(
  certificate: Uint8Array,
  issuer: Uint8Array,
): { node: asn1js.Sequence; serial: Uint8Array; keyHash: Buffer } {
  const cert = parseCertificate(certificate)
  const issuerCert = parseCertificate(issuer)
  const nameHash = createHash('sha1').update(toDer(cert.issuer)).digest()
  const keyHash = createHash('sha1')
    .update(new Uint8Array(issuerCert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView))
    .digest()
  const serial = toDer(cert.serialNumber)
  return {
    node: seq(algorithm(oids.sha1, nul()), octets(nameHash), octets(keyHash), cert.serialNumber),
    serial,
    keyHash,
  }
}

export function ocspRequestFor(certificate: Uint8Array, issuer: Uint8Array): Uint8Array {
  return toDer(seq(seq(seq(seq(certId(certificate, issuer).node)))))
}

/** Checks an OCSPResponse for `certificate`; anything not provably good or revoked is 'unknown'. */
export function ocspStatusFrom(
  response: Uint8Array,
  certificate: Uint8Array,
  issuer: Uint8Array,
  now: Date,
): OcspStatus {
  return ocspAnswerFrom(response, certificate, issuer, now).status
}

export function ocspAnswerFrom(
  response: Uint8Array,
  certificate: Uint8Array,
  issuer: Uint8Array,
  now: Date,
): OcspAnswer {
  const unknown: OcspAnswer = { status: 'unknown' }
  try {
    const [status, bytes] = children(parseDer(response, what), what)
    if ((status as asn1js.Enumerated).valueBlock.valueDec !== 0 || !bytes) return unknown
    const [type, basic] = children(children(bytes, what)[0], what)
    if (oidOf(type, what) !== oids.ocspBasicResponse) return unknown
    const [tbs, sigAlg, signature, certsField] = children(parseDer(bytesOf(basic, what), what), what)
    const [sigAlgId, sigParams] = children(sigAlg, what)
    const signatureBytes = new Uint8Array((signature as asn1js.BitString).valueBlock.valueHexView)
    const issuerKey = createPublicKey({
      key: Buffer.from(spkiOf(parseCertificate(issuer))),
      format: 'der',
      type: 'spki',
    })
    const verifyWith = (key: ReturnType<typeof createPublicKey>) =>
      verifySignatureWith(key, oidOf(sigAlgId, what), sigParams, rawOf(tbs!), signatureBytes)
    let trusted = verifyWith(issuerKey)
    if (!trusted && certsField) {
      // a delegated responder: issued by the issuer for OCSP signing (RFC 6960 §4.2.2.2)
      for (const responder of children(children(certsField, what)[0], what).map(rawOf)) {
        const cert = parseCertificate(responder)
        const issuedByIssuer = verifySignatureWith(
          issuerKey,
          cert.signatureAlgorithm.algorithmId,
          cert.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined,
          cert.tbsView,
          new Uint8Array(cert.signatureValue.valueBlock.valueHexView),
        )
        if (!issuedByIssuer || !(extKeyUsageOf(cert) ?? []).includes(oids.ocspSigning)) continue
        if (verifyWith(createPublicKey({ key: Buffer.from(spkiOf(cert)), format: 'der', type: 'spki' }))) trusted = true
      }
    }
    if (!trusted) return unknown
    const fields = children(tbs, what)
    const responses = fields.find(
      (f, i) => i > 0 && f instanceof asn1js.Sequence && children(f, what).every((r) => r instanceof asn1js.Sequence),
    )
    const wanted = certId(certificate, issuer)
    for (const single of responses ? children(responses, what) : []) {
      const [id, certStatus, thisUpdate, ...rest] = children(single, what)
      const [, , keyHash, serial] = children(id, what)
      if (
        Buffer.compare(Buffer.from(rawOf(serial!)), Buffer.from(wanted.serial)) !== 0 ||
        !wanted.keyHash.equals(Buffer.from(bytesOf(keyHash, what)))
      )
        continue
      if ((thisUpdate as asn1js.GeneralizedTime).toDate().getTime() > now.getTime() + 5 * 60 * 1000) return unknown
      const next = rest.find((f) => isContext(f, 0))
      if (next && (children(next, what)[0] as asn1js.GeneralizedTime).toDate() < now) return unknown
      if (isContext(certStatus, 0)) return { status: 'good' }
      if (isContext(certStatus, 1)) {
        const [time, reason] = children(certStatus, what)
        const reasonCode =
          reason && isContext(reason, 0) ? (children(reason, what)[0] as asn1js.Enumerated).valueBlock.valueDec : 0
        return { status: 'revoked', revokedAt: (time as asn1js.GeneralizedTime).toDate(), reason: reasonCode }
      }
      return unknown
    }
    return unknown
  } catch {
    return unknown
  }
}

/**
 * Asks the certificate's OCSP responders, all at once so the whole check stays within one timeout
 * (CLI.md: 3 s); the first definite answer in the certificate's order wins.
 */
export async function ocspStatus(
  certificate: Uint8Array,
  issuer: Uint8Array,
  transport: OcspTransport,
  now: Date,
  parse: (der: Uint8Array) => pkijs.Certificate = parseCertificate,
): Promise<OcspAnswer> {
  const urls = ocspUrlsOf(certificate, parse).slice(0, limits.revocationMaxFetches)
  if (urls.length === 0) return { status: 'unknown' }
  let request: Uint8Array
  try {
    request = ocspRequestFor(certificate, issuer)
  } catch {
    return { status: 'unknown' }
  }
  const answers = await Promise.all(
    urls.map(async (url) => {
      const response = await transport(url, request).catch(() => null)
      return response ? ocspAnswerFrom(response, certificate, issuer, now) : { status: 'unknown' as const }
    }),
  )
  return answers.find((answer) => answer.status !== 'unknown') ?? { status: 'unknown' }
}
