import { enums, type Key, type PrivateKey, type PublicKey } from 'openpgp'
import type { StoredKey } from '../keys/stored-key.ts'
import { openpgpConfig } from './config.ts'

/** A user id's address, lower-cased; null when the user id has none. */
export function emailOf(userID: string | undefined): string | null {
  if (!userID) return null
  const match = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(userID) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(userID)
  return match ? match[1]!.toLowerCase() : null
}

function nameOf(userID: string): string {
  const name = userID
    .replace(/<[^>]*>\s*$/, '')
    .replace(/\([^)]*\)\s*$/, '')
    .trim()
  return name || (emailOf(userID) ?? userID)
}

const succeeds = async (work: () => Promise<unknown>) =>
  work().then(
    () => true,
    () => false,
  )

function bitsOf(key: Key): number | null {
  const info = key.getAlgorithmInfo()
  return info.bits ?? null
}

function algorithmLabel(key: Key): string {
  const info = key.getAlgorithmInfo()
  if (info.bits) return `${info.algorithm}${info.bits}`
  return info.curve ? `${info.algorithm}/${info.curve}` : info.algorithm
}

/**
 * The contract summary of an OpenPGP key plus the reasons it must not be used. Key validity is
 * judged at `now`; expiry is stored as a date so the listing can say "expired" later.
 * Unusable (never used to encrypt or sign): no valid user id, RSA < 2048 bits, a user id bound
 * only by a SHA-1 self-signature, no encryption subkey (for anyone to write to this key).
 */
export async function describeKey(
  key: Key,
  now: Date,
): Promise<Omit<StoredKey, 'acceptance' | 'material'> & { algorithm: string }> {
  const fingerprint = key.getFingerprint().toUpperCase()
  const userIDs = key.users.map((user) => user.userID?.userID).filter((id): id is string => typeof id === 'string')
  let primaryUserID: string | undefined
  try {
    primaryUserID = (await key.getPrimaryUser(now, undefined, openpgpConfig)).user.userID?.userID
  } catch {
    primaryUserID = userIDs[0]
  }
  const emails = [...new Set(userIDs.map(emailOf).filter((e): e is string => e !== null))]
  const reasons: string[] = []

  const revoked = await key.isRevoked(undefined, undefined, now, openpgpConfig).catch(() => false)
  let expires: string | null = null
  try {
    const expiry = await key.getExpirationTime(undefined, openpgpConfig)
    if (expiry instanceof Date) expires = expiry.toISOString()
  } catch {
    // No valid self-signature at all: reported below as "no valid user id".
  }
  const hasValidUser =
    primaryUserID !== undefined && (await succeeds(() => key.getPrimaryUser(now, undefined, openpgpConfig)))
  if (!hasValidUser && !revoked) reasons.push('no valid user id (self-signature missing or broken)')

  const bits = bitsOf(key)
  const info = key.getAlgorithmInfo()
  const isRsa = info.algorithm.startsWith('rsa')
  if (isRsa && bits !== null && bits < 2048) reasons.push(`RSA key with ${bits} bits (at least 2048 needed)`)
  for (const subkey of key.subkeys) {
    const sub = subkey.getAlgorithmInfo()
    if (sub.algorithm.startsWith('rsa') && sub.bits && sub.bits < 2048)
      reasons.push(`RSA subkey with ${sub.bits} bits (at least 2048 needed)`)
  }

  // RFC 9580 §5.2.3.4 / NIST SP 800-131A: SHA-1 self-signatures no longer bind a user id safely.
  for (const user of key.users) {
    const certifications = user.selfCertifications
    if (certifications.length === 0 || !user.userID) continue
    const latest = certifications.reduce((a, b) => ((a.created?.getTime() ?? 0) >= (b.created?.getTime() ?? 0) ? a : b))
    if (latest.hashAlgorithm === enums.hash.sha1)
      reasons.push(`user id ${user.userID.userID} is bound only by a SHA-1 signature`)
  }

  const usage: string[] = []
  const canSign = await succeeds(() => key.getSigningKey(undefined, now, undefined, openpgpConfig))
  const canEncrypt = await succeeds(() => key.getEncryptionKey(undefined, now, undefined, openpgpConfig))
  if (canSign) usage.push('sign')
  if (canEncrypt) usage.push('encrypt')
  usage.push('certify')
  const isExpired = expires !== null && Date.parse(expires) <= now.getTime()
  if (!canEncrypt && !revoked && !isExpired && hasValidUser) reasons.push('no usable encryption subkey')

  const hasSecret =
    key.isPrivate() &&
    (key as PrivateKey)
      .getKeys()
      .some((k) => ('isDummy' in k.keyPacket ? !(k.keyPacket as { isDummy(): boolean }).isDummy() : true))
  return {
    id: fingerprint.slice(-16),
    fingerprint,
    technology: 'openpgp',
    name: primaryUserID ? nameOf(primaryUserID) : '',
    emails,
    hasSecret,
    created: key.getCreationTime().toISOString(),
    expires,
    flags: { revoked, unusableReason: reasons.length > 0 ? [...new Set(reasons)].join('; ') : null },
    usage,
    algorithm: algorithmLabel(key),
  }
}

export type AnyKey = PublicKey | PrivateKey
