import { PacketList, armor, enums, generateKey, readKey, revokeKey, type PrivateKey } from 'openpgp'
import { SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { openpgpConfig, textEncoder } from './config.ts'
import { loadKey, toStoredKey } from './key-technology.ts'

export type KeyAlgorithm = 'curve25519' | 'rsa4096'

/**
 * A new own key: v4 Ed25519 (legacy EdDSA) + Cv25519 by default, RSA-4096 on request — what GnuPG
 * 2.2/2.4 and Thunderbird read (library-facts §3.2). No passphrase: the vault protects it.
 */
export async function generateOpenpgpKey(options: {
  name: string
  email: string
  algorithm: KeyAlgorithm
  now: Date
  expiresInYears?: number
}): Promise<StoredKey> {
  const years = options.expiresInYears ?? 0
  const expires = new Date(options.now)
  expires.setUTCFullYear(expires.getUTCFullYear() + years)
  const generated = await generateKey({
    // 0 = does not expire; otherwise calendar years from now.
    keyExpirationTime: years === 0 ? 0 : Math.round((expires.getTime() - options.now.getTime()) / 1000),
    ...(options.algorithm === 'rsa4096'
      ? { type: 'rsa' as const, rsaBits: 4096 }
      : { type: 'ecc' as const, curve: 'curve25519Legacy' as const }),
    userIDs: [{ name: options.name, email: options.email }],
    date: options.now,
    format: 'object',
    config: openpgpConfig,
  })
  const stored = await toStoredKey(generated.privateKey, options.now, {
    revocationCertificate: generated.revocationCertificate,
  })
  return { ...stored, acceptance: 'verified' }
}

/**
 * A revocation certificate (a key revocation signature, armored as a public key block, as gpg
 * writes it) and the revoked key itself, for `keys revoke --apply`.
 */
export async function revokeOpenpgpKey(
  stored: StoredKey,
  now: Date,
): Promise<{ certificate: Uint8Array; revoked: StoredKey }> {
  const key = await loadKey(stored)
  if (!key.isPrivate()) throw new SiegelpostError('KEY_NO_SECRET', { id: stored.id })
  const { privateKey } = await revokeKey({
    key: key as PrivateKey,
    reasonForRevocation: { flag: enums.reasonForRevocation.noReason, string: '' },
    date: now,
    format: 'object',
    config: openpgpConfig,
  })
  const signature = privateKey.revocationSignatures[privateKey.revocationSignatures.length - 1]!
  const packets = new PacketList()
  packets.push(signature)
  const certificate = armor(
    enums.armor.publicKey,
    packets.write(),
    undefined,
    undefined,
    'This is a revocation certificate',
    true,
    openpgpConfig,
  )
  // Read back what we wrote: a key that does not show as revoked now would be a bug, not a success.
  const check = await readKey({ armoredKey: privateKey.armor(openpgpConfig), config: openpgpConfig })
  if (!(await check.isRevoked(undefined, undefined, now, openpgpConfig)))
    throw new SiegelpostError('INTERNAL', { reason: 'revocation not applied' })
  const revoked = await toStoredKey(privateKey, now, { ...stored.material, armored: privateKey.armor(openpgpConfig) })
  return {
    certificate: textEncoder.encode(certificate),
    revoked: { ...revoked, acceptance: stored.acceptance, flags: { ...revoked.flags, revoked: true } },
  }
}
