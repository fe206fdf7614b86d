import { createPublicKey, type KeyObject } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { limits } from '../limits.ts'
import { basicConstraintsOf, extension, extensionIds, keyUsageOf, nameToString, parseCertificate } from './certificate.ts'
import { children, oidOf, parseDer, rawOf, seq, toDer } from './der.ts'
import { verifySignatureWith } from './signature-algorithm.ts'

/**
 * RFC 5280 §6 certification path validation. pkijs's CertificateChainValidationEngine accepts
 * invalid chains (22 PKITS false accepts: basicConstraints/pathLen, name constraints, unknown
 * critical extensions, policies, CRL scope), so the whole algorithm lives here: path building
 * from the untrusted pool, then §6.1 basic path processing with the full valid_policy_tree,
 * name constraints, and revocation against the CRLs given (§6.3, complete CRLs).
 */

export interface PathValidationInput {
  target: Uint8Array
  /** Intermediates (from the message, the file, the vault); never trusted by themselves. */
  untrusted: Uint8Array[]
  anchors: Uint8Array[]
  /** CRLs (DER). null: revocation is not checked (and reported so). */
  crls: Uint8Array[] | null
  /**
   * 'require' (RFC 5280 / PKITS, `certs validate --crl`): a certificate no CRL covers makes the path
   * invalid. 'soft' (mail, CLI.md): it is reported in `uncovered`; only a revoked one is invalid.
   */
  revocationMode?: 'require' | 'soft'
  at: Date
  initialPolicySet?: string[]
  initialExplicitPolicy?: boolean
  initialPolicyMappingInhibit?: boolean
  initialAnyPolicyInhibit?: boolean
}

export interface PathValidationResult {
  valid: boolean
  reason: string
  /** Subjects from the anchor to the target (of the best path found). */
  path: string[]
  revocation: 'checked' | 'not-checked'
  /** Soft mode: subjects whose revocation status no CRL gave. */
  uncovered: string[]
  /** Soft mode: certificates revoked after `at` for a reason that does not put signatures before it in doubt. */
  revokedLater?: string[]
  /** A valid path's certificates as given (DER), anchor first, target last (for online revocation checks). */
  certificates?: Uint8Array[]
}

const anyPolicy = '2.5.29.32.0'
const supportedCritical = new Set<string>([
  extensionIds.keyUsage,
  extensionIds.basicConstraints,
  extensionIds.certificatePolicies,
  extensionIds.policyMappings,
  extensionIds.nameConstraints,
  extensionIds.policyConstraints,
  extensionIds.inhibitAnyPolicy,
  extensionIds.subjectAltName,
  extensionIds.extKeyUsage,
  extensionIds.subjectKeyIdentifier,
  extensionIds.authorityKeyIdentifier,
  extensionIds.crlDistributionPoints,
])

class PathError extends Error {}
const fail = (reason: string): never => {
  throw new PathError(reason)
}

// ---------------------------------------------------------------- names (RFC 5280 §7.1)

type Rdn = string[]

/** A Name as a list of RDNs, each a sorted list of "type=normalized value" (case and whitespace folded). */
function rdnsOf(name: pkijs.RelativeDistinguishedNames): Rdn[] {
  return children(parseDer(toDer(name), 'Name'), 'Name').map(rdnOf)
}

/** One RDN (a SET of AttributeTypeAndValue, or an IMPLICIT-tagged one) as sorted "type=value" strings. */
function rdnOf(rdn: asn1js.AsnType): Rdn {
  return children(rdn, 'Name')
    .map((atv) => {
      const [type, value] = children(atv, 'Name')
      const raw = (value as unknown as { valueBlock: { value?: unknown } }).valueBlock.value
      const text = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ').toLowerCase() : Buffer.from(toDer(value!)).toString('hex')
      return `${oidOf(type, 'Name')}=${text}`
    })
    .sort()
}

const rdnKey = (rdns: Rdn[]) => rdns.map((r) => r.join('+')).join(',')
const sameName = (a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames) => rdnKey(rdnsOf(a)) === rdnKey(rdnsOf(b))

// ---------------------------------------------------------------- signatures

/** The working public key (§6.1.2 (g)–(i)): DSA keys without parameters inherit them from the issuer. */
interface WorkingKey {
  spki: pkijs.PublicKeyInfo
  parameters: asn1js.AsnType | undefined
}

