import type * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { basicConstraintsOf, keyUsageOf, nameToString } from '../certificate.ts'
import { parseDer } from '../der.ts'
import { generalNameTags } from '../general-name.ts'
import { extensionIds } from '../oids.ts'
import { allReasons, crlScope } from './crl-scope.ts'
import { sameName } from './names.ts'
import { fail } from './path-error.ts'
import { nextWorkingKey, verifySignature, type WorkingKey } from './working-key.ts'

/**
 * Revocation of one certificate on the path against the CRLs given (RFC 5280 §6.3, complete CRLs
 * and delta CRLs): the CRL must cover the certificate (crl-scope.ts), be signed by a key allowed
 * to sign CRLs for its issuer and be current.
 */
type Crl = pkijs.CertificateRevocationList

export interface ParsedCrl {
  crl: Crl
  der: Uint8Array
}

export function parseCrls(crls: Uint8Array[]): ParsedCrl[] {
  const out: ParsedCrl[] = []
  for (const der of crls) {
    try {
      out.push({ crl: new pkijs.CertificateRevocationList({ schema: parseDer(der, 'CRL') }), der })
    } catch {
      // an unreadable CRL covers nothing; the certificate then stays uncovered and the path invalid
    }
  }
  return out
}

export interface RevocationContext {
  crls: ParsedCrl[]
  /** Every certificate we may use to find a CRL signer: pool, anchors, path so far. */
  candidates: pkijs.Certificate[]
  /** Certificates already validated (anchor and the path above the current certificate). */
  validated: pkijs.Certificate[]
  mode: 'require' | 'soft'
  /** Soft mode collects the certificates no CRL covered here. */
  uncovered: string[]
  /** Soft mode: certificates revoked only after `at` for a reason other than a key compromise. */
  revokedLater: string[]
  /** Working keys of validated certificates (DSA keys inherit their parameters along the path). */
  keys?: Map<pkijs.Certificate, WorkingKey>
  /** Validates a CRL signer certificate that is not on the path (RFC 5280 §6.3.3 (f)). */
  validateSigner: (cert: pkijs.Certificate) => boolean
}

const crlSupportedCritical = new Set<string>([
  extensionIds.issuingDistributionPoint,
  extensionIds.deltaCrlIndicator,
  extensionIds.crlNumber,
  extensionIds.authorityKeyIdentifier,
])
const entrySupportedCritical = new Set<string>([
  extensionIds.reasonCode,
  extensionIds.invalidityDate,
  extensionIds.certificateIssuer,
])

/** Keys allowed to sign a CRL for `crlIssuer`: certificates of that name with cRLSign and a valid path. */
function crlSignerKeys(crl: Crl, context: RevocationContext): WorkingKey[] {
  const keys: WorkingKey[] = []
  for (const candidate of context.candidates) {
    if (!sameName(candidate.subject, crl.issuer)) continue
    const ku = keyUsageOf(candidate)
    if (ku && !ku.has('cRLSign')) continue
    if (!context.validated.includes(candidate) && !context.validateSigner(candidate)) continue
    keys.push(context.keys?.get(candidate) ?? nextWorkingKey(candidate, null))
  }
  return keys
}

function crlNumberOf(crl: Crl, id: string): bigint | null {
  const ext = crl.crlExtensions?.extensions.find((e) => e.extnID === id)
  if (!ext) return null
  const value = parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'CRL number') as asn1js.Integer
  return BigInt(`0x${Buffer.from(value.valueBlock.valueHexView).toString('hex') || '0'}`)
}

/** The entry for `cert` on a CRL (indirect CRLs name other issuers with certificateIssuer), if any. */
function entryFor(cert: pkijs.Certificate, crl: Crl): pkijs.RevokedCertificate | null {
  const serial = Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex')
  let currentIssuer = crl.issuer
  for (const entry of crl.revokedCertificates ?? []) {
    const entryExtensions = entry.crlEntryExtensions?.extensions ?? []
    const issuerExt = entryExtensions.find((e) => e.extnID === extensionIds.certificateIssuer)
    const issuerNames = (issuerExt?.parsedValue as pkijs.GeneralNames | undefined)?.names
    const named = issuerNames?.find((n) => n.type === generalNameTags.directoryName)
    if (named) currentIssuer = named.value as pkijs.RelativeDistinguishedNames
    const entrySerial = Buffer.from(entry.userCertificate.valueBlock.valueHexView).toString('hex')
    if (entrySerial !== serial || !sameName(currentIssuer, cert.issuer)) continue
    if (entryExtensions.some((e) => e.critical && !entrySupportedCritical.has(e.extnID))) {
      fail('a CRL entry has an unknown critical extension')
    }
    return entry
  }
  return null
}

