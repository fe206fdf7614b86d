import type { ImapSession } from '../transport/imap-session.ts'
import { setFlagOn, trashOn, type FlagChange } from './actions.ts'
import { folderRole } from './folder-summary.ts'
import type { EnvelopeRow, MailStore } from './mail-store.ts'
import { LegacyQueueFile } from './pending-marks-legacy.ts'
import {
  isBusy,
  markNames,
  type MarkName,
  type PendingIntent,
  type PendingTable,
  type WaitingMarks,
} from './mail-store-pending.ts'

export type { MarkName, WaitingMarks } from './mail-store-pending.ts'
export { pendingMarksFileName } from './pending-marks-legacy.ts'

/**
 * Changes made while the server could not be reached (read/unread, flagged/unflagged, moved to Trash): kept as sealed
 * rows of the message store (mail-store-pending.ts) until a session to the account's server writes them — on the
 * server first, then in the store, as every action. The store itself keeps the server's flags; the window shows a
 * row with its waiting marks applied and says that they wait. A change back to the server's state drops the wait.
 * Queueing, cancelling and writing are transactions of the store, so the CLI and the app may do them at the same
 * time without losing a mark; nothing is lost across a restart.
 */

const flagOf = { seen: '\\Seen', flagged: '\\Flagged' } as const

const markOf = (change: FlagChange): ['seen' | 'flagged', boolean] =>
  change === 'seen' || change === 'unseen' ? ['seen', change === 'seen'] : ['flagged', change === 'flagged']

const changeOf = (name: Exclude<MarkName, 'trash'>, wanted: boolean): FlagChange =>
  name === 'seen' ? (wanted ? 'seen' : 'unseen') : wanted ? 'flagged' : 'unflagged'

export class PendingMarks {
  private readonly store: MailStore
  private readonly table: PendingTable
  private readonly legacy: LegacyQueueFile

  constructor(store: MailStore) {
    const { profileDir, key } = store.writerSetup()
    this.store = store
    this.table = store.pending
    this.legacy = new LegacyQueueFile(profileDir, Buffer.from(key), this.table)
    this.takeInLegacyFileUnlessBusy()
  }

  /** Takes in a queue file of an earlier version now, or, while another process writes the store, on a later call. */
  private takeInLegacyFileUnlessBusy(): void {
    try {
      this.legacy.takeIn()
    } catch (error) {
      if (!isBusy(error)) throw error
    }
  }

  /** Every waiting change by message id (read from the store each time: the CLI or another window may add). */
  all(): Map<string, WaitingMarks> {
    this.takeInLegacyFileUnlessBusy()
    const out = new Map<string, WaitingMarks>()
    for (const intent of this.table.all()) out.set(intent.id, { ...out.get(intent.id), [intent.name]: intent.wanted })
    return out
  }

  /**
   * Queues `change` of `row`; a change back to the server's flags (as the store has them when the transaction runs)
   * drops the wait — unless a session is writing the earlier change to the server right now: then the wanted state
   * is queued, and written after it. While another process writes the store, it tries again without blocking
   * (PendingTable.soon); still busy after `limits.storeBusyRetryMs`: STORE_BUSY, and nothing changed.
   */
  add(row: EnvelopeRow, change: FlagChange): Promise<void> {
    const [name, wanted] = markOf(change)
    return this.table.soon(() => {
      this.legacy.takeIn()
      this.table.write(() => {
        const flags = (this.store.get(row.id) ?? row).flags
        const waiting = this.table.get(row.id, name)
        if (flags.includes(flagOf[name]) !== wanted || waiting?.isApplying)
          this.table.put(row.id, name, wanted, waiting?.isApplying ?? false)
        else if (waiting) this.table.delete(row.id, name)
      })
    })
  }

  /**
   * Queues the move of `row` to Trash. A message in a folder named like Trash is not queued (deleting it for
   * good needs the server's answer first): false then.
   */
  async trash(row: EnvelopeRow): Promise<boolean> {
    if (folderRole(row.folder) === 'trash') return false
    await this.table.soon(() => {
      this.legacy.takeIn()
      this.table.write(() => this.table.put(row.id, 'trash', true))
    })
    return true
  }

  /** Drops the waiting `name` of message `id` (all of them without `name`) when it still wants `wanted`. */
  drop(id: string, name?: MarkName, wanted?: boolean): Promise<void> {
    return this.table.soon(() =>
      this.table.write(() => {
        for (const each of name === undefined ? markNames : [name]) {
          const waiting = this.table.get(id, each)
          if (waiting && (name === undefined || waiting.wanted === wanted)) this.table.delete(id, each)
        }
      }),
    )
  }

  /** Every waiting mark as stored (for writing them: take, settle, release on the store's table). */
  intents(): PendingIntent[] {
    this.takeInLegacyFileUnlessBusy()
    return this.table.all()
  }
}

const queues = new WeakMap<MailStore, PendingMarks>()

/** The queue of waiting marks of `store`. */
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
 * Writes the waiting marks of `account` on an open session, each on the server first, then in the store. Each mark
 * is taken afresh just before (another session may have written, changed or cancelled it meanwhile) and removed
 * after only if it is still the same intent: writing twice sets the same flag twice, never an older state over a
 * newer one. A message gone from the store drops its marks; a refused STORE, or a UID that no longer means the
 * message (UIDVALIDITY changed: the folder's sync finds it again), keeps its mark for the next session; a lost
 * connection stops and throws (the rest wait; the one in flight as being written, since the server may have it).
 */
export async function flushPendingMarks(session: ImapSession, store: MailStore, account: string): Promise<FlushResult> {
  const queue = pendingMarksOf(store)
  const table = store.pending
  const result: FlushResult = { written: 0, dropped: 0, kept: 0 }
  const ids = new Map<string, PendingIntent[]>()
  for (const intent of queue.intents()) ids.set(intent.id, [...(ids.get(intent.id) ?? []), intent])
  for (const [id, intents] of ids) {
    if (!store.get(id)) {
      for (const intent of intents) await table.soon(() => table.settle(intent))
      result.dropped++
      continue
    }
    for (const name of markNames) {
      const row = store.get(id)
      if (!row || row.account !== account) break
      const taken = await table.soon(() => table.take(id, name))
      if (!taken) continue
      try {
        if (name === 'trash') await trashOn(session, store, row)
        else await setFlagOn(session, store, row, changeOf(name, taken.wanted))
      } catch (error) {
        // The connection broke: the STORE may have reached the server, so the mark stays marked as being written (a
        // change back queues, it is not cancelled) and is written again next time.
        if (!session.client.usable) throw error
        // Not released while the store stays busy: the same then.
        await table.soon(() => table.release(taken)).catch(() => undefined)
        result.kept++
        continue
      }
      // Written: when the store stays busy, the mark waits as being written, and is written again (the same) next time.
      await table.soon(() => table.settle(taken)).catch(() => undefined)
      result.written++
    }
  }
  return result
}
