import type { MailChangeView, WatchStateView } from '../../preload/mailbox-contract.ts'
import { startAccountWatch, type AccountWatch } from '../core/mailbox/account-watch.ts'
import { newMailCounts, newMailNotice, type NoticeLang } from '../core/mailbox/new-mail-notice.ts'
import { flushPendingMarks } from '../core/mailbox/pending-marks.ts'
import { syncFolder } from '../core/mailbox/sync.ts'
import type { EnvelopeRow, MailStore } from '../core/mailbox/mail-store.ts'
import { limits } from '../core/limits.ts'
import { openImap } from '../core/transport/imap-session.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { mailboxAccessOf } from './mailbox-access.ts'

/** The folder watched with IDLE (the account's other synced folders are checked with STATUS between). */
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
 * session, which also checks the account's other synced folders with STATUS), each change stored by the
 * incremental `syncFolder` of the folders that changed on another session — one sync at a time
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

  /** The account's folders the store has synced, INBOX first (the watch checks the others with STATUS). */
  const syncedFolders = (account: string, store: MailStore | null): string[] => {
    const known = [...(access.knownFolders.get(account) ?? [])].filter((f) => f !== watchedFolder)
    return store ? known.filter((folder) => store.folderState(account, folder) !== null) : known
  }
  let opened: MailStore | null = null

  const syncFolders = async (account: string, folders: readonly string[]) => {
    const synced = await access.exclusive(async () => {
      const store = (opened = await access.store())
      const server = await access.server(account)
      // A folder the store never had is filled by the window's first sync (with its progress and count):
      // that is the mailbox arriving, not new mail. The watch takes over from there.
      const names = folders.filter((folder) => store.folderState(account, folder) !== null)
      if (names.length === 0) return []
      const session = await openImap(server.account, server.password)
      try {
        // Changes that waited for the server go first: the watch (re)connecting is the server being back.
        const marks = await flushPendingMarks(session, store, account).catch(() => null)
        const out = []
        for (const [i, folder] of names.entries()) {
          const result = await syncFolder(session, store, server.account, folder, { now: deps.now })
          const written = i === 0 ? (marks?.written ?? 0) : 0
          const rows = result.stored.map((s) => store.get(s.id)).filter((row): row is EnvelopeRow => row !== null)
          out.push({ folder, result: { ...result, changed: result.changed + written }, counts: newMailCounts(rows) })
        }
        return out
      } finally {
        await session.client.logout().catch(() => session.client.close())
      }
    })
    const known = access.knownFolders.get(account) ?? new Set<string>()
    access.knownFolders.set(account, known.add(watchedFolder))
    let news = { count: 0, encrypted: 0 }
    for (const { folder, result, counts } of synced) {
      // Nothing changed (the usual answer to the sync when the watch (re)connects): nothing to tell.
      if (result.stored.length + result.changed + result.removed === 0) continue
      const isNews = counts.count > 0
      publish({
        account,
        folder,
        unread: isNews ? counts.count : 0,
        encrypted: isNews ? counts.encrypted : 0,
        stored: result.stored.length,
        changed: result.changed,
        removed: result.removed,
      })
      if (isNews) news = { count: news.count + counts.count, encrypted: news.encrypted + counts.encrypted }
    }
    const notice = news.count > 0 ? newMailNotice(news, account, lang) : null
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
          sync: (_reason, folders) => syncFolders(name, folders),
          statusFolders: () => syncedFolders(name, opened),
          // Tests pace the STATUS checks with their poll interval.
          ...(deps.watchPollMs === undefined ? {} : { statusMs: deps.watchPollMs }),
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
