import { SiegelpostError } from '../errors/index.ts'
import { canonicalRecoveryCode } from './recovery-code.ts'
import type { StoredKey } from './stored-key.ts'
import type { GenerateRequest, KeyFile, KeyTechnology } from './technology.ts'
import type { Vault, VaultContents } from './vault.ts'

/** Fingerprints as users type them: spaces and colons allowed, any case. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[\s:]/g, '').toUpperCase()
}

/** Finds a key by its id or full fingerprint (CLI.md: every ID argument accepts both). */
export function findKey(contents: VaultContents, idOrFingerprint: string): StoredKey {
  const wanted = normalizeFingerprint(idOrFingerprint)
  const matches = contents.keys.filter((key) => key.id.toUpperCase() === wanted || key.fingerprint === wanted)
  if (matches.length === 0) throw new SiegelpostError('KEY_NOT_FOUND', { id: idOrFingerprint })
  if (matches.length > 1) throw new SiegelpostError('KEY_AMBIGUOUS', { id: idOrFingerprint })
  return matches[0]!
}

function technologyFor(technologies: readonly KeyTechnology[], key: StoredKey): KeyTechnology {
  const technology = technologies.find((t) => t.technology === key.technology)
  if (!technology) throw new SiegelpostError('INTERNAL', { reason: `no ${key.technology} support built in` })
  return technology
}

/** Without a technology's own rule: never lose secret material or a confirmation. */
function keepRicher(stored: StoredKey, incoming: StoredKey): StoredKey {
  const base = incoming.hasSecret || !stored.hasSecret ? incoming : stored
  return {
    ...base,
    hasSecret: stored.hasSecret || incoming.hasSecret,
    acceptance: stored.acceptance === 'verified' ? 'verified' : incoming.acceptance,
    flags: { ...base.flags, revoked: stored.flags.revoked || incoming.flags.revoked },
  }
}

/**
 * A recovery code typed back without its dashes, in lower case or with I for 1 is still the code:
 * when the passphrase as typed is wrong, its canonical recovery-code form gets one more try.
 */
function passphraseVariants(passphrase: Uint8Array | null): (Uint8Array | null)[] {
  if (passphrase === null) return [null]
  const typed = new TextDecoder().decode(passphrase)
  const canonical = canonicalRecoveryCode(typed)
  return canonical === null || canonical === typed ? [passphrase] : [passphrase, new TextEncoder().encode(canonical)]
}

/** Reads a key file without storing anything: what an import would bring (the wizard's preview). */
export async function inspectKeyFile(
  technologies: readonly KeyTechnology[],
  file: KeyFile & { path: string },
  options: { passphrase: Uint8Array | null; now: Date },
): Promise<StoredKey[]> {
  return (await readKeyFile(technologies, file, options)).keys
}

/** The technology that recognised the file, and the keys it read from it. */
async function readKeyFile(
  technologies: readonly KeyTechnology[],
  file: KeyFile & { path: string },
  options: { passphrase: Uint8Array | null; now: Date; existing?: readonly StoredKey[] },
): Promise<{ technology: KeyTechnology; keys: StoredKey[] }> {
  const technology = technologies.find((t) => t.detect(file))
  if (!technology) throw new SiegelpostError('KEY_FORMAT_UNKNOWN', { path: file.path })
  const variants = passphraseVariants(options.passphrase)
  for (const [index, passphrase] of variants.entries()) {
    try {
      const keys = await technology.import(file, { ...options, passphrase })
      if (keys.length === 0) throw new SiegelpostError('KEY_FORMAT_UNKNOWN', { path: file.path })
      return { technology, keys }
    } catch (error) {
      const isLast = index === variants.length - 1
      if (isLast || !(error instanceof SiegelpostError) || error.code !== 'KEY_PASSPHRASE_WRONG') throw error
    }
  }
  throw new SiegelpostError('KEY_FORMAT_UNKNOWN', { path: file.path })
}

