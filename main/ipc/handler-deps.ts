import type { MailShell } from './mail-handlers.ts'
import type { AppInfo } from '../../preload/contract.ts'
import type { DraftStore } from '../core/drafts/draft-store.ts'
import type { SecretStore } from '../core/keys/secret-store.ts'
import type { KeyTechnology } from '../core/keys/technology.ts'
import type { WorkerLike, WorkerPurpose } from '../core/message/technology.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { WkdFetcher } from '../core/openpgp/wkd.ts'
import type { TransportProfile } from '../core/transport/transport-profile.ts'

export interface SaveRequest {
  suggestedName: string
  kind:
    | 'backup'
    | 'sheet'
    | 'public'
    | 'revocation'
    | 'consent-letter'
    | 'consent-export'
    | 'attachment'
    | 'password-letter'
    /** A received message saved as .eml, and the PDF record of one. */
    | 'message'
    | 'record'
}

export interface OpenRequest {
  /** What the file is for (the dialog's filter): a received password PDF. */
  kind: 'container'
}

/** What the handlers of every domain are built from: the core's stores and the app's few outside services. */
export interface RegistryDeps {
  appInfo: AppInfo
  /** Opens the vault on first use (creating it if needed); a failure is retried on the next call. */
  getVault: () => Promise<Vault>
  now: () => Date
  technologies: readonly KeyTechnology[]
  /** Asks the user where to save a file (the OS save dialog in the app); null when they cancel. */
  chooseSavePath: (request: SaveRequest) => Promise<string | null>
  /** Asks the user which file to open (the OS open dialog in the app); null when they cancel or none is wired. */
  chooseOpenPath?: (request: OpenRequest) => Promise<string | null>
  /** Asks the user for files to attach (the OS open dialog in the app); empty when they cancel. */
  chooseOpenPaths: () => Promise<string[]>
  /** Where large messages are spooled (encrypted) while they are composed; the OS temp folder by default. */
  tempDir?: string | undefined
  /** Writes text to the OS clipboard (Electron's clipboard in the app). */
  writeClipboard: (text: string) => Promise<void>
  /** Empties the OS clipboard if it still holds `text` (a copied password); without it nothing is cleared. */
  clearClipboard?: (text: string) => Promise<void>
  /** How long a copied password stays on the clipboard (limits.ts by default; tests shorten it). */
  clipboardClearMs?: number
  /** Accounts, Outbox, policy: the profile folder, the OS keychain for account passwords, who we are for the Outbox. */
  transport: {
    profileDir: string
    keychain: () => Promise<SecretStore>
    owner: string
    /** A test DNS server for the recipient-domain check (loopback); the system resolver otherwise. */
    dnsServer?: string | undefined
  }
  /** The profile's mail drafts (sealed under the vault's drafts key). */
  getDrafts: () => Promise<DraftStore>
  /** HTTPS to Web Key Directories (the app's DNS and network guard; tests bring a loopback one). */
  wkdFetcher: WkdFetcher
  /** The read view's shell (open dialog for .eml files, opening saved attachments); without it both are unavailable. */
  mailShell?: MailShell
  /**
   * Watch each account's INBOX for new mail while the window asks (`mailbox:changes`): on in the app;
   * off by default so UI tests that do not test it keep one IMAP session per action.
   */
  watchMail?: boolean
  /** How often a watch polls on a server without IDLE (limits.ts by default; tests shorten it). */
  watchPollMs?: number
  /** Shows an OS notification (the app's desktop notifications); without it none is shown. */
  notify?: (notice: { title: string; body: string }) => void
  /** A fresh worker thread for a large message's decryption (without: the same work runs on the main thread). */
  startWorker?: ((name: 'openpgp' | 'smime' | 'mail-store', purpose?: WorkerPurpose) => WorkerLike) | undefined
}

/** The transport side of the profile (accounts, Outbox, policy) with the open vault. */
export async function transportProfileOf(deps: RegistryDeps): Promise<TransportProfile> {
  return { ...deps.transport, vault: await deps.getVault(), now: deps.now }
}

/**
 * Opens once, shares the open vault, and forgets a failed attempt so the user can fix and retry.
 * Every use first picks up changes another process (the CLI) made to the file.
 */
export function lazyVault(open: () => Promise<Vault>): () => Promise<Vault> {
  let pending: Promise<Vault> | null = null
  return async () => {
    pending ??= open().catch((error: unknown) => {
      pending = null
      throw error
    })
    const vault = await pending
    await vault.refresh()
    return vault
  }
}
