import type { FetchMessageObject } from 'imapflow'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import type { Account } from '../transport/account.ts'
import { classifyImapError, type ImapSession } from '../transport/imap-session.ts'
import type { WorkerLike } from '../message/technology.ts'
import type { MailStore, StoredUid } from './mail-store.ts'
import { openStoreWriter, type StoreWriter } from './store-writer.ts'

/**
 * One folder's sync into the store: new mail, flag changes and expunges. With CONDSTORE (RFC 7162 §3.1)
 * only what changed since the last complete sync's HIGHESTMODSEQ is fetched, with QRESYNC (§3.2) the
 * expunges come as VANISHED (EARLIER); without them a full UID scan (UID FETCH 1:* (FLAGS)) is compared
 * with the store. A new UIDVALIDITY (RFC 3501 §2.3.1.1) re-numbers the folder: every message is fetched
 * again and matched to the stored one by a keyed hash of its bytes, so ids stay, nothing is stored twice
 * and nothing is lost; stored rows the server no longer has go only after a complete pass.
 * New messages are committed in batches: an interrupted sync (network, kill -9) keeps what was committed,
 * and the folder state advances only at the end, so the next sync picks up the rest.
 */
export type SyncMode = 'qresync' | 'condstore' | 'uid-scan'

export interface SyncProgress {
  folder: string
  phase: 'scan' | 'fetch' | 'done'
  /** New messages fetched so far and how many there are (0/0 while scanning). */
  done: number
  total: number
}

export interface FolderSyncResult {
  folder: string
  mode: SyncMode
  uidValidity: string
  isUidValidityChanged: boolean
  stored: { uid: number; size: number; id: string }[]
  skippedTooLarge: number[]
  changed: number
  removed: number
  /** Messages of this folder in the store after the sync. */
  total: number
}

export interface SyncOptions {
  now: () => Date
  onProgress?: (progress: SyncProgress) => void
  /**
   * A fresh worker thread running main/workers/mail-store.worker.ts: a sync of `mailSyncWriterMinMessages` new
   * messages or more stores them there (store-writer.ts) while this thread reads the FETCH. Without: all here.
   */
  startStoreWriter?: () => WorkerLike
}

/** Compact IMAP sequence set of sorted UIDs: 1:5,7,9:12 (RFC 3501 §9 sequence-set). */
export function uidSet(uids: readonly number[]): string {
  return uidSets(uids, Number.POSITIVE_INFINITY)[0] ?? ''
}

/**
 * Sorted UIDs as compact sequence sets of at most `maxParts` parts each (a part: one UID or a run like 9:12): a
 * folder's 10,000 new UIDs in a row are one FETCH command, a sparse set is cut so command lines stay short.
 */
