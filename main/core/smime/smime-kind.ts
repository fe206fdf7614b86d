import { preferredKey, summarizeKey, type StoredKey } from '../keys/stored-key.ts'
import type { TechnologyRecognizer } from '../message/technology.ts'
import { decodeBody, parseMime, type MimePart } from '../mime/parse.ts'
import { bytesOf, children, parseDer } from './der.ts'
import { smimeMaterial } from './smime-material.ts'
import { cmsTypeOf, isDetachedSigned, smimeKeys, what } from './smime-parts.ts'

/**
 * What S/MIME looks like in a message, told without pkijs (asn1js reads a CMS content type where a sender
 * left out smime-type): application/pkcs7-mime and multipart/signed entities (RFC 8551 §3) and which vault
 * certificate serves an address. The cryptography is smime-message.ts, loaded only when a message needs it
 * (message/technologies.ts).
 */

/** The content of an opaque signed entity, unverified (to see whether it only wraps ciphertext). */
function opaqueSignedContent(part: MimePart): MimePart | null {
  if (cmsTypeOf(part) !== 'signed') return null
  try {
    const [, wrapper] = children(parseDer(decodeBody(part), what), what)
    const encap = children(children(wrapper, what)[0], what)[2]
    const eContent = children(children(encap, what)[1], what)[0]
    return eContent ? parseMime(bytesOf(eContent, what)) : null
  } catch {
    return null
  }
}

/** The vault's certificate for the address (never a trust anchor): valid, with the usage, verified first, then newest. */
function smimeKeyFor(
  keys: readonly StoredKey[],
  address: string,
  purpose: 'sign' | 'encrypt',
  now: Date,
): StoredKey | null {
  const wanted = address.toLowerCase()
  const candidates = smimeKeys(keys).filter((key) => {
    if (smimeMaterial(key).trustAnchor || !key.emails.includes(wanted)) return false
    if (summarizeKey(key, now).status !== 'valid' || !key.usage.includes(purpose)) return false
    return purpose === 'encrypt' || Boolean(smimeMaterial(key).privateKey)
  })
  return preferredKey(candidates)
}

export const smimeRecognizer = {
  technology: 'smime',
  isEncrypted: (part: MimePart) => cmsTypeOf(part) === 'enveloped',
  isSigned: (part: MimePart) => isDetachedSigned(part) || cmsTypeOf(part) === 'signed',
  opaqueSignedContent,
  keyFor: smimeKeyFor,
  offers: ['offeredKeys', 'encryptStream', 'signStream'],
  // smime-message.ts: certificates come from checked signatures (carried) and certs-only parts only.
  mayOfferKeys: (_root: MimePart, parts: readonly MimePart[], carried: readonly Uint8Array[]) =>
    carried.length > 0 || parts.some((part) => cmsTypeOf(part) === 'certs-only'),
} as const satisfies TechnologyRecognizer
