import { preferredKey, summarizeKey, type StoredKey } from '../keys/stored-key.ts'
import type { TechnologyRecognizer } from '../message/technology.ts'
import { decodeBody, fileNameOf, headerValues, type MimePart } from '../mime/parse.ts'

/**
 * What OpenPGP looks like in a message, told without openpgp.js: PGP/MIME entities (RFC 3156),
 * inline armored blocks (RFC 4880 §6.2) and which vault key serves an address. The cryptography
 * is pgp-mime.ts, loaded only when a message needs it (message/technologies.ts).
 */

const isType = (part: MimePart, type: string, protocol: string) =>
  part.contentType.type === type &&
  (part.contentType.params.protocol ?? '').toLowerCase() === protocol &&
  part.children.length >= 2

/**
 * MS Exchange rewrites PGP/MIME into multipart/mixed [empty text/plain, application/pgp-encrypted,
 * application/octet-stream]; Thunderbird and Enigmail repair it, so do we (nothing else is shown).
 */
function isExchangeMangled(part: MimePart): boolean {
  const [text, version, payload] = part.children
  return (
    part.contentType.type === 'multipart/mixed' &&
    part.children.length === 3 &&
    text!.contentType.type === 'text/plain' &&
    text!.children.length === 0 &&
    new TextDecoder().decode(decodeBody(text!)).trim() === '' &&
    version!.contentType.type === 'application/pgp-encrypted' &&
    payload!.contentType.type === 'application/octet-stream'
  )
}

export const isPgpEncrypted = (part: MimePart): boolean =>
  isType(part, 'multipart/encrypted', 'application/pgp-encrypted') || isExchangeMangled(part)

export const isPgpSigned = (part: MimePart): boolean => isType(part, 'multipart/signed', 'application/pgp-signature')

export const messageBlock = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/
export const signedBlock = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?-----END PGP SIGNATURE-----/

/** Whether a text holds an armored encrypted message or a cleartext-signed block (the first one found). */
export function inlinePgpKind(text: string): 'encrypted' | 'signed' | null {
  const encrypted = messageBlock.exec(text)
  const signed = signedBlock.exec(text)
  if (encrypted && (!signed || encrypted.index < signed.index)) return 'encrypted'
  return signed ? 'signed' : null
}

/** The vault's OpenPGP key for the address: valid, with the usage (and the secret part to sign), verified first, then newest. */
export function openpgpKeyFor(
  keys: readonly StoredKey[],
  address: string,
  purpose: 'sign' | 'encrypt',
  now: Date,
): StoredKey | null {
  const wanted = address.toLowerCase()
  const candidates = keys.filter((key) => {
    if (key.technology !== 'openpgp' || !key.emails.includes(wanted)) return false
    if (summarizeKey(key, now).status !== 'valid' || !key.usage.includes(purpose)) return false
    return purpose === 'encrypt' || key.hasSecret
  })
  return preferredKey(candidates)
}

/** A part that may hold public keys (application/pgp-keys, or a key file's name), as mail-keys.ts reads them. */
export const isPgpKeyPart = (part: MimePart): boolean =>
  part.contentType.type === 'application/pgp-keys' || /\.(asc|key|pgp|gpg)$/i.test(fileNameOf(part) ?? '')

export const openpgpRecognizer = {
  technology: 'openpgp',
  isEncrypted: isPgpEncrypted,
  isSigned: isPgpSigned,
  inlineKind: inlinePgpKind,
  keyFor: openpgpKeyFor,
  // No signStream: a large signed-only PGP/MIME message is signed in memory (up to the size limits); offering it
  // without the function made such a compose fail with an internal error.
  offers: ['inspectInline', 'offeredKeys', 'outerHeaders', 'encryptStream'],
  // mail-keys.ts: keys come from Autocrypt headers and key parts only.
  mayOfferKeys: (root: MimePart, parts: readonly MimePart[]) =>
    headerValues(root, 'autocrypt').length > 0 || parts.some(isPgpKeyPart),
} as const satisfies TechnologyRecognizer
