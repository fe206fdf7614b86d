import type { AppInfo } from '../../preload/contract.ts'
import { listKeys } from '../core/keys/key-list.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { Handlers } from './dispatch.ts'

export interface RegistryDeps {
  appInfo: AppInfo
  /** Opens the vault on first use (creating it if needed); a failure is retried on the next call. */
  getVault: () => Promise<Vault>
  now: () => Date
}

/** The handler registry: one plain async function per contract channel, built from the core. */
export function createHandlers(deps: RegistryDeps): Handlers {
  return {
    'app:info': async () => deps.appInfo,
    'keys:list': async () => listKeys(await deps.getVault(), deps.now()),
    'vault:status': async () => (await deps.getVault()).info(),
  }
}

/** Opens once, shares the open vault, and forgets a failed attempt so the user can fix and retry. */
export function lazyVault(open: () => Promise<Vault>): () => Promise<Vault> {
  let pending: Promise<Vault> | null = null
  return () => {
    pending ??= open().catch((error: unknown) => {
      pending = null
      throw error
    })
    return pending
  }
}
