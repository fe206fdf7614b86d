import {
  decryptKey,
  encryptKey,
  readKey,
  readKeys,
  revokeKey,
  type Key,
  type PrivateKey,
  type PublicKey,
} from 'openpgp'
import { SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import type { ExportRequest, KeyFile, KeyTechnology } from '../keys/technology.ts'
import { openpgpConfig, passphraseText, textDecoder, textEncoder } from './config.ts'
import { generateOpenpgpKey, revokeOpenpgpKey } from './generate.ts'
import { describeKey } from './key-info.ts'
import { keysInMessage } from './mail-keys.ts'
import { parseMime, type MimePart } from '../mime/parse.ts'

const armorBlock = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?(?:-----END PGP \1 KEY BLOCK-----|$)/g

/** First byte of a binary OpenPGP key: a packet header (RFC 9580 §4.2) for a public or secret key. */
function looksLikeBinaryKey(bytes: Uint8Array): boolean {
  const first = bytes[0]
  if (first === undefined || (first & 0x80) === 0) return false
  const tag = first & 0x40 ? first & 0x3f : (first & 0x3c) >> 2
  return tag === 5 || tag === 6
}

function asText(bytes: Uint8Array): string | null {
  const head = textDecoder.decode(bytes.subarray(0, 64 * 1024))
  return head.includes('-----BEGIN PGP ') ? textDecoder.decode(bytes) : null
}

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160)

/** A saved mail (.eml) that carries OpenPGP keys (Autocrypt header or an application/pgp-keys part). */
function isMailWithKeys({ bytes, fileName }: KeyFile): boolean {
  if (!/\.eml$/i.test(fileName)) return false
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 4 * 1024 * 1024))
  return /^autocrypt:/im.test(text) || /application\/pgp-keys|-----BEGIN PGP PUBLIC KEY BLOCK-----/i.test(text)
}

/** Every key in an armored or binary file (several armored blocks allowed), as openpgp.js keys. */
export async function readKeyFile(file: KeyFile): Promise<Key[]> {
  if (isMailWithKeys(file)) {
    const root = parseMime(file.bytes)
    const all = (part: MimePart): MimePart[] => [part, ...part.children.flatMap(all)]
    const keys = (await keysInMessage(root, all(root))).map((found) => found.key)
    if (keys.length === 0)
      throw new SiegelpostError('OPENPGP_KEY_UNREADABLE', {
        file: file.fileName,
        reason: 'the mail carries no readable key',
      })
    return keys
  }
  const text = asText(file.bytes)
  const keys: Key[] = []
  try {
    if (text !== null) {
      const blocks = text.match(armorBlock) ?? []
      if (blocks.length === 0) throw new Error('no key block in the file')
      for (const block of blocks) keys.push(...(await readKeys({ armoredKeys: block, config: openpgpConfig })))
    } else {
      keys.push(...(await readKeys({ binaryKeys: file.bytes, config: openpgpConfig })))
    }
  } catch (error) {
    throw new SiegelpostError(
      'OPENPGP_KEY_UNREADABLE',
      { file: file.fileName, reason: reasonOf(error) },
      { cause: error },
    )
  }
  if (keys.length === 0) throw new SiegelpostError('OPENPGP_KEY_UNREADABLE', { file: file.fileName, reason: 'no key' })
  return keys
}

/** Unlocks a passphrase-protected secret key of an imported file; wrong or missing passphrase is a clear error. */
async function unlocked(key: Key, file: KeyFile, passphrase: Uint8Array | null): Promise<Key> {
  if (!key.isPrivate() || (key as PrivateKey).isDecrypted()) return key
  if (!passphrase) throw new SiegelpostError('KEY_PASSPHRASE_REQUIRED', { path: file.fileName })
  try {
    return await decryptKey({
      privateKey: key as PrivateKey,
      passphrase: passphraseText(passphrase),
      config: openpgpConfig,
    })
  } catch (error) {
    throw new SiegelpostError('KEY_PASSPHRASE_WRONG', {}, { cause: error })
  }
}

/** A key as the vault stores it: secret keys unlocked (the vault itself is the protection). */
export async function toStoredKey(key: Key, now: Date, extra: Record<string, unknown> = {}): Promise<StoredKey> {
  const { algorithm, ...summary } = await describeKey(key, now)
  return { ...summary, acceptance: 'unverified', material: { armored: key.armor(openpgpConfig), algorithm, ...extra } }
}

