import type { AppInfo } from '../preload/contract.ts'
import { SiegelpostError } from './core/errors/index.ts'
import type { SecretStore } from './core/keys/secret-store.ts'
import { keyTechnologies } from './core/keys/technologies.ts'
import type { KeyTechnology } from './core/keys/technology.ts'
import { openVault, type VaultKeySource } from './core/keys/vault.ts'
import { DraftStore } from './core/drafts/draft-store.ts'
import { networkWkdFetcher, type WkdFetcher } from './core/openpgp/wkd.ts'
import { networkPolicyFrom } from './core/network-policy.ts'
import { createDispatcher, type DispatcherOptions } from './ipc/dispatch.ts'
import { mailWatchOf } from './ipc/mail-watch.ts'
import { createHandlers, lazyVault, type RegistryDeps } from './ipc/registry.ts'

export interface AppCoreOptions {
  profileDir: string
  keySource: () => Promise<VaultKeySource>
  appInfo: AppInfo
  trustedOrigins: readonly string[]
  now?: () => Date
  /** The key technologies (default: all built in); tests of the UI flows may bring their own. */
  technologies?: readonly KeyTechnology[]
  chooseSavePath: RegistryDeps['chooseSavePath']
  chooseOpenPath?: RegistryDeps['chooseOpenPath']
  /** The OS open dialog for attachments; without it the composer offers drop only. */
  chooseOpenPaths?: RegistryDeps['chooseOpenPaths']
  writeClipboard: RegistryDeps['writeClipboard']
  clearClipboard?: RegistryDeps['clearClipboard']
  clipboardClearMs?: RegistryDeps['clipboardClearMs']
  log?: DispatcherOptions['log']
  /** A test DNS server for the recipient-domain check (loopback); the system resolver otherwise. */
  dnsServer?: string
  /** Web Key Directory access; by default HTTPS through `dnsServer` or the system resolver, under SIEGELPOST_NETWORK. */
  wkdFetcher?: WkdFetcher
  /** The read view's desktop shell (open dialog, opening saved attachments, download mark). */
  mailShell?: RegistryDeps['mailShell']
  /** Worker threads for large messages (the app's built workers; tests start them from source). */
  startWorker?: RegistryDeps['startWorker']
  /** Where large messages are spooled (encrypted) while open; the OS temp folder by default. */
  tempDir?: string
  /** Watch the accounts' INBOX for new mail while the window asks (the app: on; UI tests: only where tested). */
  watchMail?: boolean
  watchPollMs?: RegistryDeps['watchPollMs']
  /** Shows a new-mail OS notification (the app's desktop notifications). */
  notify?: RegistryDeps['notify']
}

/** The core as the desktop app (and the UI test harness) runs it: vault, handler registry, dispatcher. */
export function createAppCore(options: AppCoreOptions) {
  const now = options.now ?? (() => new Date())
  const getVault = lazyVault(async () =>
    openVault({ profileDir: options.profileDir, keySource: await options.keySource(), now }),
  )
  // Account passwords live in the same OS keychain as the vault key (a passphrase vault seals them in the profile instead).
  const keychain = async (): Promise<SecretStore> => {
    const source = await options.keySource()
    if (source.mode !== 'keychain') throw new SiegelpostError('VAULT_NEEDS_KEYCHAIN', { path: options.profileDir })
    return source.store
  }
  const transport = {
    profileDir: options.profileDir,
    keychain,
    owner: String(process.pid),
    dnsServer: options.dnsServer,
  }
  const wkdFetcher =
    options.wkdFetcher ?? networkWkdFetcher({ dnsServer: options.dnsServer, policy: networkPolicyFrom(process.env) })
  const getDrafts = async () => new DraftStore(options.profileDir, await getVault(), now)
  const deps: RegistryDeps = {
    appInfo: options.appInfo,
    getVault,
    now,
    technologies: options.technologies ?? keyTechnologies,
    chooseSavePath: options.chooseSavePath,
    chooseOpenPath: options.chooseOpenPath,
    chooseOpenPaths: options.chooseOpenPaths ?? (async () => []),
    writeClipboard: options.writeClipboard,
    clearClipboard: options.clearClipboard,
    clipboardClearMs: options.clipboardClearMs,
    transport,
    getDrafts,
    wkdFetcher,
    mailShell: options.mailShell,
    startWorker: options.startWorker,
    tempDir: options.tempDir,
    watchMail: options.watchMail ?? false,
    watchPollMs: options.watchPollMs,
    notify: options.notify,
  }
  const handlers = createHandlers(deps)
  const dispatch = createDispatcher({ handlers, trustedOrigins: options.trustedOrigins, log: options.log })
  /** Ends what runs in the background (the new-mail watches and their IMAP sessions); the app calls it on quit. */
  const stop = () => mailWatchOf(deps).stop()
  return { handlers, dispatch, getVault, stop }
}
