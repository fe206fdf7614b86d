import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SiegelpostError } from '../errors/index.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import type { ImapSession } from '../transport/imap-session.ts'
import { setFlagOn, trashOn, type FlagChange } from './actions.ts'
import { folderRole } from './folder-summary.ts'
import type { EnvelopeRow, MailStore } from './mail-store.ts'

/**
 * Changes made while the server could not be reached (read/unread, flagged/unflagged, moved to Trash): kept, sealed under
 * the store's key in one file beside the store, until a session to the account's server writes them — on the
 * server first, then in the store, as every action. The store itself keeps the server's flags; the window shows
 * a row with its waiting marks applied and says that they wait. A change back to the server's state drops
 * the wait. Nothing is lost across a restart: the file is read again by every process that opens the store.
 */
export type MarkName = 'seen' | 'flagged' | 'trash'
/** The wanted state of each waiting mark of one message (`trash`: moved to Trash, only ever true). */
export type WaitingMarks = Partial<Record<MarkName, boolean>>

export const pendingMarksFileName = 'pending-marks.sealed'
const context = 'siegelpost/messages/v1/pending-marks'
const flagOf = { seen: '\\Seen', flagged: '\\Flagged' } as const

const markOf = (change: FlagChange): ['seen' | 'flagged', boolean] =>
  change === 'seen' || change === 'unseen' ? ['seen', change === 'seen'] : ['flagged', change === 'flagged']

const changeOf = (name: Exclude<MarkName, 'trash'>, wanted: boolean): FlagChange =>
  name === 'seen' ? (wanted ? 'seen' : 'unseen') : wanted ? 'flagged' : 'unflagged'

export class PendingMarks {
  private readonly path: string
  private readonly key: Buffer

  constructor(store: MailStore) {
    const { profileDir, key } = store.writerSetup()
    this.path = join(profileDir, pendingMarksFileName)
    this.key = Buffer.from(key)
  }

  /** Every waiting change by message id (read from the file each time: the CLI or another window may add). */
  all(): Map<string, WaitingMarks> {
    if (!existsSync(this.path)) return new Map()
    const value = openJson(this.key, readFileSync(this.path), context)
    if (value === null) throw new SiegelpostError('STORE_DAMAGED', { path: this.path, reason: 'pending marks' })
    return new Map(Object.entries(value as Record<string, WaitingMarks>))
  }

  /** Queues `change` of `row` (the stored row, with the server's flags); a change back to them drops the wait. */
  add(row: EnvelopeRow, change: FlagChange): void {
    const [name, wanted] = markOf(change)
    const all = this.all()
    const marks = { ...all.get(row.id) }
    if (row.flags.includes(flagOf[name]) === wanted) delete marks[name]
    else marks[name] = wanted
    if (Object.keys(marks).length > 0) all.set(row.id, marks)
    else all.delete(row.id)
    this.save(all)
  }

  /**
   * Queues the move of `row` to Trash. A message in a folder named like Trash is not queued (deleting it for
   * good needs the server's answer first): false then.
   */
  trash(row: EnvelopeRow): boolean {
    if (folderRole(row.folder) === 'trash') return false
    const all = this.all()
    all.set(row.id, { ...all.get(row.id), trash: true })
    this.save(all)
    return true
  }

  /** Drops the waiting `name` of message `id` (all of them without `name`) when it still wants `wanted`. */
  drop(id: string, name?: MarkName, wanted?: boolean): void {
    const all = this.all()
    const marks = all.get(id)
    if (!marks) return
    if (name === undefined) all.delete(id)
    else if (marks[name] === wanted) {
      delete marks[name]
      if (Object.keys(marks).length === 0) all.delete(id)
    } else return
    this.save(all)
  }

  private save(all: Map<string, WaitingMarks>): void {
    if (all.size === 0) return rmSync(this.path, { force: true })
    const temp = join(dirname(this.path), `.${pendingMarksFileName}.${process.pid}.tmp`)
    writeFileSync(temp, sealJson(this.key, Object.fromEntries(all), context), { mode: 0o600 })
    renameSync(temp, this.path)
  }
}

const queues = new WeakMap<MailStore, PendingMarks>()

/** The queue of waiting marks beside `store`. */
export function pendingMarksOf(store: MailStore): PendingMarks {
  let queue = queues.get(store)
  if (!queue) queues.set(store, (queue = new PendingMarks(store)))
  return queue
}

/** `row` as the window shows it: its flags with the waiting marks applied, and which marks wait. */
export function withWaitingMarks(
  row: EnvelopeRow,
  marks: WaitingMarks | undefined,
): { row: EnvelopeRow; waiting: MarkName[] } {
  if (!marks) return { row, waiting: [] }
  const flags = new Set(row.flags)
  const waiting: MarkName[] = []
  for (const name of ['seen', 'flagged', 'trash'] as const) {
    const wanted = marks[name]
    if (wanted === undefined) continue
    waiting.push(name)
    if (name === 'trash') continue
    if (wanted) flags.add(flagOf[name])
    else flags.delete(flagOf[name])
  }
  return { row: { ...row, flags: [...flags] }, waiting }
}

export interface FlushResult {
  /** Marks written to the server (and then the store). */
  written: number
  /** Marks dropped because the message is gone from the store. */
  dropped: number
  /** Marks the server refused or whose UID no longer means the message (until a sync finds it again). */
  kept: number
}

/**
 * Writes the waiting marks of `account` on an open session, each on the server first, then in the store.
 * A message gone from the store drops its marks; a refused STORE, or a UID that no longer means the message
 * (UIDVALIDITY changed: the folder's sync finds it again), keeps its mark for the next session; a lost
 * connection stops and throws (the rest wait).
 */
export async function flushPendingMarks(session: ImapSession, store: MailStore, account: string): Promise<FlushResult> {
  const queue = pendingMarksOf(store)
  const result: FlushResult = { written: 0, dropped: 0, kept: 0 }
  for (const [id, marks] of queue.all()) {
    for (const name of ['seen', 'flagged', 'trash'] as const) {
      const wanted = marks[name]
      if (wanted === undefined) continue
      const row = store.get(id)
      if (!row) {
        queue.drop(id)
        result.dropped++
        break
      }
      if (row.account !== account) break
      try {
        if (name === 'trash') await trashOn(session, store, row)
        else await setFlagOn(session, store, row, changeOf(name, wanted))
        queue.drop(id, name, wanted)
        result.written++
      } catch (error) {
        if (!session.client.usable) throw error
        result.kept++
      }
    }
  }
  return result
}