function keyObjectOf(working: WorkingKey): KeyObject {
  const alg = working.spki.algorithm
  const params = alg.algorithmParams as asn1js.AsnType | undefined
  const hasParams = params !== undefined && !(params instanceof asn1js.Null)
  if (!hasParams && working.parameters && alg.algorithmId === '1.2.840.10040.4.1') {
    const spki = seq(seq(new asn1js.ObjectIdentifier({ value: alg.algorithmId }), working.parameters), working.spki.subjectPublicKey)
    return createPublicKey({ key: Buffer.from(toDer(spki)), format: 'der', type: 'spki' })
  }
  return createPublicKey({ key: Buffer.from(toDer(working.spki)), format: 'der', type: 'spki' })
}

function nextWorkingKey(cert: pkijs.Certificate, previous: WorkingKey | null): WorkingKey {
  const alg = cert.subjectPublicKeyInfo.algorithm
  const params = alg.algorithmParams as asn1js.AsnType | undefined
  const hasParams = params !== undefined && !(params instanceof asn1js.Null)
  if (hasParams) return { spki: cert.subjectPublicKeyInfo, parameters: params }
  const sameAlgorithm = previous && previous.spki.algorithm.algorithmId === alg.algorithmId
  return { spki: cert.subjectPublicKeyInfo, parameters: sameAlgorithm ? previous.parameters : undefined }
}

function verifySignature(tbs: Uint8Array, algorithm: pkijs.AlgorithmIdentifier, signature: asn1js.BitString, key: WorkingKey): boolean {
  try {
    return verifySignatureWith(keyObjectOf(key), algorithm.algorithmId, algorithm.algorithmParams as asn1js.AsnType | undefined, tbs, new Uint8Array(signature.valueBlock.valueHexView))
  } catch {
    return false
  }
}

// ---------------------------------------------------------------- name constraints (§4.2.1.10)

interface Names {
  dn: Rdn[] | null
  emails: string[]
  dns: string[]
  uris: string[]
  ips: Uint8Array[]
  dirNames: Rdn[][]
}

function namesOf(cert: pkijs.Certificate): Names {
  const dn = rdnsOf(cert.subject)
  const names: Names = { dn: dn.length > 0 ? dn : null, emails: [], dns: [], uris: [], ips: [], dirNames: [] }
  const san = extension(cert, extensionIds.subjectAltName)?.parsedValue as pkijs.AltName | undefined
  for (const name of san?.altNames ?? []) {
    if (name.type === 1) names.emails.push(String(name.value).toLowerCase())
    else if (name.type === 2) names.dns.push(String(name.value).toLowerCase())
    else if (name.type === 6) names.uris.push(String(name.value).toLowerCase())
    else if (name.type === 7) names.ips.push(new Uint8Array((name.value as asn1js.OctetString).valueBlock.valueHexView))
    else if (name.type === 4) names.dirNames.push(rdnsOf(name.value as pkijs.RelativeDistinguishedNames))
  }
  // Legacy e-mail in the subject DN is subject to rfc822Name constraints.
  for (const tv of cert.subject.typesAndValues) {
    if (tv.type === '1.2.840.113549.1.9.1') names.emails.push(String((tv.value as unknown as { valueBlock: { value: unknown } }).valueBlock.value).toLowerCase())
  }
  return names
}

interface Subtrees {
  dirs: Rdn[][]
  emails: string[]
  dns: string[]
  uris: string[]
  ips: Uint8Array[]
  /** Types present in this set (a permitted set restricts only the types it names). */
  types: Set<string>
}

function subtreesOf(list: pkijs.GeneralSubtree[] | undefined): Subtrees {
  const out: Subtrees = { dirs: [], emails: [], dns: [], uris: [], ips: [], types: new Set() }
  for (const subtree of list ?? []) {
    const base = subtree.base
    if (base.type === 4) out.dirs.push(rdnsOf(base.value as pkijs.RelativeDistinguishedNames))
    else if (base.type === 1) out.emails.push(String(base.value).toLowerCase())
    else if (base.type === 2) out.dns.push(String(base.value).toLowerCase())
    else if (base.type === 6) out.uris.push(String(base.value).toLowerCase())
    else if (base.type === 7) out.ips.push(new Uint8Array((base.value as asn1js.OctetString).valueBlock.valueHexView))
    const type = ({ 4: 'dir', 1: 'email', 2: 'dns', 6: 'uri', 7: 'ip' } as Record<number, string>)[base.type]
    if (type) out.types.add(type)
  }
  return out
}