/** CRLReason codes (RFC 5280 §5.3.1) that put the key in doubt: unspecified, keyCompromise, cA- and aACompromise. */
export const keyCompromiseReasons: ReadonlySet<number> = new Set([0, 1, 2, 10])
/** removeFromCRL: on a delta CRL, lifts a certificateHold. */
const removeFromCrl = 8

const reasonOf = (entry: pkijs.RevokedCertificate) => {
  const reason = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === extensionIds.reasonCode)
  return reason ? (reason.parsedValue as asn1js.Enumerated).valueBlock.valueDec : 0
}

/**
 * Fails when `cert` is revoked at `at`, or (require mode) when the CRLs do not cover all reasons for
 * it. Soft mode records uncovered certificates and those revoked later for a reason that does not
 * put earlier signatures in doubt.
 */
export function checkRevocation(cert: pkijs.Certificate, context: RevocationContext, at: Date) {
  const isCaCert = basicConstraintsOf(cert).isCA
  let covered = 0
  let revoked: pkijs.RevokedCertificate | null = null
  const usedComplete: Crl[] = []
  const isSoft = context.mode === 'soft'
  const usable = (crl: Crl) => {
    // Soft mode (mail): a CRL issued after the signing time is the best evidence there is about it.
    if (crl.thisUpdate.value > at && !isSoft) return false
    const keys = crlSignerKeys(crl, context)
    return keys.some((key) => verifySignature(crl.tbsView, crl.signatureAlgorithm, crl.signatureValue, key))
  }
  for (const { crl } of context.crls) {
    if (crlNumberOf(crl, extensionIds.deltaCrlIndicator) !== null) continue
    const scope = crlScope(cert, crl, isCaCert)
    if (scope === null || !usable(crl)) continue
    const crlExtensions = crl.crlExtensions?.extensions ?? []
    if (crlExtensions.some((e) => e.critical && !crlSupportedCritical.has(e.extnID))) {
      fail('a CRL has an unknown critical extension')
    }
    if (crl.nextUpdate && crl.nextUpdate.value < at) {
      if (isSoft) continue
      fail('the CRL is out of date (nextUpdate has passed)')
    }
    covered |= scope
    usedComplete.push(crl)
    revoked ??= entryFor(cert, crl)
  }
  if ((covered & allReasons) !== allReasons) {
    if (context.mode === 'require') fail(`no valid CRL covers ${nameToString(cert.subject)}`)
    context.uncovered.push(nameToString(cert.subject))
  }
  // Delta CRLs (§5.2.4) newer than a complete CRL used: they add revocations and lift holds.
  for (const { crl } of context.crls) {
    const base = crlNumberOf(crl, extensionIds.deltaCrlIndicator)
    if (base === null || crlScope(cert, crl, isCaCert) === null || !usable(crl)) continue
    if (crl.nextUpdate && crl.nextUpdate.value < at) continue
    const baseNumberOf = (complete: Crl) => crlNumberOf(complete, extensionIds.crlNumber) ?? -1n
    const isBase = (complete: Crl) => sameName(complete.issuer, crl.issuer) && baseNumberOf(complete) >= base
    const matchesBase = usedComplete.some(isBase)
    if (!matchesBase) continue
    const entry = entryFor(cert, crl)
    if (entry) revoked = reasonOf(entry) === removeFromCrl ? null : entry
  }
  if (!revoked || reasonOf(revoked) === removeFromCrl) return
  const revokedAt = revoked.revocationDate.value
  // Soft mode: revoked after the signing time counts only when the key may have been compromised
  // (signingTime is the signer's own claim; a stolen key can backdate it).
  if (isSoft && revokedAt > at && !keyCompromiseReasons.has(reasonOf(revoked))) {
    const when = revokedAt.toISOString()
    context.revokedLater.push(`${nameToString(cert.subject)} (revoked ${when}, after the signing time)`)
    return
  }
  fail(`the certificate ${nameToString(cert.subject)} is revoked${isSoft ? ` (since ${revokedAt.toISOString()})` : ''}`)
}
