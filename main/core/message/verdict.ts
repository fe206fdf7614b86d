import { limits } from '../limits.ts'
import { formatMessage, reason, type ErrorCode, type ErrorParams, type Lang, type Reason } from '../errors/index.ts'

/**
 * The verdict model of `open` (CLI.md "Verdict codes and warnings"): every verdict and warning is a
 * code of the one error table with its params; the text is made from them in the reader's language.
 * The decisions every technology shares live here once: whether a signer is the sender, and whether
 * the signature time is far from the Date header.
 */

/** The warnings of CLI.md, kebab-case, each with its text in the error table. */
export const warningTable = {
  'from-display-address': 'WARNING_FROM_DISPLAY_ADDRESS',
  'several-from': 'WARNING_SEVERAL_FROM',
  'sender-differs': 'WARNING_SENDER_DIFFERS',
  'reply-to-differs': 'WARNING_REPLY_TO_DIFFERS',
  'date-gap': 'WARNING_DATE_GAP',
  'unauthenticated-encryption': 'WARNING_UNAUTHENTICATED_ENCRYPTION',
  'partly-protected': 'WARNING_PARTLY_PROTECTED',
  'encrypted-part-not-opened': 'WARNING_ENCRYPTED_PART_NOT_OPENED',
  'sender-key-changed': 'WARNING_SENDER_KEY_CHANGED',
  'first-contact': 'WARNING_FIRST_CONTACT',
  'plaintext-hop': 'WARNING_PLAINTEXT_HOP',
  'certificate-revoked-later': 'WARNING_CERTIFICATE_REVOKED_LATER',
  'no-signing-time': 'WARNING_NO_SIGNING_TIME',
  'signature-damaged': 'WARNING_SIGNATURE_DAMAGED',
  'signature-only-ciphertext': 'WARNING_SIGNATURE_ONLY_CIPHERTEXT',
} as const satisfies Record<string, ErrorCode>

export type WarningCode = keyof typeof warningTable

export interface Warning {
  code: WarningCode
  params: ErrorParams
}

export const warning = (code: WarningCode, params: ErrorParams = {}): Warning => ({ code, params })

export function warningText(value: Warning, lang: Lang): string {
  return formatMessage(warningTable[value.code], lang, value.params)
}

/**
 * The one decision whether a signature belongs to the sender (CLI.md: the signer's address equals
 * the From address): null when it does, else why not. The message must name exactly one sender
 * address, and the signer's key or certificate must carry it.
 */
export function signerBinding(
  signerEmails: readonly string[],
  fromAddresses: readonly string[],
  signerName: string,
): Reason | null {
  if (fromAddresses.length !== 1) return reason('SIGNATURE_SEVERAL_SENDERS', { count: fromAddresses.length })
  const from = fromAddresses[0]!.toLowerCase()
  if (signerEmails.some((email) => email.toLowerCase() === from)) return null
  return reason('SIGNATURE_SIGNER_NOT_SENDER', { signer: signerEmails.join(', ') || signerName, from })
}

/** The `date-gap` warning when the signature time is further from the Date header than limits.signatureDateGapMs. */
export function dateGap(signed: Date | null, dateHeader: Date | null): Warning | null {
  if (!signed || !dateHeader) return null
  if (Math.abs(signed.getTime() - dateHeader.getTime()) <= limits.signatureDateGapMs) return null
  return warning('date-gap', { signed: signed.toISOString(), date: dateHeader.toISOString() })
}
