import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { SiegelpostError } from '../errors/index.ts'
import { openJson } from '../store/sealed-blob.ts'
import { markNames, type PendingTable, type WaitingMarks } from './mail-store-pending.ts'

/** The former queue: one sealed file beside the store, taken into the store's rows when a queue opens. */
export const pendingMarksFileName = 'pending-marks.sealed'
const legacyContext = 'siegelpost/messages/v1/pending-marks'
/** A queue file renamed for taking in: the name no process of the earlier version writes to. */
const claimedName = /^pending-marks\.sealed\.[0-9a-f]{16}\.taking$/

const isMissing = (error: unknown) => (error as { code?: string }).code === 'ENOENT'

/**
 * Takes a queue file of an earlier version into the store's rows. The file is first renamed to a name of its own, so
 * a process of the earlier version writing the queue meanwhile writes a new file (taken in on a later call), never
 * one that is removed unread. The renamed file is taken in in one transaction with the keyed digest of its bytes (a
 * file seen before is not taken in again) and removed only after that committed; one left renamed (a crash, a busy
 * store) is taken in on a later call or the next open. A mark queued in the store already is newer than the file's.
 * A file that does not open is STORE_DAMAGED and goes back under its name.
 */
export class LegacyQueueFile {
  private readonly profileDir: string
  private readonly path: string
  private readonly key: Buffer
  private readonly table: PendingTable
  /** Files renamed for taking in, not yet taken in: the newest first. */
  private claimed: string[] = []

  constructor(profileDir: string, key: Buffer, table: PendingTable) {
    this.profileDir = profileDir
    this.path = join(profileDir, pendingMarksFileName)
    this.key = key
    this.table = table
    let names: string[] = []
    try {
      names = readdirSync(profileDir)
    } catch (error) {
      if (!isMissing(error)) throw error
    }
    this.claimed = names.filter((name) => claimedName.test(name)).map((name) => join(profileDir, name))
  }

  takeIn(): void {
    if (existsSync(this.path)) {
      const claimed = join(this.profileDir, `${pendingMarksFileName}.${randomBytes(8).toString('hex')}.taking`)
      try {
        renameSync(this.path, claimed)
        this.claimed.unshift(claimed)
      } catch (error) {
        // Another process took it first: its rows come from there.
        if (!isMissing(error)) throw error
      }
    }
    while (this.claimed.length > 0) {
      this.takeInFile(this.claimed[0]!)
      this.claimed.shift()
    }
  }

  private takeInFile(path: string): void {
    let bytes: Buffer
    try {
      bytes = readFileSync(path)
    } catch (error) {
      if (isMissing(error)) return
      throw error
    }
    const value = openJson(this.key, bytes, legacyContext) as Record<string, WaitingMarks> | null
    if (value === null) {
      // Back under its name (unless a newer file is there already), which the error names.
      let shown = path
      if (!existsSync(this.path)) renameSync(path, (shown = this.path))
      throw new SiegelpostError('STORE_DAMAGED', { path: shown, reason: 'pending marks' })
    }
    const digest = this.table.digestOf('pending-marks-file', bytes)
    this.table.write(() => {
      if (this.table.isImported(digest)) return
      for (const [id, marks] of Object.entries(value))
        for (const name of markNames) {
          const wanted = marks[name]
          if (typeof wanted === 'boolean' && !this.table.get(id, name)) this.table.put(id, name, wanted)
        }
      this.table.noteImported(digest)
    })
    rmSync(path, { force: true })
  }
}
