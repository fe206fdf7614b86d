import { keyFileName } from './key-file-names.ts'
import { exportKey, findKey } from './key-store.ts'
import type { StoredKey } from './stored-key.ts'
import type { KeyTechnology } from './technology.ts'
import type { Vault } from './vault.ts'

/** The public key or certificate as a file for passing on: the key, its file name and its bytes on demand. */
export function publicKeyFile(vault: Vault, technologies: readonly KeyTechnology[], idOrFingerprint: string) {
  const key: StoredKey = findKey(vault.contents, idOrFingerprint)
  const request = { part: 'public', format: undefined, passphrase: null, compat: false } as const
  return { key, fileName: keyFileName(key, 'public'), bytes: () => exportKey(vault, technologies, key.fingerprint, request) }
}

/** The public key or certificate as text, for the clipboard: armored OpenPGP, PEM for certificates. */
export async function publicKeyText(vault: Vault, technologies: readonly KeyTechnology[], idOrFingerprint: string): Promise<string> {
  const key = findKey(vault.contents, idOrFingerprint)
  const format = key.technology === 'smime' ? 'pem' : undefined
  const bytes = await exportKey(vault, technologies, key.fingerprint, { part: 'public', format, passphrase: null, compat: false })
  return new TextDecoder().decode(bytes)
}
