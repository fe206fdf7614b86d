import type { DatabaseSync } from 'node:sqlite'
import { limits } from '../limits.ts'
import { briefly, whenNotBusy } from '../store/busy.ts'

export interface WriteBatch {
  /**
   * Begins the batch's transaction unless one is open, waiting for another process's write lock without blocking
   * this thread (store/busy.ts); still busy after `limits.storeBusyRetryMs`: STORE_BUSY. `run` after it never waits.
   */
  ready: () => Promise<void>
  run: (write: () => void, bytes: number) => void
  commit: () => void
}

const countInsert =
  'INSERT INTO box_changes (box, counter) VALUES (?, 1) ON CONFLICT (box) DO UPDATE SET counter = counter + 1'

/**
 * The message store's write transactions. A folder's change counter (`box_changes`, mail-list-snapshot.ts) counts
 * every change of its rows in the transaction of the change: updates and deletes by trigger (schema step 3), new
 * rows once per transaction just before its commit (schema step 4: a sync inserts thousands of rows per commit, a
 * trigger ran once per row). A snapshot written inside the transaction carries the counter from before it, so it is
 * outdated once the transaction commits, and gone with it when it rolls back.
 */
export class StoreTransactions {
  isOpen = false
  /** True while `run` executes its function: a synchronous transaction, never one left open across an await. */
  isRunning = false
  /** The store's file, named by STORE_BUSY. */
  readonly path: string
  private readonly db: DatabaseSync
  private readonly inserted = new Set<string>()

  constructor(db: DatabaseSync, path = '') {
    this.db = db
    this.path = path
  }

  begin(): void {
    this.db.exec('BEGIN IMMEDIATE')
    this.isOpen = true
    this.inserted.clear()
  }

  /** A row of folder `box` was inserted in the open transaction. */
  noteInsert(box: string): void {
    this.inserted.add(box)
  }

  commit(): void {
    if (this.inserted.size > 0) {
      const count = this.db.prepare(countInsert)
      for (const box of this.inserted) count.run(box)
      this.inserted.clear()
    }
    this.db.exec('COMMIT')
    this.isOpen = false
  }

  rollback(): void {
    this.inserted.clear()
    this.isOpen = false
    this.db.exec('ROLLBACK')
  }

  /**
   * Runs `fn` in one write transaction of its own that waits for another process's write lock only
   * `limits.storeBusyWaitMs` (a busy store throws SQLITE_BUSY: `soon` tries again). A batch this connection holds open
   * (a sync's, kept open across awaits) is committed first: the write never joins it, so it is never lost when the
   * batch rolls back or the program quits before the batch commits. Inside `run` of this connection it is a savepoint
   * of that transaction.
   */
  alone<T>(fn: () => T): T {
    if (this.isRunning) return this.savepoint(fn)
    if (this.isOpen) this.commit()
    return briefly(this.db, () => this.run(fn))
  }

  /** Begins a transaction unless one is open, waiting for the write lock without blocking this thread. */
  async ready(): Promise<void> {
    if (!this.isOpen) await whenNotBusy(() => this.isOpen || briefly(this.db, () => this.begin()), this.path)
  }

  private savepoint<T>(fn: () => T): T {
    this.db.exec('SAVEPOINT alone')
    try {
      const result = fn()
      this.db.exec('RELEASE alone')
      return result
    } catch (error) {
      this.db.exec('ROLLBACK TO alone')
      this.db.exec('RELEASE alone')
      throw error
    }
  }

  /** Runs `fn` in one transaction. */
  run<T>(fn: () => T): T {
    this.begin()
    this.isRunning = true
    try {
      const result = fn()
      this.commit()
      return result
    } catch (error) {
      if (this.isOpen) this.rollback()
      throw error
    } finally {
      this.isRunning = false
    }
  }
}

/**
 * A transaction that stays open across several writes and commits every `mailSyncBatchMessages` writes
 * or `mailSyncBatchBytes` bytes (a sync writes each message as it arrives). A write that throws rolls
 * back the open batch and rethrows; `commit` ends it. A write from outside (a mark waiting for the server) may commit
 * the open batch early: the next write then begins a new transaction. With `grow` (the store-writer thread's long syncs) each
 * batch may hold twice the messages of the one before, up to `mailSyncWriterBatchMessages`: the first commit
 * comes as early, and the random keyed-hash index is rewritten less often.
 */
export function writeBatch(tx: StoreTransactions, grow = false): WriteBatch {
  let count = 0
  let bytes = 0
  let most: number = limits.mailSyncBatchMessages
  const commit = () => {
    if (tx.isOpen) {
      tx.commit()
      if (grow) most = Math.min(most * 2, limits.mailSyncWriterBatchMessages)
    }
    count = 0
    bytes = 0
  }
  return {
    ready: () => tx.ready(),
    run: (write, size) => {
      if (!tx.isOpen) tx.begin()
      try {
        write()
      } catch (error) {
        if (tx.isOpen) tx.rollback()
        count = 0
        bytes = 0
        throw error
      }
      count++
      bytes += size
      if (count >= most || bytes >= limits.mailSyncBatchBytes) commit()
    },
    commit,
  }
}

/**
 * Settings of a sync's store-writer connection: a whole batch's pages stay in memory until its commit, and the WAL
 * is copied into the database file when the sync ends (MailStore.close) instead of every 1000 pages — each copy
 * flushes the disk twice, and the pages of the random keyed-hash index would be copied again every time.
 */
export function tuneForBatches(db: DatabaseSync): void {
  db.exec(`PRAGMA cache_size = -${limits.mailSyncWriterCacheKiB}`)
  const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number }
  db.exec(`PRAGMA wal_autocheckpoint = ${Math.max(1, Math.floor(limits.mailSyncWriterCheckpointBytes / pageSize))}`)
}
