import { limits } from '../limits.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { basicConstraintsOf, isSelfIssued, isSignedBy, nameToString, parseCertificate } from './certificate.ts'
import { fromB64, smimeMaterial } from './smime-keys.ts'

/**
 * Whether the chain of a person's certificate can be built from what Siegelpost has: the file it came
 * in, the certificates in the vault and the trust anchors. Returns the issuer whose certificate is
 * missing (the "missing intermediate certificate" the user must ask the CA for), or null when the
 * chain reaches a self-issued certificate or an anchor. CA certificates themselves are not checked.
 * This only finds a path; whether the path is valid (dates, revocation, constraints) is path-validation's job.
 */
export function missingIssuerOf(key: StoredKey, pool: readonly StoredKey[]): string | null {
  if (key.technology !== 'smime') return null
  const material = smimeMaterial(key)
  if (!material.certificate) return null // a key waiting for its certificate (CSR)
  if (basicConstraintsOf(parseCertificate(fromB64(material.certificate))).isCA) return null
  const smime = pool.filter((other) => other.technology === 'smime').map(smimeMaterial)
  const anchors = new Set(smime.filter((m) => m.trustAnchor).map((m) => m.certificate))
  const candidates = [...new Set([...material.chain, ...smime.flatMap((m) => [m.certificate, ...m.chain])])].filter(
    (b64) => b64 !== '',
  )
  let current = material.certificate
  for (let depth = 0; depth <= limits.certPathMaxLength; depth++) {
    const cert = parseCertificate(fromB64(current))
    if (isSelfIssued(cert) || anchors.has(current)) return null
    const issuer = candidates.find(
      (candidate) => candidate !== current && isSignedBy(fromB64(current), fromB64(candidate)),
    )
    if (!issuer) return nameToString(cert.issuer)
    current = issuer
  }
  return null
}