const dirWithin = (name: Rdn[], base: Rdn[]) => base.length <= name.length && base.every((rdn, i) => rdn.join('+') === name[i]!.join('+'))
function emailWithin(address: string, base: string): boolean {
  const at = address.lastIndexOf('@')
  const host = address.slice(at + 1)
  if (base.includes('@')) return address === base
  if (base.startsWith('.')) return host.endsWith(base)
  return host === base
}
const dnsWithin = (name: string, base: string) => base === '' || name === base.replace(/^\./, '') || name.endsWith(base.startsWith('.') ? base : `.${base}`)
function uriWithin(uri: string, base: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^:/?#]+)/.exec(uri)?.[1]
  if (!host) return false
  return base.startsWith('.') ? host.endsWith(base) : host === base
}
function ipWithin(ip: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== ip.length * 2) return false
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & base[ip.length + i]!) !== (base[i]! & base[ip.length + i]!)) return false
  return true
}

function checkNames(names: Names, permitted: Subtrees[], excluded: Subtrees[]) {
  const dirs = [...(names.dn ? [names.dn] : []), ...names.dirNames]
  for (const set of permitted) {
    if (set.types.has('dir')) for (const dn of dirs) if (!set.dirs.some((b) => dirWithin(dn, b))) fail('the subject name is outside the permitted name constraints')
    if (set.types.has('email')) for (const e of names.emails) if (!set.emails.some((b) => emailWithin(e, b))) fail('an e-mail address is outside the permitted name constraints')
    if (set.types.has('dns')) for (const d of names.dns) if (!set.dns.some((b) => dnsWithin(d, b))) fail('a DNS name is outside the permitted name constraints')
    if (set.types.has('uri')) for (const u of names.uris) if (!set.uris.some((b) => uriWithin(u, b))) fail('a URI is outside the permitted name constraints')
    if (set.types.has('ip')) for (const ip of names.ips) if (!set.ips.some((b) => ipWithin(ip, b))) fail('an IP address is outside the permitted name constraints')
  }
  for (const set of excluded) {
    for (const dn of dirs) if (set.dirs.some((b) => dirWithin(dn, b))) fail('the subject name is excluded by name constraints')
    for (const e of names.emails) if (set.emails.some((b) => emailWithin(e, b))) fail('an e-mail address is excluded by name constraints')
    for (const d of names.dns) if (set.dns.some((b) => dnsWithin(d, b))) fail('a DNS name is excluded by name constraints')
    for (const u of names.uris) if (set.uris.some((b) => uriWithin(u, b))) fail('a URI is excluded by name constraints')
    for (const ip of names.ips) if (set.ips.some((b) => ipWithin(ip, b))) fail('an IP address is excluded by name constraints')
  }
}

// ---------------------------------------------------------------- policy tree (§6.1.2 (a), §6.1.3 (d))

interface PolicyNode {
  policy: string
  expected: Set<string>
  children: PolicyNode[]
  parent: PolicyNode | null
  depth: number
}

function nodesAt(root: PolicyNode | null, depth: number): PolicyNode[] {
  if (!root) return []
  const out: PolicyNode[] = []
  const walk = (node: PolicyNode) => {
    if (node.depth === depth) out.push(node)
    else node.children.forEach(walk)
  }
  walk(root)
  return out
}

function addChild(parent: PolicyNode, policy: string, expected: Set<string>): PolicyNode {
  const node = { policy, expected, children: [], parent, depth: parent.depth + 1 }
  parent.children.push(node)
  return node
}

function removeNode(root: PolicyNode, node: PolicyNode): PolicyNode | null {
  if (node === root) return null
  node.parent!.children = node.parent!.children.filter((c) => c !== node)
  return root
}

/** Deletes every node of depth < `depth` that has no children, bottom-up. */
function prune(root: PolicyNode | null, depth: number): PolicyNode | null {
  let tree = root
  for (let d = depth - 1; d >= 0 && tree; d--) {
    for (const node of nodesAt(tree, d)) if (node.children.length === 0 && tree) tree = removeNode(tree, node)
  }
  return tree
}

// ---------------------------------------------------------------- revocation (§6.3, complete CRLs)

interface ParsedCrl {
  crl: pkijs.CertificateRevocationList
  der: Uint8Array
}

