import type { Key, verify } from 'openpgp'
import type { StoredKey } from '../keys/stored-key.ts'
import { reason, type Reason } from '../errors/index.ts'
import { limits } from '../limits.ts'
import type { OpenContext, SignatureCheck } from '../message/technology.ts'
import { loadKey } from './key-technology.ts'
import { openpgpErrorOf } from './openpgp-errors.ts'

/** What decrypting and verifying share: loading the vault's OpenPGP keys and judging signatures. */
export interface LoadedKey {
  stored: StoredKey
  key: Key
}

export async function loadAll(keys: readonly StoredKey[]): Promise<LoadedKey[]> {
  const loaded: LoadedKey[] = []
  for (const stored of keys) {
    if (stored.technology !== 'openpgp') continue
    try {
      loaded.push({ stored, key: await loadKey(stored) })
    } catch {
      // A damaged record must not stop reading mail; it simply cannot be used.
    }
  }
  return loaded
}

/** The time signatures are judged at: now, plus the tolerated clock skew of the sender. */
export const verificationDate = (context: OpenContext) => new Date(context.now.getTime() + limits.signatureClockSkewMs)

export const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)

/**
 * A decryption failure (in memory or from the worker) → a reason a user can act on, decided by its code:
 * openpgp.js texts are read in one place only (openpgp-errors.ts).
 */
export function decryptFailure(error: unknown): Reason {
  const coded = openpgpErrorOf(error)
  return reason(coded.code, coded.params)
}

function signatureFailure(message: string): Reason {
  if (/SHA1|sha1|Insecure message hash/i.test(message)) return reason('SIGNATURE_SHA1')
  if (/too weak/i.test(message)) return reason('SIGNATURE_WEAK_HASH')
  if (/expired|revoked|newer than the signature|in the future/i.test(message))
    return reason('SIGNATURE_KEY_NOT_VALID_THEN', { detail: message })
  return reason('SIGNATURE_CONTENT_MISMATCH', { detail: message })
}

type VerificationResult = Awaited<ReturnType<typeof verify>>['signatures'][number]

export async function checkSignatures(
  signatures: VerificationResult[],
  loaded: LoadedKey[],
): Promise<SignatureCheck[]> {
  const checks: SignatureCheck[] = []
  for (const signature of signatures) {
    const keyId = signature.keyID.toHex().toUpperCase()
    const owner = loaded.find((entry) => entry.key.getKeys(signature.keyID).length > 0) ?? null
    const created = await signature.signature.then(
      (s) => s.packets[0]?.created ?? null,
      () => null,
    )
    if (!owner) {
      checks.push({
        result: 'unknown-key',
        key: null,
        keyId,
        created,
        reason: reason('SIGNATURE_UNKNOWN_KEY', { keyId }),
      })
      continue
    }
    try {
      await signature.verified
      checks.push({ result: 'valid', key: owner.stored, keyId, created, reason: null })
    } catch (error) {
      checks.push({ result: 'invalid', key: owner.stored, keyId, created, reason: signatureFailure(firstLine(error)) })
    }
  }
  return checks
}