/** The openpgp.js key of a stored record (private when the vault holds the secret part). */
export async function loadKey(stored: StoredKey): Promise<PublicKey | PrivateKey> {
  const armored = stored.material.armored
  if (typeof armored !== 'string')
    throw new SiegelpostError('INTERNAL', { reason: 'openpgp record without key material' })
  return (await readKey({ armoredKey: armored, config: openpgpConfig })) as PublicKey | PrivateKey
}

/**
 * The armored text of a standalone revocation certificate (a key block holding only a key
 * revocation signature, as `keys revoke` and gpg write it; gpg's openpgp-revocs.d copies start
 * the armor with ":" so they are not imported by accident — that colon is accepted), else null.
 */
function revocationCertificateIn(file: KeyFile): string | null {
  const text = asText(file.bytes)
  const block =
    text === null
      ? null
      : /^:?(-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----)/m.exec(text)?.[1]
  if (!block) return null
  try {
    const { data } = unarmorSync(block)
    const first = data[0]
    // One signature packet (tag 2) and nothing else: not a key.
    return first !== undefined && (first & 0x80) !== 0 && (first & 0x40 ? first & 0x3f : (first & 0x3c) >> 2) === 2
      ? block
      : null
  } catch {
    return null
  }
}

const unarmorSync = (block: string) => {
  const body = block.split(/\r?\n\r?\n/)[1] ?? ''
  return { data: new Uint8Array(Buffer.from(body.replace(/^=.*$/m, '').replace(/-----END[\s\S]*/, ''), 'base64')) }
}

/** Applies a revocation certificate to the vault's key it belongs to (its signature is checked against that key). */
async function applyRevocationCertificate(
  certificate: string,
  existing: readonly StoredKey[],
  file: KeyFile,
  now: Date,
): Promise<StoredKey> {
  for (const stored of existing) {
    if (stored.technology !== 'openpgp') continue
    let key: Key
    try {
      key = await loadKey(stored)
    } catch {
      continue
    }
    try {
      const revoked = await revokeKey({
        key: key as PrivateKey,
        revocationCertificate: certificate,
        date: now,
        format: 'object',
        config: openpgpConfig,
      })
      const updated = (revoked.privateKey ?? revoked.publicKey) as Key
      const record = await toStoredKey(updated, now, { ...stored.material, armored: updated.armor(openpgpConfig) })
      return { ...record, acceptance: stored.acceptance }
    } catch {
      // Not this key's certificate (or its signature does not check out against this key).
    }
  }
  throw new SiegelpostError('OPENPGP_REVOCATION_NO_KEY', { file: file.fileName })
}

export const openpgpTechnology: KeyTechnology = {
  technology: 'openpgp',
  detect({ bytes, fileName }) {
    const text = asText(bytes)
    if (isMailWithKeys({ bytes, fileName })) return true
    if (text !== null) return /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----/.test(text)
    if (looksLikeBinaryKey(bytes)) return true
    return (
      /\.(asc|gpg|pgp|key)$/i.test(fileName) &&
      !/-----BEGIN (CERTIFICATE|PKCS7|PRIVATE KEY|ENCRYPTED PRIVATE KEY)/.test(
        textDecoder.decode(bytes.subarray(0, 4096)),
      )
    )
  },
  async import(file, { passphrase, now, existing = [] }) {
    const certificate = revocationCertificateIn(file)
    if (certificate !== null) return [await applyRevocationCertificate(certificate, existing, file, now)]
    const keys = await readKeyFile(file)
    const stored: StoredKey[] = []
    for (const key of keys) stored.push(await toStoredKey(await unlocked(key, file, passphrase), now))
    return stored
  },
  async export(stored: StoredKey, request: ExportRequest) {
    if (request.format !== undefined && request.format !== 'asc')
      throw new SiegelpostError('OPENPGP_EXPORT_FORMAT', { format: request.format })
    const key = await loadKey(stored)
    if (request.part === 'public') return textEncoder.encode(key.toPublic().armor(openpgpConfig))
    if (!key.isPrivate() || !request.passphrase) throw new SiegelpostError('EXPORT_NEEDS_PASSPHRASE')
    const locked = await encryptKey({
      privateKey: key,
      passphrase: passphraseText(request.passphrase),
      config: openpgpConfig,
    })
    return textEncoder.encode(locked.armor(openpgpConfig))
  },
  revocationCertificate: async (stored, { now }) => (await revokeOpenpgpKey(stored, now)).certificate,
  generate: (request, { now }) =>
    generateOpenpgpKey({
      name: request.name,
      email: request.email,
      algorithm: request.algo,
      expiresInYears: request.expiresInYears,
      now,
    }),
}
