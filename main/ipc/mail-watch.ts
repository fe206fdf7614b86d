import type { MailChangeView, WatchStateView } from '../../preload/mailbox-contract.ts'
import { startAccountWatch, type AccountWatch } from '../core/mailbox/account-watch.ts'
import { newMailCounts, newMailNotice, type NoticeLang } from '../core/mailbox/new-mail-notice.ts'
import { flushPendingMarks } from '../core/mailbox/pending-marks.ts'
import { syncFolder } from '../core/mailbox/sync.ts'
import type { EnvelopeRow } from '../core/mailbox/mail-store.ts'
import { limits } from '../core/limits.ts'
import { openImap } from '../core/transport/imap-session.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { mailboxAccessOf } from './mailbox-access.ts'

/** The folder watched for new mail (the one the notification is about). */
const watchedFolder = 'INBOX'

export interface MailWatchService {
  /** The window's wait for changes after `after` (see `mailbox:changes`); starts or stops account watches first. */
  changes: (
    after: number,
    lang: NoticeLang,
  ) => Promise<{ seq: number; changes: MailChangeView[]; watching: WatchStateView[] }>
  /** Stops the watch of a removed account. */
  forget: (account: string) => Promise<void>
  /** Stops every watch (the app quits). */
  stop: () => Promise<void>
}

const serviceOf = new WeakMap<RegistryDeps, MailWatchService>()

/**
 * New mail while the app runs: one `startAccountWatch` per configured account on its INBOX (its own IMAP
 * session), each change stored by the incremental `syncFolder` on another session — one sync at a time
 * with the window's own ("fetch now", `access.exclusive`). What a sync changed becomes a numbered change
 * the window waits for with `mailbox:changes`; new unread mail also shows an OS notification that names
 * no subject and no sender (`newMailNotice`). A folder never synced is left to the window's first sync.
 */
export function mailWatchOf(deps: RegistryDeps): MailWatchService {
  let service = serviceOf.get(deps)
  if (service) return service
  const access = mailboxAccessOf(deps)
  const watches = new Map<string, AccountWatch>()
  const kept: MailChangeView[] = []
  let seq = 0
  let lang: NoticeLang = 'de'
  let isStopped = false
  const waiters = new Set<() => void>()

  const wakeAll = () => {
    for (const wake of waiters) wake()
  }
  const publish = (change: Omit<MailChangeView, 'seq'>) => {
    kept.push({ ...change, seq: ++seq })
    if (kept.length > limits.mailChangesKept) kept.shift()
    wakeAll()
  }

  const syncInbox = async (account: string) => {
    const change = await access.exclusive(async () => {
      const store = await access.store()
      const server = await access.server(account)
      // A folder the store never had is filled by the window's first sync (with its progress and count):
      // that is the mailbox arriving, not new mail. The watch takes over from there.
      if (store.folderState(account, watchedFolder) === null) return null
      const session = await openImap(server.account, server.password)
      try {
        // Flag changes that waited for the server go first: the watch (re)connecting is the server being back.
        const marks = await flushPendingMarks(session, store, account).catch(() => null)
        const synced = await syncFolder(session, store, server.account, watchedFolder, { now: deps.now })
        const result = { ...synced, changed: synced.changed + (marks?.written ?? 0) }
        const rows = result.stored.map((s) => store.get(s.id)).filter((row): row is EnvelopeRow => row !== null)
        return { result, counts: newMailCounts(rows) }
      } finally {
        await session.client.logout().catch(() => session.client.close())
      }
    })
    if (!change) return
    const { result, counts } = change
    const known = access.knownFolders.get(account) ?? new Set<string>()
    access.knownFolders.set(account, known.add(watchedFolder))
    // Nothing changed (the usual answer to the sync when the watch (re)connects): nothing to tell.
    if (result.stored.length + result.changed + result.removed === 0) return
    const isNews = counts.count > 0
    publish({
      account,
      folder: watchedFolder,
      unread: isNews ? counts.count : 0,
      encrypted: isNews ? counts.encrypted : 0,
      stored: result.stored.length,
      changed: result.changed,
      removed: result.removed,
    })
    const notice = isNews ? newMailNotice(counts, account, lang) : null
    if (notice) deps.notify?.(notice)
  }

  const reconcile = async () => {
    const names = new Set((await accountStoreOf(await transportProfileOf(deps)).list()).map((a) => a.name))
    if (isStopped) return
    for (const name of names) {
      if (watches.has(name)) continue
      watches.set(
        name,
        startAccountWatch({
          folder: watchedFolder,
          connect: async () => {
            const server = await access.server(name)
            return openImap(server.account, server.password)
          },
          sync: () => syncInbox(name),
          // The window's waiting call answers with the new state (connected, offline) too.
          onState: wakeAll,
          ...(deps.watchPollMs === undefined ? {} : { pollMs: deps.watchPollMs }),
        }),
      )
    }
    for (const name of watches.keys()) if (!names.has(name)) await forget(name)
  }

  const forget = async (name: string) => {
    const watch = watches.get(name)
    watches.delete(name)
    await watch?.stop()
  }

  const watching = (): WatchStateView[] =>
    [...watches].map(([account, watch]) => ({ account, state: watch.state, mode: watch.mode }))

  service = {
    changes: async (after, asked) => {
      lang = asked
      if (deps.watchMail && !isStopped) await reconcile().catch(() => undefined)
      if (after >= 0 && !kept.some((c) => c.seq > after) && !isStopped) {
        await new Promise<void>((resolve) => {
          const wake = () => (clearTimeout(timer), waiters.delete(wake), resolve())
          const timer = setTimeout(wake, limits.mailChangesWaitMs)
          timer.unref?.()
          waiters.add(wake)
        })
      }
      return { seq, changes: after < 0 ? [] : kept.filter((c) => c.seq > after), watching: watching() }
    },
    forget,
    stop: async () => {
      isStopped = true
      wakeAll()
      await Promise.all([...watches.keys()].map(forget))
    },
  }
  serviceOf.set(deps, service)
  return service
}
