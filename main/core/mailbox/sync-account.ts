import { SiegelpostError } from '../errors/index.ts'
import { listFolders, openImap, type ImapSession } from '../transport/imap-session.ts'
import type { TlsInfo } from '../transport/tls-policy.ts'
import type { MailboxServer } from './actions.ts'
import type { MailStore } from './mail-store.ts'
import { syncFolder, type FolderSyncResult, type SyncOptions } from './sync.ts'

/** One folder's outcome in an account sync: its result, or the coded error that stopped it. */
export type FolderOutcome =
  { folder: string; ok: true; result: FolderSyncResult } | { folder: string; ok: false; error: SiegelpostError }

export interface AccountSyncResult {
  account: string
  tls: TlsInfo
  folders: FolderOutcome[]
}

/**
 * Syncs the given folders of an account (every selectable folder when none are given) on one TLS
 * session. A folder that fails is reported with its error and the others still run, unless the
 * connection itself is gone (then the rest are reported as not reached with that error).
 */
export async function syncAccount(
  server: MailboxServer,
  store: MailStore,
  folders: readonly string[] | null,
  options: SyncOptions,
): Promise<AccountSyncResult> {
  const session: ImapSession = await openImap(server.account, server.password)
  try {
    const names = folders ?? (await listFolders(session, server.account)).filter((f) => f.selectable).map((f) => f.path)
    const out: FolderOutcome[] = []
    let lost: SiegelpostError | null = null
    for (const folder of names) {
      if (lost) {
        out.push({ folder, ok: false, error: lost })
        continue
      }
      try {
        out.push({ folder, ok: true, result: await syncFolder(session, store, server.account, folder, options) })
      } catch (error) {
        if (!(error instanceof SiegelpostError)) throw error
        out.push({ folder, ok: false, error })
        if (!session.client.usable) lost = error
      }
    }
    return { account: server.account.name, tls: session.tls, folders: out }
  } finally {
    await session.client.logout().catch(() => session.client.close())
  }
}
