import type { Key, verify } from 'openpgp'
import type { ErrorCode } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
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

export const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)

const decryptFailureTexts: Partial<Record<ErrorCode, string>> = {
  ENCRYPTION_NO_INTEGRITY: 'refused: the message has no integrity protection (no MDC/AEAD) and could have been altered (EFAIL)',
  ENCRYPTION_ALTERED: 'the encrypted data was altered on the way (integrity check failed); nothing is shown',
  ENCRYPTION_TOO_LARGE: 'refused: the message expands to more than the allowed size (compression bomb?)',
  ENCRYPTION_NOT_FOR_YOU: 'the message is not encrypted to any key in your vault',
}

/** A decryption failure (in memory or from the worker) → a reason a user can act on, decided by its code. */
export function decryptFailure(error: unknown): string {
  const coded = openpgpErrorOf(error)
  const detail = coded.code === 'ENCRYPTION_UNREADABLE' ? String(coded.params.detail) : firstLine(error)
  return decryptFailureTexts[coded.code] ?? `the encrypted data could not be read (${detail})`
}

function signatureFailure(message: string): string {
  if (/SHA1|sha1|Insecure message hash/i.test(message)) return 'signature uses SHA-1, which is no longer secure'
  if (/too weak/i.test(message)) return 'the signature uses a hash algorithm that is too weak for its key'
  if (/expired|revoked|newer than the signature|in the future/i.test(message)) return `the signing key was not valid when the signature was made (${message})`
  return `the signature does not match the content (${message})`
}

type VerificationResult = Awaited<ReturnType<typeof verify>>['signatures'][number]

export async function checkSignatures(signatures: VerificationResult[], loaded: LoadedKey[]): Promise<SignatureCheck[]> {
  const checks: SignatureCheck[] = []
  for (const signature of signatures) {
    const keyId = signature.keyID.toHex().toUpperCase()
    const owner = loaded.find((entry) => entry.key.getKeys(signature.keyID).length > 0) ?? null
    const created = await signature.signature.then((s) => s.packets[0]?.created ?? null, () => null)
    if (!owner) {
      checks.push({ result: 'unknown-key', key: null, keyId, created, reason: '' })
      continue
    }
    try {
      await signature.verified
      checks.push({ result: 'good', key: owner.stored, keyId, created, reason: '' })
    } catch (error) {
      checks.push({ result: 'bad', key: owner.stored, keyId, created, reason: signatureFailure(firstLine(error)) })
    }
  }
  return checks
}

