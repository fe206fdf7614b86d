import { SiegelpostError } from '../errors/index.ts'
import { lookupWkd, type WkdFetcher } from '../openpgp/wkd.ts'
import { importKeyFile } from './key-store.ts'
import type { StoredKey } from './stored-key.ts'
import type { KeyTechnology } from './technology.ts'
import type { Vault } from './vault.ts'

export interface DiscoveredKeys {
  method: 'advanced' | 'direct'
  /** Stored (as "not verified") only when the user asked to take them over. */
  imported: boolean
  keys: StoredKey[]
}

/**
 * Looks up an address's OpenPGP key in its Web Key Directory (CLI `keys lookup`, IPC `keys:lookup`).
 * Found keys are offered, never taken over silently: `take` stores them through the normal import,
 * so they arrive unverified with every flag an imported file gets. Nothing found is an error that says
 * what to do instead.
 */
export async function discoverKeys(
  address: string,
  fetcher: WkdFetcher,
  options: { now: Date; take: { vault: Vault; technologies: readonly KeyTechnology[] } | null },
): Promise<DiscoveredKeys> {
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address)) throw new SiegelpostError('MESSAGE_BAD_ADDRESS', { address })
  const found = await lookupWkd(address, fetcher, options.now)
  if (!found) throw new SiegelpostError('WKD_NOT_FOUND', { address })
  if (!options.take) return { method: found.method, imported: false, keys: found.keys }
  // Only the keys that carry the address (lookupWkd dropped the others), as one armored file.
  const bytes = new TextEncoder().encode(found.keys.map((key) => String(key.material.armored)).join('\n'))
  const keys = await importKeyFile(
    options.take.vault,
    options.take.technologies,
    { bytes, fileName: `wkd-${address}.asc`, path: `WKD ${address}` },
    { passphrase: null, now: options.now },
  )
  return { method: found.method, imported: true, keys }
}