/**
 * Imports every key in `file` into the vault in one saved generation: all or nothing.
 * Returns the imported keys as stored (merged with what was there).
 */
export async function importKeyFile(
  vault: Vault,
  technologies: readonly KeyTechnology[],
  file: KeyFile & { path: string },
  options: { passphrase: Uint8Array | null; now: Date },
): Promise<StoredKey[]> {
  const { technology, keys: incoming } = await readKeyFile(technologies, file, {
    ...options,
    existing: vault.contents.keys,
  })
  const result: StoredKey[] = []
  await vault.update((draft) => {
    result.length = 0
    for (const key of incoming) {
      const index = draft.keys.findIndex(
        (k) =>
          k.technology === key.technology &&
          (k.fingerprint === key.fingerprint || technology.sameKey?.(k, key) === true),
      )
      if (index < 0) {
        draft.keys.push(key)
        result.push(key)
      } else {
        const merged = (technology.merge ?? keepRicher)(draft.keys[index]!, key)
        draft.keys[index] = merged
        result.push(merged)
      }
    }
  })
  return result
}

export async function exportKey(
  vault: Vault,
  technologies: readonly KeyTechnology[],
  idOrFingerprint: string,
  request: Parameters<KeyTechnology['export']>[1],
): Promise<Uint8Array> {
  const key = findKey(vault.contents, idOrFingerprint)
  if (request.part === 'secret') {
    if (!key.hasSecret) throw new SiegelpostError('KEY_NO_SECRET', { id: idOrFingerprint })
    if (!request.passphrase) throw new SiegelpostError('EXPORT_NEEDS_PASSPHRASE')
  }
  return technologyFor(technologies, key).export(key, request)
}

/** The user compared the fingerprint on another channel: the key becomes "verified" — only if it matches exactly. */
export async function confirmFingerprint(
  vault: Vault,
  idOrFingerprint: string,
  fingerprint: string,
): Promise<StoredKey> {
  const key = findKey(vault.contents, idOrFingerprint)
  if (normalizeFingerprint(fingerprint) !== key.fingerprint) {
    throw new SiegelpostError('KEY_FINGERPRINT_MISMATCH', { id: idOrFingerprint })
  }
  let updated = key
  await vault.update((draft) => {
    const target = findKey(draft, key.fingerprint)
    target.acceptance = 'verified'
    updated = structuredClone(target)
  })
  return updated
}

/** A new own key, stored in the vault (protected by the vault, not by a passphrase — CLI.md). */
export async function generateKey(
  vault: Vault,
  technologies: readonly KeyTechnology[],
  technology: StoredKey['technology'],
  request: GenerateRequest,
  now: Date,
): Promise<StoredKey> {
  const generator = technologies.find((t) => t.technology === technology)?.generate
  if (!generator) throw new SiegelpostError('INTERNAL', { reason: `no ${technology} key generation built in` })
  const key = await generator(request, { now })
  await vault.update((draft) => void draft.keys.push(key))
  return key
}

/** The revocation certificate of an own key, to keep apart from the key (it lets anyone holding it revoke the key). */
export async function revocationCertificate(
  vault: Vault,
  technologies: readonly KeyTechnology[],
  idOrFingerprint: string,
  now: Date,
): Promise<{ key: StoredKey; bytes: Uint8Array }> {
  const key = findKey(vault.contents, idOrFingerprint)
  if (!key.hasSecret) throw new SiegelpostError('KEY_NO_SECRET', { id: idOrFingerprint })
  const make = technologyFor(technologies, key).revocationCertificate
  if (!make) throw new SiegelpostError('KEY_NO_REVOCATION', { id: idOrFingerprint })
  return { key, bytes: await make(key, { now }) }
}

export async function deleteKey(vault: Vault, idOrFingerprint: string): Promise<StoredKey> {
  const key = findKey(vault.contents, idOrFingerprint)
  await vault.update((draft) => {
    draft.keys = draft.keys.filter((k) => !(k.technology === key.technology && k.fingerprint === key.fingerprint))
  })
  return key
}
