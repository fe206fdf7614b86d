import { readKey, readKeys, type Key } from 'openpgp'
import { addressesOf } from '../message/addresses.ts'
import { bodyLength, decodeBody, headerValue, headerValues, type MimePart } from '../mime/parse.ts'
import { openpgpConfig, textDecoder } from './config.ts'
import { isPgpKeyPart } from './pgp-mime-kind.ts'

/** Larger "key" attachments are not keys anyone sends; they are not parsed. */
const maxKeyPartBytes = 1024 * 1024

/**
 * Public keys a message carries: the Autocrypt header (Autocrypt Level 1 §2.1 — only when its
 * addr is the From address) and application/pgp-keys parts. They are offered, never imported here.
 */
export async function keysInMessage(
  root: MimePart,
  parts: readonly MimePart[],
): Promise<{ source: 'autocrypt' | 'attachment'; key: Key }[]> {
  const found: { source: 'autocrypt' | 'attachment'; key: Key }[] = []
  const from = addressesOf(headerValue(root, 'from'))
  for (const value of headerValues(root, 'autocrypt')) {
    const attributes = new Map(
      value.split(';').map((pair) => {
        const at = pair.indexOf('=')
        return [pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim()] as const
      }),
    )
    const addr = attributes.get('addr')?.toLowerCase()
    const keydata = attributes.get('keydata')
    if (!addr || !keydata || from.length !== 1 || from[0] !== addr) continue
    try {
      found.push({
        source: 'autocrypt',
        key: await readKey({
          binaryKey: new Uint8Array(Buffer.from(keydata.replace(/\s+/g, ''), 'base64')),
          config: openpgpConfig,
        }),
      })
    } catch {
      // An unreadable Autocrypt key is simply not offered.
    }
  }
  for (const part of parts) {
    if (!isPgpKeyPart(part) || part.children.length > 0 || bodyLength(part) > maxKeyPartBytes) continue
    try {
      const body = decodeBody(part)
      const isArmored = textDecoder.decode(body.subarray(0, 1024)).includes('-----BEGIN PGP')
      const keys = isArmored
        ? await readKeys({ armoredKeys: textDecoder.decode(body), config: openpgpConfig })
        : await readKeys({ binaryKeys: body, config: openpgpConfig })
      for (const key of keys) found.push({ source: 'attachment', key: key.toPublic() })
    } catch {
      // Not a readable key: nothing to offer.
    }
  }
  return found
}
