import { limits } from '../limits.ts'
import type { ImapSession } from '../transport/imap-session.ts'

/**
 * Notices new mail, expunges and flag changes in one folder while the app runs: IDLE (RFC 2177) where the
 * server offers it, else a NOOP every `pollMs` (the server reports changes of the selected folder in its
 * answer, RFC 3501 §6.1.2). The account's other synced folders (`statusFolders`) are checked on the same
 * session with STATUS (RFC 3501 §6.3.10; HIGHESTMODSEQ with CONDSTORE, RFC 7162 §3.1.6) every `statusMs`,
 * between IDLE periods: a folder whose counts changed since the last check is reported (`status`), so one
 * session per account notices new mail in every folder. `onChange` only says that something changed; the
 * caller runs `syncFolder` (on another session) to store it. The session is this watcher's own while it runs.
 */
export interface WatchEvent {
  folder: string
  kind: 'exists' | 'expunge' | 'flags' | 'status'
}

export interface Watcher {
  mode: 'idle' | 'poll'
  stop(): Promise<void>
}

export interface WatchOptions {
  onChange: (event: WatchEvent) => void
  pollMs?: number
  idleMs?: number
  /** Called when the connection fails; the watcher has stopped then. */
  onError?: (error: unknown) => void
  /** Other folders to check with STATUS (asked before each check; the watched folder itself is skipped). */
  statusFolders?: () => readonly string[]
  statusMs?: number
}

export async function watchFolder(session: ImapSession, folder: string, options: WatchOptions): Promise<Watcher> {
  const { client } = session
  const mode = client.capabilities.has('IDLE') ? 'idle' : 'poll'
  const lock = await client.getMailboxLock(folder, { readOnly: true })
  let isStopped = false
  let wake: (() => void) | null = null
  const handlers = {
    exists: () => options.onChange({ folder, kind: 'exists' }),
    expunge: () => options.onChange({ folder, kind: 'expunge' }),
    flags: () => options.onChange({ folder, kind: 'flags' }),
  }
  for (const [name, handler] of Object.entries(handlers)) client.on(name, handler)
  const pollMs = options.pollMs ?? limits.mailWatchPollMs
  const idleMs = options.idleMs ?? limits.mailWatchIdleMs
  const statusMs = options.statusMs ?? limits.mailWatchStatusMs
  const hasCondstore = client.capabilities.has('CONDSTORE')
  /**
   * What the last STATUS said per folder. A folder's first check reports it too: what changed between its last
   * sync and this first look is found by the caller's incremental sync (which stores nothing when nothing did).
   */
  const counts = new Map<string, string>()
  let checked = 0
  const checkStatus = async () => {
    const names = (options.statusFolders?.() ?? []).filter((name) => name !== folder)
    checked = Date.now()
    for (const name of names) {
      if (isStopped) return
      let status: Awaited<ReturnType<typeof client.status>>
      try {
        status = await client.status(name, {
          messages: true,
          uidNext: true,
          uidValidity: true,
          unseen: true,
          ...(hasCondstore ? { highestModseq: true } : {}),
        })
      } catch (error) {
        // A folder gone or refused is skipped; a lost connection ends the watch.
        if (!client.usable) throw error
        continue
      }
      if (!status) continue
      const now = JSON.stringify([
        status.messages,
        status.uidNext,
        String(status.uidValidity ?? ''),
        status.unseen,
        String(status.highestModseq ?? ''),
      ])
      const before = counts.get(name)
      counts.set(name, now)
      if (before !== now) options.onChange({ folder: name, kind: 'status' })
    }
  }
  // The list of folders may grow (the window's first sync): with `statusFolders` the check is due every statusMs.
  const hasStatus = options.statusFolders !== undefined

  const loop = (async () => {
    try {
      if (hasStatus) await checkStatus()
      while (!isStopped) {
        if (mode === 'idle') {
          // idle() returns when another command breaks it (stop, the STATUS check) or after idleMs (renewal).
          const pause = hasStatus ? Math.min(idleMs, Math.max(0, statusMs - (Date.now() - checked))) : idleMs
          const renew = setTimeout(() => void client.noop().catch(() => undefined), pause)
          try {
            await client.idle()
          } finally {
            clearTimeout(renew)
          }
        } else {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs)
            wake = () => (clearTimeout(timer), resolve())
          })
          wake = null
          if (!isStopped) await client.noop()
        }
        if (!isStopped && hasStatus && Date.now() - checked >= statusMs) await checkStatus()
      }
    } catch (error) {
      if (!isStopped) options.onError?.(error)
    }
  })()

  return {
    mode,
    async stop() {
      if (isStopped) return
      isStopped = true
      for (const [name, handler] of Object.entries(handlers)) client.off(name, handler)
      if (mode === 'idle') await client.noop().catch(() => undefined)
      else (wake as (() => void) | null)?.()
      await loop
      lock.release()
    },
  }
}
