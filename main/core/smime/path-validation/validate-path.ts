import type * as pkijs from 'pkijs'
import { nameToString, parseCertificate } from '../certificate.ts'
import { toDer } from '../der.ts'
import type { ParsedCertificates } from '../parsed-certificates.ts'
import { candidatePaths } from './build-path.ts'
import { parseCrls } from './crl-check.ts'
import { PathError } from './path-error.ts'
import { processPath } from './process-path.ts'

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
  /**
   * The message's parsed certificates (one parse per certificate for all checks of a message). Without it, each
   * call parses its own, and each certificate of the lists is its own object.
   */
  parsed?: ParsedCertificates
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

/** How deep CRL signers off the path are validated in turn (each with its own revocation check). */
const maxSignerDepth = 3

const hexOf = (der: Uint8Array) => Buffer.from(der).toString('hex')

export function validatePath(
  input: PathValidationInput,
  depth = 0,
  inProgress: ReadonlySet<string> = new Set(),
): PathValidationResult {
  const { parsed } = input
  const parse = parsed ? (der: Uint8Array) => parsed.parse(der) : parseCertificate
  const encode = parsed ? (cert: pkijs.Certificate) => parsed.der(cert) : toDer
  const target = parse(input.target)
  const anchors = input.anchors.map(parse)
  const untrusted = input.untrusted.map(parse)
  const derOf = new Map<pkijs.Certificate, Uint8Array>([
    [target, input.target],
    ...anchors.map((a, i) => [a, input.anchors[i]!] as const),
    ...untrusted.map((c, i) => [c, input.untrusted[i]!] as const),
  ])
  const pool = untrusted.filter((c) => !c.subject.isEqual(target.subject) || encode(c).length !== input.target.length)
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
          const der = encode(signer)
          const key = hexOf(der)
          // A CRL issuer whose own certificate is covered by its own CRL (PKITS 4.14.30): the cycle is
          // broken by trusting the signature while that certificate's path is being validated.
          if (inProgress.has(key)) return true
          if (depth >= maxSignerDepth) return false
          const others = input.untrusted.filter((other) => Buffer.compare(Buffer.from(other), Buffer.from(der)) !== 0)
          const signerInput = { ...input, target: der, untrusted: others }
          return validatePath(signerInput, depth + 1, new Set([...inProgress, key])).valid
        },
      }
    : null
  const revocation = input.crls ? 'checked' : 'not-checked'
  const paths = candidatePaths(target, pool, anchors)
  if (paths.length === 0) {
    const reason = 'no path to a trusted anchor (an intermediate certificate is missing or the root is not trusted)'
    return { valid: false, reason, path: [nameToString(target.subject)], revocation, uncovered: [] }
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
      const certificates = [candidate.anchor, ...candidate.path].map((c) => derOf.get(c) ?? encode(c))
      const revokedLater = [...new Set(revocationContext?.revokedLater ?? [])]
      const reason = revocation === 'checked' ? 'valid' : 'valid (revocation not checked)'
      return { valid: true, reason, path: names, revocation, uncovered, revokedLater, certificates }
    } catch (error) {
      if (!(error instanceof PathError)) throw error
      first ??= { valid: false, reason: error.message, path: names, revocation, uncovered: [] }
    }
  }
  return first!
}
