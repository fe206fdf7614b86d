import type * as pkijs from 'pkijs'
import { reason, reasonText, SiegelpostError, type ErrorCode, type ErrorParams, type Reason } from '../errors/index.ts'
import { dateGap, signerBinding, warning, type Warning } from '../message/verdict.ts'
import { nameToString, sha256Hex } from './certificate.ts'
import { verifySignedData } from './cms-signed.ts'
import { keyCompromiseReasons, validatePath } from './path-validation/index.ts'
import { ocspStatus, ocspUrlsOf, type OcspAnswer, type OcspTransport } from './ocsp.ts'
import { crlUrlsOf, fetchCrls, type CrlFetcher } from './revocation.ts'
import { ParsedCertificates } from './parsed-certificates.ts'
import { smimePurposeProblem } from './smime-purpose.ts'

/** The verdict fields of CLI.md's `security.signature` (acceptance is the caller's: it needs the vault). */
export interface SmimeSignatureVerdict {
  state: 'valid' | 'invalid' | 'unknown-key' | 'mismatch'
  technology: 'smime'
  signer: string | null
  signerFingerprint: string | null
  /** The verdict's code and params in the error table; `reason` is its English text (for logs and tests). */
  code: ErrorCode
  params: ErrorParams
  reason: string
  /** What to show beside a valid verdict: revoked after signing, no signing time, a gap to the Date header. */
  warnings: Warning[]
  signingTime: string | null
  /** Certificates the message carried: offered to the user for import, never trusted by arriving. */
  certificates: Uint8Array[]
  /** What the signature covers (for opaque signatures: the entity to display). */
  content: Uint8Array | null
  /** SMIMECapabilities the signer advertised (for encryptionChoiceFrom), and the certificate to encrypt to. */
  capabilities: string[]
  encryptionCertificate: Uint8Array | null
  /** The validated path (DER), signer first, anchor last; empty when no valid path was found. */
  pathCertificates: Uint8Array[]
}

/** The verdict with `why` as its reason: code and params, and the English text for logs and tests. */
const because = (
  verdict: SmimeSignatureVerdict,
  why: Reason,
  state: SmimeSignatureVerdict['state'] = 'invalid',
): SmimeSignatureVerdict => ({
  ...verdict,
  state,
  code: why.code,
  params: why.params,
  reason: reasonText(why, 'en'),
})

/**
 * Verifies an S/MIME signature as a security reviewer would: correct signature over exactly the
 * given content, no SHA-1, a path to one of the user's anchors valid at the signing time,
 * e-mail protection usage, and the signer's address equal to From. Never throws for a bad
 * message; a damaged one is `invalid` with the reason.
 */
