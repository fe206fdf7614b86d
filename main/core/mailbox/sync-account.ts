import { SiegelpostError } from '../errors/index.ts'
import { listFolders, openImap, type ImapSession } from '../transport/imap-session.ts'
import type { TlsInfo } from '../transport/tls-policy.ts'
import type { MailboxServer } from './actions.ts'
import type { MailStore } from './mail-store.ts'
import { flushPendingMarks } from './pending-marks.ts'
import { syncFolder, type FolderSyncResult, type SyncOptions } from './sync.ts'

/** One folder's outcome in an account sync: its result, or the coded error that stopped it. */
export type FolderOutcome =
  { folder: string; ok: true; result: FolderSyncResult } | { folder: string; ok: false; error: SiegelpostError }

export interface AccountSyncResult {
  account: string
  tls: TlsInfo
  folders: FolderOutcome[]
  /** Flag changes that waited for the server (pending-marks.ts) and were written by this sync. */
  marksWritten: number
}

/**
 * Syncs the given folders of an account (every selectable folder when none are given) on one TLS
 * session. A folder that fails is reported with its error and the others still run, unless the
 * connection itself is gone (then the rest are reported as not reached with that error). Flag changes that
 * waited for the server are written first (on the server, then in the store), and once more after the folders
 * (a message whose folder changed its UIDVALIDITY is found again by the sync).
 */
export async function syncAccount(
  server: MailboxServer,
  store: MailStore,
  folders: readonly string[] | null,
  options: SyncOptions,
): Promise<AccountSyncResult> {
  const session: ImapSession = await openImap(server.account, server.password)
  let marksWritten = 0
  const flush = async () => {
    if (!session.client.usable) return
    marksWritten += (await flushPendingMarks(session, store, server.account.name).catch(() => null))?.written ?? 0
  }
  try {
    await flush()
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
    await flush()
    return { account: server.account.name, tls: session.tls, folders: out, marksWritten }
  } finally {
    await session.client.logout().catch(() => session.client.close())
  }
}
