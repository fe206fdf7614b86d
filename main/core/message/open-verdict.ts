import { reason, type Reason } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import type { SignatureCheck } from './technology.ts'
import { signerBinding } from './verdict.ts'

/** A signature verdict before its text is made: CLI.md's fields with the reason as code and params. */
export interface SignatureOutcome {
  state: 'valid' | 'invalid' | 'unknown-key' | 'mismatch' | 'none'
  signer: string | null
  acceptance: 'verified' | 'unverified' | null
  reason: Reason | null
  /** The check the verdict rests on (its time for the date gap, its warnings), null when none. */
  check: SignatureCheck | null
}

/**
 * The verdict for the whole displayed message (CLI.md): valid only when a signature checks out,
 * covers everything shown, and its key names the single From address. SHA-1, forged structures and
 * keys invalid at the signature's own time arrive here as 'invalid' with the technology's own reason,
 * which is kept as it is.
 */
export function signatureVerdict(
  checks: readonly SignatureCheck[],
  fromAddresses: readonly string[],
  note: Reason | null,
): SignatureOutcome {
  if (checks.length === 0) return { state: 'none', signer: null, acceptance: null, reason: note, check: null }
  const bad = checks.find((c) => c.result === 'invalid')
  if (bad) {
    const why = bad.reason ?? reason('SIGNATURE_NO_USABLE')
    const signer = bad.key?.emails[0] ?? null
    return { state: 'invalid', signer, acceptance: bad.key?.acceptance ?? null, reason: why, check: bad }
  }
  const good = checks.filter((c) => c.result === 'valid' && c.key !== null)
  if (good.length === 0) {
    const unknown = checks[0]!
    const why = unknown.reason ?? reason('SIGNATURE_UNKNOWN_KEY', { keyId: unknown.keyId })
    return { state: 'unknown-key', signer: null, acceptance: null, reason: why, check: unknown }
  }
  for (const check of good) {
    const key = check.key as StoredKey
    const { acceptance } = key
    if (key.flags.revoked) {
      const why = reason('SIGNATURE_KEY_REVOKED')
      return { state: 'invalid', signer: key.emails[0] ?? null, acceptance, reason: why, check }
    }
    if (signerBinding(key.emails, fromAddresses, key.fingerprint) === null) {
      const why = check.reason ?? reason('SIGNATURE_VALID')
      return { state: 'valid', signer: fromAddresses[0]!, acceptance, reason: why, check }
    }
  }
  const first = good[0]!
  const key = first.key as StoredKey
  const why = signerBinding(key.emails, fromAddresses, key.fingerprint)
  return { state: 'mismatch', signer: key.emails[0] ?? null, acceptance: key.acceptance, reason: why, check: first }
}
