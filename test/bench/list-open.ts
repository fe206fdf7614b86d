import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { mailStoreFileName } from '../../main/core/mailbox/mail-store.ts'

/** Wall and CPU milliseconds of `fn` (CPU is the steadier figure on a shared machine). */
export function measured(fn: () => void): { ms: number; cpuMs: number } {
  const cpu = process.cpuUsage()
  const started = performance.now()
  fn()
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { ms, cpuMs: (used.user + used.system) / 1000 }
}

/**
 * Removes the sealed list snapshots of a closed store (as after a crash before closing, or a store of a
 * program before schema step 3): its next first listing unseals every row.
 */
export function dropListSnapshots(profileDir: string): void {
  const db = new DatabaseSync(join(profileDir, mailStoreFileName))
  try {
    db.exec('DELETE FROM list_snapshots')
  } finally {
    db.close()
  }
}
