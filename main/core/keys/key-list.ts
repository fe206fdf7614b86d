import { missingIssuerOf } from '../smime/chain-check.ts'
import type { KeySummary } from './key-summary.ts'
import { inspectKeyFile } from './key-store.ts'
import { summarizeKey } from './stored-key.ts'
import type { KeyFile, KeyTechnology } from './technology.ts'
import type { Vault } from './vault.ts'

/** Every key and certificate in the vault, as the contract's summary (no key material). */
export function listKeys(vault: Vault, now: Date): KeySummary[] {
  return vault.contents.keys.map((key) => summarizeKey(key, now))
}

/** A key an import would bring: whether the vault has it yet, and the issuer whose certificate is missing. */
export type ImportPreview = KeySummary & { isNew: boolean; missingIssuer: string | null }

/** What an import of `file` would bring, without storing anything (the import wizard's preview). */
export async function previewImport(
  vault: Vault,
  technologies: readonly KeyTechnology[],
  file: KeyFile & { path: string },
  options: { passphrase: Uint8Array | null; now: Date },
): Promise<ImportPreview[]> {
  const stored = vault.contents.keys
  const known = new Set(stored.map((key) => `${key.technology}:${key.fingerprint}`))
  const keys = await inspectKeyFile(technologies, file, options)
  return keys.map((key) => ({
    ...summarizeKey(key, options.now),
    isNew: !known.has(`${key.technology}:${key.fingerprint}`),
    // The file's own certificates count as issuers too (a chain imported in one file).
    missingIssuer: missingIssuerOf(key, [...keys, ...stored]),
  }))
}