export function verifySmimeSignature(input: {
  cms: Uint8Array
  detachedContent?: Uint8Array
  /** For streamed opaque signatures (readSignedStream): the content's digests instead of the content. */
  contentDigests?: Readonly<Record<string, Uint8Array>>
  from: string | null
  anchors: Uint8Array[]
  /** Extra intermediates the user has (the vault). */
  intermediates?: Uint8Array[]
  /** Known signer certificates (the vault), for signatures that do not carry the certificate. */
  knownCertificates?: Uint8Array[]
  /** CRLs; null = revocation not checked (soft-fail, said in the reason). */
  crls: Uint8Array[] | null
  /** Soft-fail (CLI.md): certificates no CRL covers keep `valid` and are named in the reason. */
  softRevocation?: boolean
  /** What OCSP said, by certificate subject (verifySmimeSignatureOnline asks for every certificate below the anchor). */
  ocspAnswers?: ReadonlyMap<string, OcspAnswer>
  now: Date
  /** The message's Date header: a large gap to signingTime is the `date-gap` warning (CLI.md). */
  dateHeader?: Date | null
  /** checkSignedData's outcome for this same CMS and content, when the caller has it already. */
  checked?: SignedDataCheck | Reason
  /** The message's parsed certificates, shared by its checks (each certificate parsed once). */
  parsed?: ParsedCertificates
}): SmimeSignatureVerdict {
  const parsed = input.parsed ?? new ParsedCertificates()
  const base: SmimeSignatureVerdict = {
    state: 'invalid',
    technology: 'smime',
    signer: null,
    signerFingerprint: null,
    code: 'SIGNATURE_NO_USABLE',
    params: {},
    reason: '',
    warnings: [],
    signingTime: null,
    certificates: [],
    content: null,
    capabilities: [],
    encryptionCertificate: null,
    pathCertificates: [],
  }
  const check = input.checked ?? checkSignedData({ ...input, parsed })
  if (!('isSignatureValid' in check)) return because(base, check)
  const verdict: SmimeSignatureVerdict = {
    ...base,
    certificates: check.certificates,
    content: check.content,
    capabilities: check.capabilities,
    encryptionCertificate: check.encryptionCertificate,
    signingTime: check.signingTime?.toISOString() ?? null,
    signer: check.signerEmails[0] ?? null,
    signerFingerprint: check.signerCertificate ? sha256Hex(check.signerCertificate) : null,
  }
  // Only a signer whose certificate is nowhere is an unknown key; a forged structure (no signer,
  // several, other content) is invalid with its own reason.
  if (check.reason.code === 'SIGNATURE_SIGNER_CERTIFICATE_MISSING') return because(verdict, check.reason, 'unknown-key')
  if (!check.signerCertificate || !check.isSignatureValid) return because(verdict, check.reason)
  const at = check.signingTime ?? input.now
  if (check.signingTime && check.signingTime.getTime() > input.now.getTime() + 24 * 60 * 60 * 1000) {
    return because(verdict, reason('SIGNATURE_FUTURE'))
  }
  const pool = [...check.certificates, ...(input.intermediates ?? [])]
  const path = validatePath({
    target: check.signerCertificate,
    untrusted: pool,
    anchors: input.anchors,
    crls: input.crls,
    at,
    revocationMode: input.softRevocation ? 'soft' : 'require',
    parsed,
  })
  if (!path.valid) return because(verdict, reason('SIGNATURE_CERTIFICATE_INVALID', { detail: path.reason }))
  const ocsp = [...(input.ocspAnswers ?? new Map<string, OcspAnswer>())]
  // Revoked after the signing time for a reason other than a possible key compromise: not revoked then (as for CRLs).
  const isRevokedLater = (answer: OcspAnswer) =>
    answer.status === 'revoked' &&
    answer.revokedAt !== undefined &&
    answer.revokedAt > at &&
    !keyCompromiseReasons.has(answer.reason ?? 0)
  const revokedPerOcsp = ocsp.find(([, answer]) => answer.status === 'revoked' && !isRevokedLater(answer))
  if (revokedPerOcsp) {
    const since = revokedPerOcsp[1].revokedAt?.toISOString() ?? '?'
    return because(verdict, reason('SIGNATURE_CERTIFICATE_REVOKED_OCSP', { subject: revokedPerOcsp[0], since }))
  }
  const goodPerOcsp = ocsp.filter(([, answer]) => answer.status === 'good').map(([subject]) => subject)
  const revokedLater = [
    ...(path.revokedLater ?? []),
    ...ocsp
      .filter(([, answer]) => isRevokedLater(answer))
      .map(([subject, answer]) => `${subject} (revoked ${answer.revokedAt!.toISOString()}, after the signing time)`),
  ]
  const answered = [...goodPerOcsp, ...ocsp.filter(([, answer]) => isRevokedLater(answer)).map(([subject]) => subject)]
  const uncovered = path.uncovered.filter((subject) => !answered.includes(subject))
  verdict.pathCertificates = [...(path.certificates ?? [])].reverse()
  const purpose = smimePurposeProblem(
    check.signerCertificate,
    pool.filter((der) => der !== check.signerCertificate),
    'sign',
    (der) => parsed.parse(der),
  )
  if (purpose) return because(verdict, reason('SIGNATURE_CERTIFICATE_PURPOSE', { detail: purpose }))
  if (input.from) {
    const mismatch = signerBinding(check.signerEmails, [input.from], nameOf(parsed.parse(check.signerCertificate)))
    if (mismatch) return because(verdict, mismatch, 'mismatch')
  }
  const warnings: Warning[] = []
  if (revokedLater.length > 0) {
    warnings.push(warning('certificate-revoked-later', { subjects: revokedLater.join('; ') }))
  }
  if (!check.signingTime) warnings.push(warning('no-signing-time'))
  const gap = dateGap(check.signingTime, input.dateHeader ?? null)
  if (gap) warnings.push(gap)
  let why: Reason
  if (input.crls === null) why = reason('SIGNATURE_VALID_REVOCATION_UNCHECKED')
  else if (uncovered.length > 0) {
    // verifySmimeSignatureOnline fills in which certificates have no server and which did not answer.
    why = reason('SIGNATURE_VALID_REVOCATION_UNKNOWN', {
      subjects: uncovered.join('; '),
      unasked: '–',
      unreachable: '–',
    })
  } else if (goodPerOcsp.length > 0)
    why = reason('SIGNATURE_VALID_NOT_REVOKED_OCSP', { subjects: goodPerOcsp.join('; ') })
  else why = reason('SIGNATURE_VALID_NOT_REVOKED')
  return { ...because(verdict, why, 'valid'), warnings }
}

/** The signed data parsed and its signature checked over the content: what verifySmimeSignature judges. */
type SignedDataCheck = ReturnType<typeof verifySignedData>

