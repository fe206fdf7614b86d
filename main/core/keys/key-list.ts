import type { KeySummary } from '../../../preload/contract.ts'
import { summarizeKey } from './stored-key.ts'
import type { Vault } from './vault.ts'

/** Every key and certificate in the vault, as the contract's summary (no key material). */
export function listKeys(vault: Vault, now: Date): KeySummary[] {
  return vault.contents.keys.map((key) => summarizeKey(key, now))
}
