import { limits } from '../limits.ts'
import type { ImapSession } from '../transport/imap-session.ts'
import { watchFolder, type WatchEvent, type Watcher } from './watch.ts'

/**
 * Keeps one folder of one account watched while the app runs: its own IMAP session with `watchFolder`
 * (IDLE, or NOOP polling where the server has no IDLE; the account's other synced folders checked with
 * STATUS on the same session), and on every change the caller's incremental sync of the folders that
 * changed. A sync of the folder and the other folders runs once when the watch (re)connects, so what arrived
 * while it was offline is stored too. Changes reported while a sync runs, or within `settleMs` of each other, are stored by one more
 * sync. When the connection fails or drops, the watch connects again after a wait that doubles from
 * `reconnectMinMs` to `reconnectMaxMs`; the store stays readable meanwhile. `stop()` ends all of it.
 */
export type WatchState = 'connecting' | 'watching' | 'offline' | 'stopped'
export type SyncReason = 'connected' | 'change'

export interface AccountWatchOptions {
  folder: string
  /** Opens this watch's own session (a new one after each drop). */
  connect: () => Promise<ImapSession>
  /** The incremental sync of `folders` (on another session); its errors are the caller's to report. */
  sync: (reason: SyncReason, folders: readonly string[]) => Promise<void>
  /** The account's other synced folders, checked with STATUS (none by default). */
  statusFolders?: () => readonly string[]
  statusMs?: number
  onState?: (state: WatchState, detail: { mode: Watcher['mode'] | null; error: unknown }) => void
  pollMs?: number
  settleMs?: number
  reconnectMinMs?: number
  reconnectMaxMs?: number
}

export interface AccountWatch {
  readonly state: WatchState
  readonly mode: Watcher['mode'] | null
  /** Connections made so far (1 after the first; each reconnect adds one). */
  readonly connections: number
  stop(): Promise<void>
}

/** The wait before reconnect attempt `attempt` (0-based): doubling from `min`, never above `max`. */
export function reconnectDelay(attempt: number, min: number, max: number): number {
  return Math.min(max, min * 2 ** Math.min(attempt, 30))
}

export function startAccountWatch(options: AccountWatchOptions): AccountWatch {
  const settleMs = options.settleMs ?? limits.mailWatchSettleMs
  const min = options.reconnectMinMs ?? limits.mailWatchReconnectMinMs
  const max = options.reconnectMaxMs ?? limits.mailWatchReconnectMaxMs
  let state: WatchState = 'connecting'
  let mode: Watcher['mode'] | null = null
  let connections = 0
  let isStopped = false
  /** Ends the current wait (the connection's life, or the pause before reconnecting). */
  let interrupt: (() => void) | null = null
  const setState = (next: WatchState, error: unknown = null) => {
    state = next
    options.onState?.(next, { mode, error })
  }

  // Syncs one at a time; a change during a sync asks for exactly one more after it (of the folders it named).
  let syncing: Promise<void> | null = null
  const changed = new Set<string>()
  let settleTimer: NodeJS.Timeout | null = null
  const take = () => {
    const folders = [...changed]
    changed.clear()
    return folders
  }
  const runSync = (reason: SyncReason): Promise<void> => {
    if (syncing) return syncing
    syncing = (async () => {
      try {
        await options.sync(reason, take())
        while (changed.size > 0 && !isStopped) await options.sync('change', take())
      } catch {
        // The caller reports sync errors; the watch goes on (a dropped connection shows on its own session).
      } finally {
        syncing = null
      }
    })()
    return syncing
  }
  const onChange = (event: WatchEvent) => {
    if (isStopped) return
    changed.add(event.folder)
    if (settleTimer) clearTimeout(settleTimer)
    settleTimer = setTimeout(() => {
      settleTimer = null
      void runSync('change')
    }, settleMs)
    settleTimer.unref?.()
  }

  const loop = (async () => {
    let attempt = 0
    while (!isStopped) {
      let session: ImapSession | null = null
      let watcher: Watcher | null = null
      let failure: unknown = null
      try {
        setState('connecting')
        session = await options.connect()
        connections++
        if (isStopped) break
        const dropped = new Promise<unknown>((resolve) => {
          interrupt = () => resolve(null)
          session!.client.once('close', () => resolve(new Error('connection closed')))
        })
        watcher = await watchFolder(session, options.folder, {
          onChange,
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
          ...(options.statusFolders ? { statusFolders: options.statusFolders } : {}),
          ...(options.statusMs === undefined ? {} : { statusMs: options.statusMs }),
          onError: (error) => (interrupt?.(), (failure = error)),
        })
        mode = watcher.mode
        attempt = 0
        setState('watching')
        // What arrived while no watch ran (app start, the time offline) is stored now, in every watched folder.
        for (const folder of [options.folder, ...(options.statusFolders?.() ?? [])]) changed.add(folder)
        void runSync('connected')
        const ended = await dropped
        failure ??= ended
      } catch (error) {
        failure = error
      } finally {
        interrupt = null
        await watcher?.stop().catch(() => undefined)
        if (session) await session.client.logout().catch(() => session!.client.close())
      }
      if (isStopped) break
      mode = null
      setState('offline', failure)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reconnectDelay(attempt++, min, max))
        timer.unref?.()
        interrupt = () => (clearTimeout(timer), resolve())
      })
      interrupt = null
    }
  })()

  return {
    get state() {
      return state
    },
    get mode() {
      return mode
    },
    get connections() {
      return connections
    },
    async stop() {
      if (isStopped) return
      isStopped = true
      if (settleTimer) clearTimeout(settleTimer)
      interrupt?.()
      await loop
      await syncing
      mode = null
      setState('stopped')
    },
  }
}