export function uidSets(uids: readonly number[], maxParts: number = limits.mailSyncFetchSetParts): string[] {
  const sets: string[] = []
  let parts: string[] = []
  for (let i = 0; i < uids.length;) {
    let j = i
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`)
    i = j + 1
    if (parts.length >= maxParts) {
      sets.push(parts.join(','))
      parts = []
    }
  }
  if (parts.length > 0) sets.push(parts.join(','))
  return sets
}

const flagList = (flags: Set<string> | undefined) => [...(flags ?? [])].filter((flag) => flag !== '\\Recent').sort()
const sameFlags = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((flag, i) => flag === b[i])

interface ServerView {
  /** UID → flags for every message the server reported (all of them in a scan, the changed ones otherwise). */
  seen: Map<number, { flags: string[] }>
  /** UIDs over `limits.fetchMessageMaxBytes` (never fetched). */
  tooLarge: Set<number>
  /** UIDs the server no longer has (null: unknown, derive from a full scan). */
  vanished: number[] | null
  /** CONDSTORE without QRESYNC: every UID the server has (UID SEARCH ALL). */
  present?: Set<number>
  isFull: boolean
}

async function scanServer(session: ImapSession, mode: SyncMode, changedSince: bigint | null): Promise<ServerView> {
  const { client } = session
  const seen = new Map<number, { flags: string[] }>()
  const tooLarge = new Set<number>()
  const vanished: number[] = []
  const onExpunge = (event: { uid?: number; vanished?: boolean }) => {
    if (event.vanished && event.uid) vanished.push(event.uid)
  }
  const note = (message: FetchMessageObject) => {
    seen.set(message.uid, { flags: flagList(message.flags) })
    if ((message.size ?? 0) > limits.fetchMessageMaxBytes) tooLarge.add(message.uid)
  }
  if (mode === 'uid-scan' || changedSince === null) {
    for await (const message of client.fetch('1:*', { uid: true, flags: true, size: true }, { uid: true }))
      note(message)
    return { seen, tooLarge, vanished: null, isFull: true }
  }
  client.on('expunge', onExpunge)
  try {
    const query = { uid: true, flags: true, size: true }
    for await (const message of client.fetch('1:*', query, { uid: true, changedSince })) note(message)
  } finally {
    client.off('expunge', onExpunge)
  }
  if (mode === 'qresync') return { seen, tooLarge, vanished, isFull: false }
  // CONDSTORE without QRESYNC: expunges only show as UIDs missing from UID SEARCH ALL.
  const all = await client.search({ all: true }, { uid: true })
  return { seen, tooLarge, vanished: null, present: new Set(all || []), isFull: false }
}

/**
 * A folder with nothing stored yet: UID SEARCH ALL and UID SEARCH LARGER (RFC 3501 §6.4.4) instead of a FETCH of
 * every message's flags and size, since every message is fetched anyway, its flags with it. Same outcome as a full
 * scan, one pass over the folder fewer.
 */
async function listServer(session: ImapSession): Promise<ServerView> {
  const { client } = session
  const all = (await client.search({ all: true }, { uid: true })) || []
  const large = (await client.search({ larger: limits.fetchMessageMaxBytes }, { uid: true })) || []
  const seen = new Map<number, { flags: string[] }>(all.map((uid) => [uid, { flags: [] }]))
  return { seen, tooLarge: new Set(large), vanished: null, isFull: true }
}

export async function syncFolder(
  session: ImapSession,
  store: MailStore,
  account: Account,
  folder: string,
  options: SyncOptions,
): Promise<FolderSyncResult> {
  const { client } = session
  let lock
  try {
    lock = await client.getMailboxLock(folder, { readOnly: true })
  } catch (error) {
    const e = error as { serverResponseCode?: string; responseText?: string }
    if (
      e.serverResponseCode === 'NONEXISTENT' ||
      /doesn't exist|not exist|unknown mailbox/i.test(e.responseText ?? '')
    ) {
      throw new SiegelpostError('MAILBOX_FOLDER_NOT_FOUND', { folder }, { cause: error })
    }
    throw classifyImapError(error, account)
  }
  const stored: FolderSyncResult['stored'] = []
  let writer: StoreWriter | null = null
  try {
    const mailbox = client.mailbox
    if (!mailbox) throw new SiegelpostError('MAILBOX_FOLDER_NOT_FOUND', { folder })
    const uidValidity = String(mailbox.uidValidity)
    const hasCondstore = client.enabled.has('CONDSTORE') && !mailbox.noModseq && mailbox.highestModseq !== undefined
    const mode: SyncMode = hasCondstore ? (client.enabled.has('QRESYNC') ? 'qresync' : 'condstore') : 'uid-scan'
    const known = store.folderState(account.name, folder)
    const local = store.uidsOf(account.name, folder)
    const stale = store.staleOf(account.name, folder, uidValidity)
    const isUidValidityChanged = stale.size > 0 || (known !== null && known.uidValidity !== uidValidity)
    const current = new Map<number, StoredUid>([...local].filter(([, row]) => row.uidValidity === uidValidity))
    options.onProgress?.({ folder, phase: 'scan', done: 0, total: 0 })
    const isWriterWorth = (count: number) =>
      options.startStoreWriter !== undefined && stale.size === 0 && count >= limits.mailSyncWriterMinMessages
    // A thread that cannot be started leaves the work to this one.
    const startWriter = () => {
      let worker: WorkerLike
      try {
        worker = options.startStoreWriter!()
      } catch {
        return null
      }
      return openStoreWriter(worker, store, { account: account.name, folder, uidValidity }, options.now, (done) =>
        options.onProgress?.({ folder, phase: 'fetch', done, total: wanted.length }),
      )
    }
    // Nothing stored yet: the thread starts while the server lists the folder.
    if (local.size === 0 && isWriterWorth(mailbox.exists)) writer = startWriter()

    const canUseModseq = mode !== 'uid-scan' && !isUidValidityChanged && known?.highestModseq != null
    const isUnchanged =
      canUseModseq && mailbox.highestModseq !== undefined && String(mailbox.highestModseq) === known!.highestModseq
    const view: ServerView = isUnchanged
      ? { seen: new Map(), tooLarge: new Set(), vanished: [], isFull: false }
      : mailbox.exists === 0
        ? { seen: new Map(), tooLarge: new Set(), vanished: null, isFull: true }
        : local.size === 0
          ? await listServer(session)
          : await scanServer(session, mode, canUseModseq ? BigInt(known!.highestModseq!) : null)

    // Expunged: what a full scan no longer lists, or what VANISHED / UID SEARCH ALL says.
    const removedUids = view.isFull
      ? [...current.keys()].filter((uid) => !view.seen.has(uid))
      : view.present
        ? [...current.keys()].filter((uid) => !view.present!.has(uid))
        : (view.vanished ?? []).filter((uid) => current.has(uid))
    const newUids = [...view.seen.keys()].filter((uid) => !current.has(uid)).sort((a, b) => a - b)
    const skippedTooLarge = newUids.filter((uid) => view.tooLarge.has(uid))
    const wanted = newUids.filter((uid) => !view.tooLarge.has(uid))

    let changed = 0
    // Each write of a sync waits for another process's write lock without blocking this thread (store/busy.ts): on
    // the app's main thread the window stays answering; still busy after `limits.storeBusyRetryMs`: STORE_BUSY.
    await store.soon(() => {
      changed = 0
      for (const [uid, server] of view.seen) {
        const row = current.get(uid)
        if (row && !sameFlags(row.flags, server.flags)) {
          store.setFlags(row.id, server.flags)
          changed++
        }
      }
      for (const uid of removedUids) store.remove(current.get(uid)!.id)
    })

    if (writer && !isWriterWorth(wanted.length)) {
      writer.abort()
      writer = null
    } else if (!writer && isWriterWorth(wanted.length)) writer = startWriter()
    await fetchNew(session, store, account, folder, uidValidity, wanted, view, stale, stored, options, writer)
    // A FETCH cut short by a closed connection may end without an error: never advance the state then.
    if (!client.usable) throw Object.assign(new Error('connection closed during FETCH'), { code: 'ECONNRESET' })

    // Rows of an old UIDVALIDITY that matched nothing on the server are gone from it.
    let removed = removedUids.length
    if (isUidValidityChanged && view.isFull) {
      await store.soon(() => {
        removed = removedUids.length
        for (const ids of stale.values()) {
          for (const id of ids) {
            store.remove(id)
            removed++
          }
        }
      })
    }
    const after = client.mailbox || mailbox
    await store.soon(() =>
      store.setFolderState(account.name, folder, {
        uidValidity,
        highestModseq: mode === 'uid-scan' || after.highestModseq === undefined ? null : String(after.highestModseq),
        uidNext: after.uidNext ?? null,
        synced: options.now().toISOString(),
      }),
    )
    const total = store.countOf(account.name, folder, uidValidity)
    options.onProgress?.({ folder, phase: 'done', done: wanted.length, total: wanted.length })
    return { folder, mode, uidValidity, isUidValidityChanged, stored, skippedTooLarge, changed, removed, total }
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    const classified = classifyImapError(error, account)
    throw new SiegelpostError(
      'MAILBOX_SYNC_INTERRUPTED',
      { folder, stored: stored.length, detail: String(classified.params.detail ?? classified.code) },
      { cause: error },
    )
  } finally {
    writer?.abort()
    lock.release()
  }
}

/**
 * Fetches the wanted UIDs in FETCH commands of at most `mailSyncFetchSetParts` UIDs or runs. Each message is handed to the
 * writer thread when there is one (store-writer.ts, same batches), else sealed and written as it arrives (the work fills the gaps while the server sends), inside a transaction that is
 * committed every `mailSyncBatchMessages` messages or `mailSyncBatchBytes` bytes and when the FETCH ends
 * or breaks: what arrived complete is kept.
 */
async function fetchNew(
  session: ImapSession,
  store: MailStore,
  account: Account,
  folder: string,
  uidValidity: string,
  wanted: number[],
  view: ServerView,
  stale: Map<string, string[]>,
  stored: FolderSyncResult['stored'],
  options: SyncOptions,
  writer: StoreWriter | null,
): Promise<void> {
  const batch = store.batch()
  let done = 0
  const keep = (message: FetchMessageObject) => {
    const raw = message.source!
    const flags = message.flags ? flagList(message.flags) : (view.seen.get(message.uid)?.flags ?? [])
    if (stale.size > 0) {
      const digest = store.digestOf(raw)
      const again = stale.get(digest)
      if (again && again.length > 0) {
        // The same message under the folder's new UIDVALIDITY: moved over, keeping its id.
        store.relocate(again.shift()!, account.name, folder, uidValidity, message.uid, flags)
        if (again.length === 0) stale.delete(digest)
        return
      }
    }
    const arrived = message.internalDate ? new Date(message.internalDate) : null
    const id = store.add(account.name, folder, uidValidity, message.uid, raw, options.now(), { flags, arrived })
    if (id) stored.push({ uid: message.uid, size: raw.length, id })
  }
  try {
    for (const range of uidSets(wanted)) {
      for await (const message of session.client.fetch(
        range,
        { uid: true, flags: true, internalDate: true, source: true },
        { uid: true },
      )) {
        if (!message.source) continue
        if (writer) {
          const flags = message.flags ? flagList(message.flags) : (view.seen.get(message.uid)?.flags ?? [])
          const arrived = message.internalDate ? new Date(message.internalDate) : null
          const behind = writer.add(message.uid, message.source, flags, arrived)
          if (behind) await behind
        } else {
          await batch.ready()
          batch.run(() => keep(message), message.source.length)
          done++
          options.onProgress?.({ folder, phase: 'fetch', done, total: wanted.length })
        }
      }
    }
    if (writer) stored.push(...(await writer.finish()))
  } catch (error) {
    // What arrived complete is kept: the worker commits it (its own failure is the error then).
    if (writer) stored.push(...(await writer.finish().catch(() => [])))
    throw error
  } finally {
    batch.commit()
  }
}
