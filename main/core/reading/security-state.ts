import type { DocumentPart, DocumentWarning, ReadingDocument } from './reading-document.ts'

/**
 * The 13 states of the security summary (UI.md §2.2), on two axes: confidentiality (was the
 * content end-to-end encrypted) and sender authenticity (does a valid signature bind it to From).
 * Numbers follow the table in UI.md so tests and the bar can be checked against it.
 */
export const securityStates = {
  'encrypted-verified': 1,
  'encrypted-unverified': 2,
  'encrypted-unknown-key': 3,
  'encrypted-unsigned': 4,
  signed: 5,
  mismatch: 6,
  invalid: 7,
  'signature-not-valid': 8,
  'cannot-decrypt': 9,
  'insecure-encryption': 10,
  'partly-protected': 11,
  plain: 12,
  'key-changed': 13,
} as const
export type SecurityStateId = keyof typeof securityStates

/** The bar's colour family; the bar always shows icon and words too (never colour alone). */
export type SecurityTone = 'good' | 'info' | 'caution' | 'danger' | 'neutral'

/** Why a signature is "not valid" without being tampered with (state 8); `null` elsewhere. */
export type NotValidBecause = 'expired' | 'revoked' | 'unknown-issuer' | 'certificate-invalid' | 'unknown-key'

export interface SecuritySummary {
  state: SecurityStateId
  number: (typeof securityStates)[SecurityStateId]
  tone: SecurityTone
  confidentiality: 'encrypted' | 'not-encrypted' | 'failed'
  authenticity: 'verified' | 'unverified' | 'unknown-key' | 'not-signed' | 'mismatch' | 'invalid' | 'not-valid'
  notValidBecause: NotValidBecause | null
  /** The content is not shown at all (states 9 and 10). */
  isContentHidden: boolean
  /** State 9 because this device lacks the private key (a backup would help), not because the message is damaged. */
  isKeyMissing: boolean
  /** The warnings to show beside the bar: the document's own plus the reading's (sender history, plaintext hop). */
  warnings: DocumentWarning[]
}

const tones: Record<SecurityStateId, SecurityTone> = {
  'encrypted-verified': 'good',
  'encrypted-unverified': 'good',
  'encrypted-unknown-key': 'caution',
  'encrypted-unsigned': 'neutral',
  signed: 'info',
  mismatch: 'caution',
  invalid: 'danger',
  'signature-not-valid': 'caution',
  'cannot-decrypt': 'danger',
  'insecure-encryption': 'danger',
  'partly-protected': 'caution',
  plain: 'neutral',
  'key-changed': 'caution',
}

/**
 * Verdict codes of the reason table, by what they mean for the bar: no or failed integrity
 * protection (state 10, e.g. ENCRYPTION_NO_INTEGRITY, ENCRYPTION_ALTERED); a missing private key
 * (state 9 with "restore a backup": ENCRYPTION_NOT_FOR_YOU, ENCRYPTION_NO_SMIME_KEY); why a
 * signature is not valid without the content being altered (state 8).
 */
const insecureEncryptionCode = /NO_INTEGRITY|ALTERED|MDC|UNAUTHENTICATED|INSECURE/
const keyMissingCode = /NOT_FOR_YOU|NO_SMIME_KEY|SMIME_NOT_DECRYPTED|NO_KEY/
const expiredCode = /EXPIRED|NOT_VALID_THEN/
const revokedCode = /REVOKED/
const unknownIssuerCode = /ANCHOR|ISSUER|UNTRUSTED|CHAIN/
const certificateInvalidCode = /CERTIFICATE_INVALID|CERTIFICATE_PURPOSE|SIGNER_CERTIFICATE_MISSING/

function notValidBecauseOf(code: string | null | undefined): NotValidBecause | null {
  if (!code) return null
  if (revokedCode.test(code)) return 'revoked'
  if (expiredCode.test(code)) return 'expired'
  if (unknownIssuerCode.test(code)) return 'unknown-issuer'
  if (certificateInvalidCode.test(code)) return 'certificate-invalid'
  return null
}

