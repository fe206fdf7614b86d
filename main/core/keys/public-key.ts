import { keyFileName } from './key-file-names.ts'
import { exportKey, findKey } from './key-store.ts'
import type { KeyTechnology } from './technology.ts'
import type { Vault } from './vault.ts'

/** The public key or certificate as a file for passing on: the key, its file name and its bytes on demand. */
export function publicKeyFile(vault: Vault, technologies: readonly KeyTechnology[], idOrFingerprint: string) {
  const key = findKey(vault.contents, idOrFingerprint)
  const request = { part: 'public', format: undefined, passphrase: null, compat: false } as const
  const bytes = () => exportKey(vault, technologies, key.fingerprint, request)
  return { key, fileName: keyFileName(key, 'public'), bytes }
}

/** The public key or certificate as text, for the clipboard: armored OpenPGP, PEM for certificates. */
export async function publicKeyText(
  vault: Vault,
  technologies: readonly KeyTechnology[],
  idOrFingerprint: string,
): Promise<string> {
  const key = findKey(vault.contents, idOrFingerprint)
  const format = key.technology === 'smime' ? 'pem' : undefined
  const request = { part: 'public', format, passphrase: null, compat: false } as const
  return new TextDecoder().decode(await exportKey(vault, technologies, key.fingerprint, request))
}
