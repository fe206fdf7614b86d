import { SiegelpostError } from '../core/errors/index.ts'
import { setFlag, type FlagChange, type MailboxServer } from '../core/mailbox/actions.ts'
import { MailStore, type EnvelopeRow } from '../core/mailbox/mail-store.ts'
import { pendingMarksOf } from '../core/mailbox/pending-marks.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'

/**
 * What the read view and the Posteingang share in main: the open message store (sealed under the vault's
 * `messages` key, the same file the CLI's `fetch` and `mail` commands use), the accounts' servers, the
 * folder names the last sync saw, and the flag changes that wait for the server (pending-marks.ts, sealed rows of
 * the store; the next sync or watch session writes them).
 */
export interface MailboxAccess {
  store: () => Promise<MailStore>
  server: (account: string) => Promise<MailboxServer>
  /** Folder names per account from this session's syncs (a folder may be empty in the store). */
  knownFolders: Map<string, Set<string>>
  /**
   * Changes a flag of a stored message: on the server first, then in the store; offline the change is queued
   * (`pending`) and written by the next session to the server. Other failures throw.
   */
  flag: (id: string, change: FlagChange) => Promise<{ row: EnvelopeRow; outcome: 'marked' | 'pending' }>
  /** Marks a stored message read: on the server first, then in the store (queued offline). */
  markSeen: (id: string) => Promise<'marked' | 'pending' | 'failed'>
  /** Runs syncs one after another: the window's "fetch now" and the new-mail watcher's never overlap. */
  exclusive: <T>(run: () => Promise<T>) => Promise<T>
}

const accessOf = new WeakMap<RegistryDeps, MailboxAccess>()

export function mailboxAccessOf(deps: RegistryDeps): MailboxAccess {
  let access = accessOf.get(deps)
  if (access) return access
  let opening: Promise<MailStore> | null = null
  const store = () =>
    (opening ??= deps
      .getVault()
      .then((vault) => new MailStore(deps.transport.profileDir, vault.deriveKey('messages')))
      .catch((error: unknown) => {
        opening = null
        throw error
      }))
  const server = async (name: string): Promise<MailboxServer> => {
    const accounts = accountStoreOf(await transportProfileOf(deps))
    const account = await accounts.get(name)
    return { account, password: await accounts.password(account) }
  }
  const flag = async (id: string, change: FlagChange) => {
    const opened = await store()
    const row = opened.get(id)
    if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
    const queue = pendingMarksOf(opened)
    let marked: EnvelopeRow
    try {
      marked = await setFlag(await server(row.account), opened, id, change)
    } catch (error) {
      // The server has it, the store stayed busy: queued, the change shows as waiting until a session writes it
      // again (the same state) and the store catches up; an older waiting change of the mark never undoes it.
      if (error instanceof SiegelpostError && error.code === 'STORE_BUSY_SERVER_DONE')
        void queue.add(row, change).catch(() => undefined)
      if (!(error instanceof SiegelpostError && error.code === 'MAILBOX_OFFLINE')) throw error
      await queue.add(row, change)
      return { row, outcome: 'pending' as const }
    }
    // Written now: an older waiting change of the same mark is void. The server has it, so a store busy past
    // its retries never makes this a failure: the cancel is tried once more in the background.
    await queue.add(marked, change).catch(() => {
      void queue.add(marked, change).catch(() => undefined)
    })
    return { row: marked, outcome: 'marked' as const }
  }
  const markSeen = async (id: string) => {
    try {
      return (await flag(id, 'seen')).outcome
    } catch (error) {
      // Read on the server; the store, busy, shows it after the next sync.
      if (error instanceof SiegelpostError && error.code === 'STORE_BUSY_SERVER_DONE') return 'marked' as const
      return 'failed' as const
    }
  }
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run)
    queue = next.catch(() => undefined)
    return next
  }
  access = { store, server, knownFolders: new Map(), flag, markSeen, exclusive }
  accessOf.set(deps, access)
  return access
}
