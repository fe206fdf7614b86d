import type * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { basicConstraintsOf, extension, keyUsageOf, nameToString } from '../certificate.ts'
import { extensionIds, oids } from '../oids.ts'
import { checkRevocation, type RevocationContext } from './crl-check.ts'
import { checkNames, namesOf, subtreesOf, type Subtrees } from './name-constraints.ts'
import { sameName } from './names.ts'
import { fail } from './path-error.ts'
import {
  addCertificatePolicies,
  applyPolicyMappings,
  initialPolicyTree,
  intersectWithInitialPolicies,
  type PolicyNode,
} from './policy-tree.ts'
import type { PathValidationInput } from './validate-path.ts'
import { nextWorkingKey, verifySignature } from './working-key.ts'

/** The extensions §6.1 processes; any other critical extension makes the path invalid (§6.1.4 (o), §6.1.5 (e)). */
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

const unknownCritical = (cert: pkijs.Certificate) =>
  (cert.extensions ?? []).find((e) => e.critical && !supportedCritical.has(e.extnID))

/**
 * RFC 5280 §6.1 basic path processing of `path` (the certificate after the anchor first, the target
 * last) under `anchor`; throws PathError with the first reason the path is invalid. With a
 * revocation context every certificate's revocation is checked against its CRLs (§6.1.3 (a)(3)).
 */
export function processPath(
  anchor: pkijs.Certificate,
  path: pkijs.Certificate[],
  input: PathValidationInput,
  revocation: Omit<RevocationContext, 'validated'> | null,
) {
  const n = path.length
  const hasInitialPolicies = input.initialPolicySet && input.initialPolicySet.length > 0
  const initialPolicySet = hasInitialPolicies ? input.initialPolicySet! : [oids.anyPolicy]
  let tree: PolicyNode | null = initialPolicyTree()
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
    const subject = nameToString(cert.subject)
    const isLast = i === n
    const selfIssued = sameName(cert.subject, cert.issuer)
    // §6.1.3 (a) basic certificate processing
    if (!verifySignature(cert.tbsView, cert.signatureAlgorithm, cert.signatureValue, workingKey)) {
      fail(`the signature on ${subject} is invalid`)
    }
    if (cert.notBefore.value > input.at) fail(`${subject} is not yet valid`)
    if (cert.notAfter.value < input.at) fail(`${subject} has expired`)
    if (!sameName(cert.issuer, workingIssuer)) fail(`the issuer of ${subject} does not match`)
    const { isCA } = basicConstraintsOf(cert)
    if (revocation) {
      checkRevocation(cert, { ...revocation, validated: [anchor, ...path.slice(0, i - 1)], keys }, input.at)
    }
    // (b)(c) name constraints
    if (!(selfIssued && !isLast)) checkNames(namesOf(cert), permitted, excluded)
    // (d)–(f) policies
    const policiesExt = extension(cert, extensionIds.certificatePolicies)
    if (policiesExt && tree) {
      const policies = (policiesExt.parsedValue as pkijs.CertificatePolicies).certificatePolicies
      const ids = policies.map((p) => p.policyIdentifier)
      tree = addCertificatePolicies(tree, ids, i, inhibitAny > 0 || (!isLast && selfIssued))
    } else if (!policiesExt) tree = null
    if (explicitPolicy <= 0 && !tree) fail('no acceptable certificate policy (explicit policy required)')

    if (isLast) break
    // §6.1.4 preparation for certificate i+1
    const mappingsExt = extension(cert, extensionIds.policyMappings)
    if (mappingsExt) {
      const mappings = (mappingsExt.parsedValue as pkijs.PolicyMappings).mappings
      tree = applyPolicyMappings(tree, mappings, i, policyMapping > 0)
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
    if (pc?.requireExplicitPolicy !== undefined) explicitPolicy = Math.min(explicitPolicy, pc.requireExplicitPolicy)
    if (pc?.inhibitPolicyMapping !== undefined) policyMapping = Math.min(policyMapping, pc.inhibitPolicyMapping)
    const iap = extension(cert, extensionIds.inhibitAnyPolicy)
    if (iap) {
      const skip = (iap.parsedValue as asn1js.Integer).valueBlock.valueDec
      if (skip < inhibitAny) inhibitAny = skip
    }
    if (cert.version < 2 || !isCA) fail(`${subject} is not a CA certificate (basicConstraints)`)
    if (!selfIssued) {
      if (maxPathLength <= 0) fail('the path is longer than a pathLenConstraint allows')
      maxPathLength--
    }
    const { pathLen } = basicConstraintsOf(cert)
    if (pathLen !== null && pathLen < maxPathLength) maxPathLength = pathLen
    const ku = keyUsageOf(cert)
    if (ku && !ku.has('keyCertSign')) fail(`${subject} may not sign certificates (keyUsage)`)
    const unknown = unknownCritical(cert)
    if (unknown) fail(`${subject} has an unknown critical extension ${unknown.extnID}`)
  }
  // §6.1.5 wrap-up
  const target = path[n - 1]!
  if (explicitPolicy > 0) explicitPolicy--
  const pc = extension(target, extensionIds.policyConstraints)?.parsedValue as pkijs.PolicyConstraints | undefined
  if (pc?.requireExplicitPolicy === 0) explicitPolicy = 0
  const unknown = unknownCritical(target)
  if (unknown) fail(`the certificate has an unknown critical extension ${unknown.extnID}`)
  // (g) intersection with the user-initial-policy-set
  if (tree && !initialPolicySet.includes(oids.anyPolicy)) tree = intersectWithInitialPolicies(tree, initialPolicySet, n)
  if (explicitPolicy <= 0 && !tree) fail('no acceptable certificate policy')
}
