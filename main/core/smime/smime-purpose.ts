import type * as pkijs from 'pkijs'
import {
  basicConstraintsOf,
  emailsOf,
  extKeyUsageOf,
  isSelfIssued,
  keyUsageOf,
  parseCertificate,
} from './certificate.ts'
import { oids } from './oids.ts'
import { weakSignatureAlgorithms } from './signature-algorithm.ts'

/**
 * The S/MIME acceptance rules on top of RFC 5280 (RFC 8550 §4.4): the end-entity certificate is
 * for e-mail protection, may sign (or encrypt), carries an address, and nothing on the path
 * is signed with SHA-1 or MD5. Returns the first problem, or null. `parse`: the message's parsed certificates.
 */
export function smimePurposeProblem(
  target: Uint8Array,
  path: Uint8Array[],
  use: 'sign' | 'encrypt' | 'any',
  parse: (der: Uint8Array) => pkijs.Certificate = parseCertificate,
): string | null {
  const cert = parse(target)
  if (basicConstraintsOf(cert).isCA) return 'the certificate is a CA certificate, not a personal one'
  const eku = extKeyUsageOf(cert)
  if (eku && !eku.includes(oids.emailProtection) && !eku.includes(oids.anyExtendedKeyUsage))
    return 'the certificate is not issued for e-mail protection (extended key usage)'
  const ku = keyUsageOf(cert)
  if (ku && use === 'sign' && !ku.has('digitalSignature') && !ku.has('nonRepudiation'))
    return 'the certificate may not sign (key usage)'
  if (ku && use === 'encrypt' && !ku.has('keyEncipherment') && !ku.has('keyAgreement'))
    return 'the certificate may not encrypt (key usage)'
  if (
    ku &&
    use === 'any' &&
    !['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'keyAgreement'].some((bit) => ku.has(bit))
  ) {
    return 'the certificate may neither sign nor encrypt (key usage)'
  }
  if (emailsOf(cert).length === 0) return 'the certificate carries no e-mail address'
  // A root's self-signature proves nothing (the anchor is trusted as such), so only issued certificates count.
  const issued = [cert, ...path.map((der) => parse(der))].filter((c: pkijs.Certificate) => !isSelfIssued(c))
  const weak = issued.find((c) => weakSignatureAlgorithms.has(c.signatureAlgorithm.algorithmId))
  if (weak) return 'a certificate on the path is signed with SHA-1 or MD5'
  return null
}