/** Some displayed part is protected and another is not (by the document's `parts`). */
export function isPartlyProtected(
  parts: readonly DocumentPart[] | undefined,
  warnings: readonly DocumentWarning[],
): boolean {
  if (warnings.some((warning) => warning.code === 'partly-protected')) return true
  if (!parts || parts.length < 2) return false
  const isProtected = (part: DocumentPart) => part.encrypted || part.signed
  return parts.some(isProtected) && parts.some((part) => !isProtected(part))
}

/**
 * Maps an opened message to one of the 13 states. Precedence: nothing shown (9, 10) before a
 * broken signature (7, 8) before a signer that is not the sender (6) before a changed key (13)
 * before partial protection (11); then the plain combinations of the two axes.
 */
export function securitySummaryOf(
  document: ReadingDocument,
  readingWarnings: readonly DocumentWarning[] = [],
): SecuritySummary {
  const { encryption, signature } = document.security
  const warnings = [...(document.security.warnings ?? [])]
  for (const warning of readingWarnings) if (!warnings.some((w) => w.code === warning.code)) warnings.push(warning)
  const has = (code: string) => warnings.some((warning) => warning.code === code)
  const confidentiality =
    encryption.state === 'encrypted' ? 'encrypted' : encryption.state === 'failed' ? 'failed' : 'not-encrypted'
  const isEncrypted = confidentiality === 'encrypted'
  let notValidBecause: NotValidBecause | null = null

  let state: SecurityStateId
  let authenticity: SecuritySummary['authenticity']
  if (encryption.state === 'failed') {
    state = encryption.code && insecureEncryptionCode.test(encryption.code) ? 'insecure-encryption' : 'cannot-decrypt'
    authenticity = 'not-signed'
  } else if (signature.state === 'invalid') {
    notValidBecause = notValidBecauseOf(signature.code)
    state = notValidBecause ? 'signature-not-valid' : 'invalid'
    authenticity = notValidBecause ? 'not-valid' : 'invalid'
  } else if (signature.state === 'mismatch') {
    state = 'mismatch'
    authenticity = 'mismatch'
  } else if (signature.state === 'valid' && has('sender-key-changed')) {
    state = 'key-changed'
    authenticity = signature.acceptance === 'verified' ? 'verified' : 'unverified'
  } else if (isPartlyProtected(document.parts, warnings)) {
    state = 'partly-protected'
    authenticity =
      signature.state === 'valid'
        ? signature.acceptance === 'verified'
          ? 'verified'
          : 'unverified'
        : signature.state === 'unknown-key'
          ? 'unknown-key'
          : 'not-signed'
  } else if (signature.state === 'valid') {
    const isVerified = signature.acceptance === 'verified'
    state = isEncrypted ? (isVerified ? 'encrypted-verified' : 'encrypted-unverified') : 'signed'
    authenticity = isVerified ? 'verified' : 'unverified'
  } else if (signature.state === 'unknown-key') {
    // Signed-only by a key we do not have: the signature cannot be checked, so it is "not valid" (8).
    if (isEncrypted) state = 'encrypted-unknown-key'
    else {
      state = 'signature-not-valid'
      notValidBecause = 'unknown-key'
    }
    authenticity = 'unknown-key'
  } else {
    state = isEncrypted ? 'encrypted-unsigned' : 'plain'
    authenticity = 'not-signed'
  }
  return {
    state,
    number: securityStates[state],
    tone: tones[state],
    confidentiality,
    authenticity,
    notValidBecause,
    isContentHidden: state === 'cannot-decrypt' || state === 'insecure-encryption',
    // Without a code (older documents) a failed decryption is taken as a missing key.
    isKeyMissing: state === 'cannot-decrypt' && (!encryption.code || keyMissingCode.test(encryption.code)),
    warnings,
  }
}
