import type { DatabaseSync } from 'node:sqlite'
import { limits } from '../limits.ts'

export interface WriteBatch {
  run: (write: () => void, bytes: number) => void
  commit: () => void
}

/**
 * A transaction that stays open across several writes and commits every `mailSyncBatchMessages` writes
 * or `mailSyncBatchBytes` bytes (a sync writes each message as it arrives). A write that throws rolls
 * back the open batch and rethrows; `commit` ends it.
 */
export function writeBatch(db: DatabaseSync): WriteBatch {
  let isOpen = false
  let count = 0
  let bytes = 0
  const commit = () => {
    if (isOpen) db.exec('COMMIT')
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
      if (count >= limits.mailSyncBatchMessages || bytes >= limits.mailSyncBatchBytes) commit()
    },
    commit,
  }
}
