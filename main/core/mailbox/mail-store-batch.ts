import type { DatabaseSync } from 'node:sqlite'
import { limits } from '../limits.ts'

export interface WriteBatch {
  run: (write: () => void, bytes: number) => void
  commit: () => void
}

/**
 * A transaction that stays open across several writes and commits every `mailSyncBatchMessages` writes
 * or `mailSyncBatchBytes` bytes (a sync writes each message as it arrives). A write that throws rolls
 * back the open batch and rethrows; `commit` ends it. With `grow` (the store-writer thread's long syncs) each
 * batch may hold twice the messages of the one before, up to `mailSyncWriterBatchMessages`: the first commit
 * comes as early, and the random keyed-hash index is rewritten less often.
 */
export function writeBatch(db: DatabaseSync, grow = false): WriteBatch {
  let isOpen = false
  let count = 0
  let bytes = 0
  let most: number = limits.mailSyncBatchMessages
  const commit = () => {
    if (isOpen) db.exec('COMMIT')
    if (isOpen && grow) most = Math.min(most * 2, limits.mailSyncWriterBatchMessages)
    isOpen = false
    count = 0
    bytes = 0
  }
  return {
    run: (write, size) => {
      if (!isOpen) db.exec('BEGIN IMMEDIATE')
      isOpen = true
      try {
        write()
      } catch (error) {
        db.exec('ROLLBACK')
        isOpen = false
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
  db.exec(`PRAGMA wal_autocheckpoint = ${limits.mailSyncWriterCheckpointPages}`)
}
