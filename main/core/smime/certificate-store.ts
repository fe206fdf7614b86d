import { SiegelpostError } from '../errors/index.ts'
import { findKey } from '../keys/key-store.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import type { Vault } from '../keys/vault.ts'
import { buildCsr, generateSmimeKey } from './csr.ts'
import { pemBlocks } from './der.ts'
import { fromB64, mergeSmime, pendingKeyEntry, smimeMaterial, trustAnchorEntries } from './smime-keys.ts'

/** Vault operations of the S/MIME commands: trust anchors and certificate requests. */

/** Adds the CA certificates in a file as trust anchors, in one saved vault generation. */
export async function trustCertificates(vault: Vault, bytes: Uint8Array, path: string): Promise<StoredKey[]> {
  const anchors = trustAnchorEntries(bytes, path)
  const result: StoredKey[] = []
  await vault.update((draft) => {
    result.length = 0
    for (const anchor of anchors) {
      const index = draft.keys.findIndex((k) => k.technology === 'smime' && k.fingerprint === anchor.fingerprint)
      const stored = index < 0 ? anchor : mergeSmime(draft.keys[index]!, anchor)
      if (index < 0) draft.keys.push(stored)
      else draft.keys[index] = stored
      result.push(stored)
    }
  })
  return result
}

/** A PKCS#10 request: for an existing key (renewal) or for a new key stored in the vault now. */
export async function createCertificateRequest(
  vault: Vault,
  request: { id: string } | { name: string; email: string },
  now: Date,
): Promise<{ pem: string; key: StoredKey }> {
  if ('id' in request) {
    const key = findKey(vault.contents, request.id)
    const material = key.technology === 'smime' ? smimeMaterial(key) : null
    if (!material?.privateKey) throw new SiegelpostError('SMIME_NO_SIGNING_KEY', { id: request.id })
    return { pem: buildCsr({ pkcs8: fromB64(material.privateKey), name: key.name, emails: key.emails }), key }
  }
  const pkcs8 = generateSmimeKey()
  const key = pendingKeyEntry({ pkcs8, name: request.name, email: request.email, now })
  const pem = buildCsr({ pkcs8, name: request.name, emails: [request.email] })
  await vault.update((draft) => void draft.keys.push(key))
  return { pem, key }
}

/** CRL files as DER: PEM "X509 CRL" blocks or raw DER. */
export function crlsFromFile(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1')
  if (text.startsWith('-----BEGIN ')) return pemBlocks(text, ['X509 CRL']).map((block) => block.der)
  return [bytes]
}