/**
 * The CMS parsed and its signature checked, or SIGNATURE_DAMAGED: the costly half of verifySmimeSignature (a parse
 * of the whole CMS, the content's digest and the public-key operation), run once per message even when the verdict
 * is judged twice (verifySmimeSignatureOnline: before and after the revocation lookups).
 */
function checkSignedData(input: {
  cms: Uint8Array
  detachedContent?: Uint8Array
  contentDigests?: Readonly<Record<string, Uint8Array>>
  knownCertificates?: Uint8Array[]
  parsed: ParsedCertificates
}): SignedDataCheck | Reason {
  try {
    const run = (detachedContent: Uint8Array | undefined) =>
      verifySignedData({
        cms: input.cms,
        ...(detachedContent ? { detachedContent } : {}),
        ...(input.contentDigests ? { contentDigests: input.contentDigests } : {}),
        knownCertificates: input.knownCertificates ?? [],
        parse: (der) => input.parsed.parse(der),
      })
    const check = run(input.detachedContent)
    // The raw bytes first; a signer that signed the canonical CRLF form of a part we got with bare
    // LFs (files saved on Unix, some gateways) still matches after canonicalization (RFC 8551 §3.1.1).
    const canonical = input.detachedContent ? toCrlf(input.detachedContent) : null
    if (!check.isSignatureValid && canonical && check.signerCertificate) {
      const retry = run(canonical)
      if (retry.isSignatureValid) return retry
    }
    return check
  } catch (error) {
    if (error instanceof SiegelpostError) return reason('SIGNATURE_DAMAGED', { detail: error.message })
    throw error
  }
}

function toCrlf(bytes: Uint8Array): Uint8Array | null {
  const text = Buffer.from(bytes).toString('latin1')
  if (!/(^|[^\r])\n/.test(text)) return null
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1')
}

function nameOf(cert: pkijs.Certificate): string {
  return cert.subject.typesAndValues
    .map((tv) => String((tv.value as unknown as { valueBlock: { value: unknown } }).valueBlock.value))
    .join(', ')
}

/**
 * verifySmimeSignature with revocation (CLI.md, `open`): for every certificate of the validated
 * path below the anchor, the CRLs its distribution points name are fetched through `fetcher` and
 * its OCSP responders (authorityInfoAccess) are asked through `ocsp`. Soft-fail: a certificate
 * with neither, or whose servers are unreachable, keeps `valid` and is named in the reason; a
 * certificate found revoked makes the signature `invalid`.
 */
export async function verifySmimeSignatureOnline(
  input: Omit<Parameters<typeof verifySmimeSignature>[0], 'crls' | 'softRevocation' | 'ocspAnswers'> & {
    fetcher: CrlFetcher
    ocsp?: OcspTransport
  },
): Promise<SmimeSignatureVerdict> {
  const { fetcher, ocsp: ocspTransport, ...rest } = input
  const parsed = rest.parsed ?? new ParsedCertificates()
  const parse = (der: Uint8Array) => parsed.parse(der)
  const offline = { ...rest, parsed, checked: checkSignedData({ ...rest, parsed }) }
  const first = verifySmimeSignature({ ...offline, crls: null })
  if ((first.state !== 'valid' && first.state !== 'mismatch') || first.pathCertificates.length === 0) return first
  const path = first.pathCertificates
  const below = path.slice(0, -1)
  // CRLs and OCSP at the same time: every lookup has its own timeout, so the whole check stays within one (CLI.md: 3 s)
  const [{ crls, failed }, statuses] = await Promise.all([
    fetchCrls(below, fetcher, parse),
    ocspTransport
      ? Promise.all(
          below.map((certificate, index) => ocspStatus(certificate, path[index + 1]!, ocspTransport, input.now, parse)),
        )
      : [],
  ])
  const subjectOf = (der: Uint8Array) => nameToString(offline.parsed.parse(der).subject)
  const ocspAnswers = new Map<string, OcspAnswer>(statuses.map((answer, index) => [subjectOf(below[index]!), answer]))
  const verdict = verifySmimeSignature({ ...offline, crls, softRevocation: true, ocspAnswers })
  if (verdict.code !== 'SIGNATURE_VALID_REVOCATION_UNKNOWN') return verdict
  const unasked = below.filter(
    (der) => crlUrlsOf(der, parse).length === 0 && (!ocspTransport || ocspUrlsOf(der, parse).length === 0),
  )
  const unreachableOcsp = below
    .filter((_, index) => statuses[index]?.status === 'unknown')
    .flatMap((der) => ocspUrlsOf(der, parse))
  const unreachable = [...new Set([...failed, ...unreachableOcsp])]
  const params = {
    ...verdict.params,
    unasked: unasked.map(subjectOf).join('; ') || '–',
    unreachable: unreachable.join(', ') || '–',
  }
  return because(verdict, reason('SIGNATURE_VALID_REVOCATION_UNKNOWN', params), 'valid')
}