function parseCrls(crls: Uint8Array[]): ParsedCrl[] {
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

const crlSupportedCritical = new Set<string>([extensionIds.issuingDistributionPoint, extensionIds.deltaCrlIndicator, extensionIds.crlNumber, extensionIds.authorityKeyIdentifier])

interface RevocationContext {
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

/** Keys allowed to sign a CRL for `crlIssuer`: certificates of that name with cRLSign and a valid path. */
function crlSignerKeys(crl: pkijs.CertificateRevocationList, context: RevocationContext): WorkingKey[] {
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

const allReasons = 0x1fe // keyCompromise … aACompromise (bits 1–8 of ReasonFlags; bit 0 is unused)

/** ReasonFlags of an IssuingDistributionPoint's onlySomeReasons ([3] IMPLICIT BIT STRING), read from the DER (pkijs keeps only the first byte). */
function onlySomeReasonsOf(ext: pkijs.Extension): number | null {
  const idp = parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'IDP')
  const field = children(idp, 'IDP').find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 3)
  if (!field) return null
  const bytes = new Uint8Array((field as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView)
  // bytes[0] is the unused-bit count; bit n of ReasonFlags is bit (7 - n % 8) of byte 1 + n / 8
  let mask = 0
  for (let bit = 0; bit < 9; bit++) if ((bytes[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) mask |= 1 << bit
  return mask & allReasons
}

/** A GeneralName (raw) as a comparison key: directory names normalized, others by their bytes (case-folded). */
function generalNameKey(node: asn1js.AsnType): string {
  const tag = node.idBlock.tagNumber
  if (tag === 4) return `dn:${rdnKey(children(children(node, 'GeneralName')[0], 'Name').map(rdnOf))}`
  return `${tag}:${Buffer.from(rawOf(node)).subarray(2).toString('latin1').toLowerCase()}`
}

/** DistributionPointName ([0] fullName | [1] nameRelativeToCRLIssuer) as name keys. */
function dpNameKeys(dpName: asn1js.AsnType | undefined, crlIssuers: Rdn[][]): string[] {
  if (!dpName) return []
  const choice = children(dpName, 'DistributionPoint')[0]!
  if (choice.idBlock.tagNumber === 0) return children(choice, 'DistributionPoint').map(generalNameKey)
  // RFC 5280 §4.2.1.13: the fragment is appended to the CRL issuer's name (cRLIssuer, else the certificate issuer).
  return crlIssuers.map((base) => `dn:${rdnKey([...base, rdnOf(choice)])}`)
}

interface DistributionPoint {
  names: string[]
  crlIssuers: string[]
}

function fieldsByTag(node: asn1js.AsnType): Map<number, asn1js.AsnType> {
  return new Map(children(node, 'DistributionPoint').filter((f) => f.idBlock.tagClass === 3).map((f) => [f.idBlock.tagNumber, f]))
}

/** The certificate's cRLDistributionPoints, parsed here (pkijs fails on nameRelativeToCRLIssuer). */
function distributionPointsOf(cert: pkijs.Certificate): DistributionPoint[] {
  const ext = extension(cert, extensionIds.crlDistributionPoints)
  if (!ext) return []
  return children(parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'CRLDP'), 'CRLDP').map((dp) => {
    const fields = fieldsByTag(dp)
    const issuers = fields.get(2) ? children(fields.get(2), 'CRLDP') : []
    const issuerDns = issuers.filter((gn) => gn.idBlock.tagNumber === 4).map((gn) => children(children(gn, 'GeneralName')[0], 'Name').map(rdnOf))
    return { names: dpNameKeys(fields.get(0), issuerDns.length > 0 ? issuerDns : [rdnsOf(cert.issuer)]), crlIssuers: issuers.map(generalNameKey) }
  })
}

/** RFC 5280 §6.3.3 (b): does this CRL's scope cover the certificate? Returns the reasons it covers, or null. */
function crlScope(cert: pkijs.Certificate, crl: pkijs.CertificateRevocationList, isCaCert: boolean): number | null {
  const idpExt = crl.crlExtensions?.extensions.find((e) => e.extnID === extensionIds.issuingDistributionPoint)
  const idp = idpExt?.parsedValue as pkijs.IssuingDistributionPoint | undefined
  const certDps = distributionPointsOf(cert)
  const crlIssuerKey = `dn:${rdnKey(rdnsOf(crl.issuer))}`
  if (!sameName(crl.issuer, cert.issuer)) {
    // An indirect CRL: only when it says so and the certificate names its issuer as cRLIssuer.
    if (!idp?.indirectCRL) return null
    if (!certDps.some((dp) => dp.crlIssuers.includes(crlIssuerKey))) return null
  } else if (certDps.length > 0 && certDps.every((dp) => dp.crlIssuers.length > 0 && !dp.crlIssuers.includes(crlIssuerKey))) {
    // Every distribution point names another CRL issuer: the issuer's own CRL is not the one to use.
    return null
  }
  if (!idp) return allReasons
  if (idp.onlyContainsUserCerts && isCaCert) return null
  if (idp.onlyContainsCACerts && !isCaCert) return null
  if (idp.onlyContainsAttributeCerts) return null
  const idpDp = fieldsByTag(parseDer(new Uint8Array(idpExt!.extnValue.valueBlock.valueHexView), 'IDP')).get(0)
  if (idpDp) {
    const idpNames = new Set(dpNameKeys(idpDp, [rdnsOf(crl.issuer)]))
    const certNames = certDps.flatMap((dp) => (dp.names.length > 0 ? dp.names : dp.crlIssuers))
    if (!certNames.some((name) => idpNames.has(name))) return null
  }
  return onlySomeReasonsOf(idpExt!) ?? allReasons
}

function crlNumberOf(crl: pkijs.CertificateRevocationList, id: string): bigint | null {
  const ext = crl.crlExtensions?.extensions.find((e) => e.extnID === id)
  if (!ext) return null
  const value = parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'CRL number') as asn1js.Integer
  return BigInt(`0x${Buffer.from(value.valueBlock.valueHexView).toString('hex') || '0'}`)
}

/** The entry for `cert` on a CRL (indirect CRLs name other issuers with certificateIssuer), if any. */
function entryFor(cert: pkijs.Certificate, crl: pkijs.CertificateRevocationList): pkijs.RevokedCertificate | null {
  const serial = Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex')
  let currentIssuer = crl.issuer
  for (const entry of crl.revokedCertificates ?? []) {
    const entryExtensions = entry.crlEntryExtensions?.extensions ?? []
    const issuerExt = entryExtensions.find((e) => e.extnID === extensionIds.certificateIssuer)
    const named = (issuerExt?.parsedValue as pkijs.GeneralNames | undefined)?.names.find((n) => n.type === 4)
    if (named) currentIssuer = named.value as pkijs.RelativeDistinguishedNames
    if (Buffer.from(entry.userCertificate.valueBlock.valueHexView).toString('hex') !== serial || !sameName(currentIssuer, cert.issuer)) continue
    if (entryExtensions.some((e) => e.critical && ![extensionIds.reasonCode, '2.5.29.24', extensionIds.certificateIssuer].includes(e.extnID))) {
      fail('a CRL entry has an unknown critical extension')
    }
    return entry
  }
  return null
}

/** unspecified (no reason given), keyCompromise, cACompromise, aACompromise: the key may be in other hands. */
export const keyCompromiseReasons: ReadonlySet<number> = new Set([0, 1, 2, 10])

const reasonOf = (entry: pkijs.RevokedCertificate) => {
  const reason = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === extensionIds.reasonCode)
  return reason ? (reason.parsedValue as asn1js.Enumerated).valueBlock.valueDec : 0
}

function checkRevocation(cert: pkijs.Certificate, context: RevocationContext, at: Date) {
  const isCaCert = basicConstraintsOf(cert).isCA
  let covered = 0
  let revoked: pkijs.RevokedCertificate | null = null
  const usedComplete: pkijs.CertificateRevocationList[] = []
  const isSoft = context.mode === 'soft'
  const usable = (crl: pkijs.CertificateRevocationList) => {
    // Soft mode (mail): a CRL issued after the signing time is the best evidence there is about it.
    if (crl.thisUpdate.value > at && !isSoft) return false
    if (!crlSignerKeys(crl, context).some((key) => verifySignature(crl.tbsView, crl.signatureAlgorithm, crl.signatureValue, key))) return false
    return true
  }
  for (const { crl } of context.crls) {
    if (crlNumberOf(crl, extensionIds.deltaCrlIndicator) !== null) continue
    const scope = crlScope(cert, crl, isCaCert)
    if (scope === null || !usable(crl)) continue
    const crlExtensions = crl.crlExtensions?.extensions ?? []
    if (crlExtensions.some((e) => e.critical && !crlSupportedCritical.has(e.extnID))) fail('a CRL has an unknown critical extension')
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
    const matchesBase = usedComplete.some((complete) => sameName(complete.issuer, crl.issuer) && (crlNumberOf(complete, extensionIds.crlNumber) ?? -1n) >= base)
    if (!matchesBase) continue
    const entry = entryFor(cert, crl)
    if (entry) revoked = reasonOf(entry) === 8 ? null : entry
  }
  if (!revoked || reasonOf(revoked) === 8) return
  const revokedAt = revoked.revocationDate.value
  // Soft mode: revoked after the signing time counts only when the key may have been compromised
  // (signingTime is the signer's own claim; a stolen key can backdate it).
  if (isSoft && revokedAt > at && !keyCompromiseReasons.has(reasonOf(revoked))) {
    context.revokedLater.push(`${nameToString(cert.subject)} (revoked ${revokedAt.toISOString()}, after the signing time)`)
    return
  }
  fail(`the certificate ${nameToString(cert.subject)} is revoked${isSoft ? ` (since ${revokedAt.toISOString()})` : ''}`)
}

// ---------------------------------------------------------------- §6.1 basic path validation

function processPath(anchor: pkijs.Certificate, path: pkijs.Certificate[], input: PathValidationInput, revocation: Omit<RevocationContext, 'validated'> | null) {
  const n = path.length
  const initialPolicySet = input.initialPolicySet && input.initialPolicySet.length > 0 ? input.initialPolicySet : [anyPolicy]
  let tree: PolicyNode | null = { policy: anyPolicy, expected: new Set([anyPolicy]), children: [], parent: null, depth: 0 }
  const permitted: Subtrees[] = []
  const excluded: Subtrees[] = []
  let explicitPolicy = input.initialExplicitPolicy ? 0 : n + 1
  let inhibitAny = input.initialAnyPolicyInhibit ? 0 : n + 1
  let policyMapping = input.initialPolicyMappingInhibit ? 0 : n + 1
  let workingKey = nextWorkingKey(anchor, null)
  const keys = new Map([[anchor, workingKey]])
  let workingIssuer = anchor.subject
  let maxPathLength = n

  for (let i = 1; i <= n; i++) {
    const cert = path[i - 1]!
    const isLast = i === n
    const selfIssued = sameName(cert.subject, cert.issuer)
    // (a) basic certificate processing
    if (!verifySignature(cert.tbsView, cert.signatureAlgorithm, cert.signatureValue, workingKey)) fail(`the signature on ${nameToString(cert.subject)} is invalid`)
    if (cert.notBefore.value > input.at) fail(`${nameToString(cert.subject)} is not yet valid`)
    if (cert.notAfter.value < input.at) fail(`${nameToString(cert.subject)} has expired`)
    if (!sameName(cert.issuer, workingIssuer)) fail(`the issuer of ${nameToString(cert.subject)} does not match`)
    const { isCA } = basicConstraintsOf(cert)
    if (revocation) checkRevocation(cert, { ...revocation, validated: [anchor, ...path.slice(0, i - 1)], keys }, input.at)
    // (b)(c) name constraints
    if (!(selfIssued && !isLast)) checkNames(namesOf(cert), permitted, excluded)
    // (d)–(f) policies
    const policiesExt = extension(cert, extensionIds.certificatePolicies)
    if (policiesExt && tree) {
      const infos = (policiesExt.parsedValue as pkijs.CertificatePolicies).certificatePolicies
      const ids = infos.map((p) => p.policyIdentifier)
      const parents = nodesAt(tree, i - 1)
      for (const id of ids) {
        if (id === anyPolicy) continue
        const matching = parents.filter((node) => node.expected.has(id))
        if (matching.length > 0) matching.forEach((node) => addChild(node, id, new Set([id])))
        else parents.filter((node) => node.policy === anyPolicy).forEach((node) => addChild(node, id, new Set([id])))
      }
      if (ids.includes(anyPolicy) && (inhibitAny > 0 || (!isLast && selfIssued))) {
        for (const node of parents) {
          const present = new Set(node.children.map((c) => c.policy))
          for (const expected of node.expected) if (!present.has(expected)) addChild(node, expected, new Set([expected]))
        }
      }
      tree = prune(tree, i)
      if (tree && nodesAt(tree, i).length === 0) tree = null
    } else if (!policiesExt) tree = null
    if (explicitPolicy <= 0 && !tree) fail('no acceptable certificate policy (explicit policy required)')

    if (isLast) break
    // §6.1.4 preparation for certificate i+1
    const mappingsExt = extension(cert, extensionIds.policyMappings)
    if (mappingsExt) {
      const mappings = (mappingsExt.parsedValue as pkijs.PolicyMappings).mappings
      if (mappings.some((m) => m.issuerDomainPolicy === anyPolicy || m.subjectDomainPolicy === anyPolicy)) fail('a policy mapping maps anyPolicy')
      const byIssuer = new Map<string, Set<string>>()
      for (const m of mappings) byIssuer.set(m.issuerDomainPolicy, new Set([...(byIssuer.get(m.issuerDomainPolicy) ?? []), m.subjectDomainPolicy]))
      for (const [issuerPolicy, subjects] of byIssuer) {
        const level = nodesAt(tree, i)
        if (policyMapping > 0) {
          const matching = level.filter((node) => node.policy === issuerPolicy)
          if (matching.length > 0) matching.forEach((node) => (node.expected = new Set(subjects)))
          else {
            const anyNode = level.find((node) => node.policy === anyPolicy)
            if (anyNode) addChild(anyNode.parent!, issuerPolicy, new Set(subjects))
          }
        } else if (tree) {
          for (const node of level.filter((x) => x.policy === issuerPolicy)) tree = tree ? removeNode(tree, node) : null
          tree = prune(tree, i)
          if (tree && nodesAt(tree, i).length === 0) tree = null
        }
      }
    }
    workingIssuer = cert.subject
    workingKey = nextWorkingKey(cert, workingKey)
    keys.set(cert, workingKey)
    const nc = extension(cert, extensionIds.nameConstraints)?.parsedValue as pkijs.NameConstraints | undefined
    if (nc?.permittedSubtrees) permitted.push(subtreesOf(nc.permittedSubtrees))
    if (nc?.excludedSubtrees) excluded.push(subtreesOf(nc.excludedSubtrees))
    if (!selfIssued) {
      if (explicitPolicy > 0) explicitPolicy--
      if (policyMapping > 0) policyMapping--
      if (inhibitAny > 0) inhibitAny--
    }
    const pc = extension(cert, extensionIds.policyConstraints)?.parsedValue as pkijs.PolicyConstraints | undefined
    if (pc?.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < explicitPolicy) explicitPolicy = pc.requireExplicitPolicy
    if (pc?.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < policyMapping) policyMapping = pc.inhibitPolicyMapping
    const iap = extension(cert, extensionIds.inhibitAnyPolicy)
    if (iap) {
      const skip = (iap.parsedValue as asn1js.Integer).valueBlock.valueDec
      if (skip < inhibitAny) inhibitAny = skip
    }
    if (cert.version < 2 || !isCA) fail(`${nameToString(cert.subject)} is not a CA certificate (basicConstraints)`)
    if (!selfIssued) {
      if (maxPathLength <= 0) fail('the path is longer than a pathLenConstraint allows')
      maxPathLength--
    }
    const { pathLen } = basicConstraintsOf(cert)
    if (pathLen !== null && pathLen < maxPathLength) maxPathLength = pathLen
    const ku = keyUsageOf(cert)
    if (ku && !ku.has('keyCertSign')) fail(`${nameToString(cert.subject)} may not sign certificates (keyUsage)`)
    const unknown = (cert.extensions ?? []).find((e) => e.critical && !supportedCritical.has(e.extnID))
    if (unknown) fail(`${nameToString(cert.subject)} has an unknown critical extension ${unknown.extnID}`)
  }
  // §6.1.5 wrap-up
  const target = path[n - 1]!
  if (explicitPolicy > 0) explicitPolicy--
  const pc = extension(target, extensionIds.policyConstraints)?.parsedValue as pkijs.PolicyConstraints | undefined
  if (pc?.requireExplicitPolicy === 0) explicitPolicy = 0
  const unknown = (target.extensions ?? []).find((e) => e.critical && !supportedCritical.has(e.extnID))
  if (unknown) fail(`the certificate has an unknown critical extension ${unknown.extnID}`)
  // (g) intersection with the user-initial-policy-set
  if (tree && !initialPolicySet.includes(anyPolicy)) {
    const wanted = new Set(initialPolicySet)
    const validNodeSet: PolicyNode[] = []
    const walk = (node: PolicyNode) => {
      for (const child of node.children) {
        if (node.policy === anyPolicy) validNodeSet.push(child)
        walk(child)
      }
    }
    walk(tree)
    for (const node of validNodeSet) if (node.policy !== anyPolicy && !wanted.has(node.policy)) tree = tree ? removeNode(tree, node) : null
    const anyLeaf = nodesAt(tree, n).find((node) => node.policy === anyPolicy)
    if (anyLeaf && tree) {
      const present = new Set(validNodeSet.map((node) => node.policy))
      for (const policy of wanted) if (!present.has(policy)) addChild(anyLeaf.parent!, policy, new Set([policy]))
      tree = removeNode(tree, anyLeaf)
    }
    tree = prune(tree, n)
    if (tree && nodesAt(tree, n).length === 0) tree = null
  }
  if (explicitPolicy <= 0 && !tree) fail('no acceptable certificate policy')
}

// ---------------------------------------------------------------- path building

function candidatePaths(target: pkijs.Certificate, pool: pkijs.Certificate[], anchors: pkijs.Certificate[]): { anchor: pkijs.Certificate; path: pkijs.Certificate[] }[] {
  const out: { anchor: pkijs.Certificate; path: pkijs.Certificate[] }[] = []
  const walk = (chain: pkijs.Certificate[]) => {
    if (out.length >= 32 || chain.length > limits.certPathMaxLength) return
    const top = chain[0]!
    for (const anchor of anchors) if (sameName(anchor.subject, top.issuer)) out.push({ anchor, path: chain })
    for (const candidate of pool) {
      if (chain.includes(candidate) || !sameName(candidate.subject, top.issuer)) continue
      if (sameName(candidate.subject, candidate.issuer) && anchors.some((a) => sameName(a.subject, candidate.subject))) {
        // a self-issued certificate with an anchor's name (key rollover) is still a normal path step
      }
      walk([candidate, ...chain])
    }
  }
  walk([target])
  // Prefer paths whose signatures chain; shorter first.
  return out.sort((a, b) => a.path.length - b.path.length)
}

export function validatePath(input: PathValidationInput, depth = 0, inProgress: ReadonlySet<string> = new Set()): PathValidationResult {
  const target = parseCertificate(input.target)
  const anchors = input.anchors.map(parseCertificate)
  const untrusted = input.untrusted.map(parseCertificate)
  const derOf = new Map<pkijs.Certificate, Uint8Array>([[target, input.target], ...anchors.map((a, i) => [a, input.anchors[i]!] as const), ...untrusted.map((c, i) => [c, input.untrusted[i]!] as const)])
  const pool = untrusted.filter((c) => !c.subject.isEqual(target.subject) || toDer(c).length !== input.target.length)
  const crls = input.crls ? parseCrls(input.crls) : null
  const revocationContext = crls
    ? {
        crls,
        mode: input.revocationMode ?? 'require',
        uncovered: [] as string[],
        revokedLater: [] as string[],
        candidates: [...anchors, ...pool, target],
        // A CRL signer off the path gets its own path validation, with revocation (bounded depth).
        validateSigner: (signer: pkijs.Certificate) => {
          const der = toDer(signer)
          const key = Buffer.from(der).toString('hex')
          // A CRL issuer whose own certificate is covered by its own CRL (PKITS 4.14.30): the cycle is
          // broken by trusting the signature while that certificate's path is being validated.
          if (inProgress.has(key)) return true
          if (depth >= 3) return false
          const untrusted = input.untrusted.filter((other) => Buffer.compare(Buffer.from(other), Buffer.from(der)) !== 0)
          return validatePath({ ...input, target: der, untrusted }, depth + 1, new Set([...inProgress, key])).valid
        },
      }
    : null
  const revocation = input.crls ? 'checked' : 'not-checked'
  const paths = candidatePaths(target, pool, anchors)
  if (paths.length === 0) {
    return { valid: false, reason: 'no path to a trusted anchor (an intermediate certificate is missing or the root is not trusted)', path: [nameToString(target.subject)], revocation, uncovered: [] }
  }
  let first: PathValidationResult | null = null
  for (const candidate of paths) {
    const names = [nameToString(candidate.anchor.subject), ...candidate.path.map((c) => nameToString(c.subject))]
    if (revocationContext) {
      revocationContext.uncovered = []
      revocationContext.revokedLater = []
    }
    try {
      processPath(candidate.anchor, candidate.path, input, revocationContext)
      const uncovered = [...new Set(revocationContext?.uncovered ?? [])]
      const certificates = [candidate.anchor, ...candidate.path].map((c) => derOf.get(c) ?? toDer(c))
      const revokedLater = [...new Set(revocationContext?.revokedLater ?? [])]
      return { valid: true, reason: revocation === 'checked' ? 'valid' : 'valid (revocation not checked)', path: names, revocation, uncovered, revokedLater, certificates }
    } catch (error) {
      if (!(error instanceof PathError)) throw error
      first ??= { valid: false, reason: error.message, path: names, revocation, uncovered: [] }
    }
  }
  return first!
}
