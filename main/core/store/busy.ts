import type { DatabaseSync } from 'node:sqlite'
import { setTimeout as pause } from 'node:timers/promises'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'

/**
 * Writes of a SQLite store that another process (the CLI, the app's store-writer thread, a second window) may hold
 * the write lock of. The busy timeout of a connection (15 s, sqlite.ts) waits synchronously: on the app's main thread
 * every IPC call of the window would stall. Here a write waits for the lock only `limits.storeBusyWaitMs` at a time
 * and tries again between pauses in which the event loop runs on.
 */

/** SQLITE_BUSY (5) or SQLITE_LOCKED (6), with their extended codes: another connection holds the write lock. */
export function isBusy(error: unknown): boolean {
  const code = ((error as { errcode?: number } | null)?.errcode ?? 0) & 0xff
  return code === 5 || code === 6
}

/** Runs `fn` (synchronous SQLite work) with the busy timeout of `db` lowered to `limits.storeBusyWaitMs`. */
export function briefly<T>(db: DatabaseSync, fn: () => T): T {
  const wait = (db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout
  db.exec(`PRAGMA busy_timeout = ${Math.min(limits.storeBusyWaitMs, Number(wait))}`)
  try {
    return fn()
  } finally {
    db.exec(`PRAGMA busy_timeout = ${Number(wait)}`)
  }
}

/**
 * Runs `fn` until it does not fail with a busy store: between tries the event loop runs on (pauses doubling from
 * `limits.storeBusyRetryPauseMs` up to `limits.storeBusyRetryMaxPauseMs`). Still busy after `limits.storeBusyRetryMs`:
 * the error of `busy` (STORE_BUSY naming `path` without it). `fn` must leave nothing written when it throws (one
 * transaction), so the last failure changes nothing.
 */
export async function whenNotBusy<T>(
  fn: () => T,
  path: string,
  busy: (cause: unknown) => SiegelpostError = (cause) => new SiegelpostError('STORE_BUSY', { path }, { cause }),
): Promise<T> {
  const until = Date.now() + limits.storeBusyRetryMs
  for (let wait: number = limits.storeBusyRetryPauseMs; ; wait = Math.min(wait * 2, limits.storeBusyRetryMaxPauseMs)) {
    try {
      return fn()
    } catch (error) {
      if (!isBusy(error)) throw error
      if (Date.now() + wait > until) throw busy(error)
    }
    await pause(wait)
  }
}
