import type { AppInfo } from '../preload/contract.ts'
import { openVault, type VaultKeySource } from './core/keys/vault.ts'
import { createDispatcher, type DispatcherOptions } from './ipc/dispatch.ts'
import { createHandlers, lazyVault } from './ipc/registry.ts'

export interface AppCoreOptions {
  profileDir: string
  keySource: () => Promise<VaultKeySource>
  appInfo: AppInfo
  trustedOrigins: readonly string[]
  now?: () => Date
  log?: DispatcherOptions['log']
}

/** The core as the desktop app (and the UI test harness) runs it: vault, handler registry, dispatcher. */
export function createAppCore(options: AppCoreOptions) {
  const now = options.now ?? (() => new Date())
  const getVault = lazyVault(async () =>
    openVault({ profileDir: options.profileDir, keySource: await options.keySource(), now }),
  )
  const handlers = createHandlers({ appInfo: options.appInfo, getVault, now })
  const dispatch = createDispatcher({ handlers, trustedOrigins: options.trustedOrigins, log: options.log })
  return { handlers, dispatch, getVault }
}
