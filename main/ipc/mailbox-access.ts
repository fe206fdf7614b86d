import { SiegelpostError } from '../core/errors/index.ts'
import { setFlag, type MailboxServer } from '../core/mailbox/actions.ts'
import { MailStore } from '../core/mailbox/mail-store.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'

/**
 * What the read view and the Posteingang share in main: the open message store (sealed under the vault's
 * `messages` key, the same file the CLI's `fetch` and `mail` commands use), the accounts' servers, the
 * folder names the last sync saw, and the messages whose "read" mark still waits for the server.
 */
export interface MailboxAccess {
  store: () => Promise<MailStore>
  server: (account: string) => Promise<MailboxServer>
  /** Folder names per account from this session's syncs (a folder may be empty in the store). */
  knownFolders: Map<string, Set<string>>
  /** Ids whose \Seen mark could not reach the server (offline); tried again before the next sync. */
  pendingSeen: Set<string>
  /** Marks a stored message read: on the server first, then in the store. */
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
  const pendingSeen = new Set<string>()
  const markSeen = async (id: string) => {
    const opened = await store()
    const row = opened.get(id)
    if (!row) return 'failed' as const
    try {
      await setFlag(await server(row.account), opened, id, 'seen')
      pendingSeen.delete(id)
      return 'marked' as const
    } catch (error) {
      if (error instanceof SiegelpostError && error.code === 'MAILBOX_OFFLINE') {
        pendingSeen.add(id)
        return 'pending' as const
      }
      return 'failed' as const
    }
  }
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run)
    queue = next.catch(() => undefined)
    return next
  }
  access = { store, server, knownFolders: new Map(), pendingSeen, markSeen, exclusive }
  accessOf.set(deps, access)
  return access
}
