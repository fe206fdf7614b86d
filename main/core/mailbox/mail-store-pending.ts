import { createHmac, type KeyObject } from 'node:crypto'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { SiegelpostError } from '../errors/index.ts'
import { whenNotBusy } from '../store/busy.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import type { StoreTransactions } from './mail-store-batch.ts'

/**
 * The marks that wait for the server, as rows of the message store (`pending_marks`, schema step 5): one row per
 * message and mark, so queueing, cancelling and writing a mark are transactions of the store, whichever process (the
 * CLI, the app, a second window) does them. The clear column is only a keyed hash of message id and mark; the message
 * id, the mark and its wanted state are sealed under the store's key, bound to that hash. Every write seals afresh
 * (a new nonce), so the sealed bytes name one write: "still the same intent" is a comparison of those bytes.
 */
export type MarkName = 'seen' | 'flagged' | 'trash'
/** The wanted state of each waiting mark of one message (`trash`: moved to Trash, only ever true). */
export type WaitingMarks = Partial<Record<MarkName, boolean>>
/** The order in which the marks of one message are written (a move to Trash last). */
export const markNames = ['seen', 'flagged', 'trash'] as const

export interface PendingIntent {
  id: string
  name: MarkName
  wanted: boolean
  /**
   * Taken by a session that writes it to the server now (or did, and stopped before it could say so): a change of
   * the same mark then queues its own wanted state rather than cancelling, since the server may get this one after.
   */
  isApplying: boolean
  /** The row's sealed bytes as read: `settle`, `take` and `release` act only while they are unchanged. */
  sealed: Uint8Array
}

export { isBusy } from '../store/busy.ts'

const context = (ref: string) => `siegelpost/messages/v1/pending/${ref}`

export class PendingTable {
  private readonly db: DatabaseSync
  private readonly secret: KeyObject
  private readonly tx: StoreTransactions
  private readonly path: string
  private readonly statements = new Map<string, StatementSync>()

  constructor(db: DatabaseSync, secret: KeyObject, tx: StoreTransactions, path: string) {
    this.db = db
    this.secret = secret
    this.tx = tx
    this.path = path
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text)
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)))
    return statement
  }

  private refOf(id: string, name: MarkName): string {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify(['pending', id, name]))
      .digest('hex')
  }

  /** A keyed hash of other bytes under the store's key (the legacy queue file's, so it is taken in once). */
  digestOf(label: string, bytes: Uint8Array): string {
    return createHmac('sha256', this.secret).update(label).update(bytes).digest('hex')
  }

  /** Runs `fn` in one write transaction of its own (StoreTransactions.alone: a sync's open batch is committed first). */
  write<T>(fn: () => T): T {
    return this.tx.alone(fn)
  }

  /**
   * Runs `fn` (writes of this table) until the store is not busy, without blocking this thread (store/busy.ts); still
   * busy after `limits.storeBusyRetryMs`: STORE_BUSY, and nothing of `fn` is written.
   */
  soon<T>(fn: () => T): Promise<T> {
    return whenNotBusy(fn, this.path)
  }

  private open(ref: string, sealed: Uint8Array): PendingIntent {
    const value = openJson(this.secret, sealed, context(ref)) as Omit<PendingIntent, 'sealed'> | null
    if (value === null) throw new SiegelpostError('STORE_DAMAGED', { path: this.path, reason: 'pending marks' })
    return { ...value, sealed }
  }

  /** Every waiting mark; a row that does not open is STORE_DAMAGED, never a shorter queue. */
  all(): PendingIntent[] {
    const rows = this.sql('SELECT ref, intent FROM pending_marks').all() as { ref: string; intent: Uint8Array }[]
    return rows.map((row) => this.open(row.ref, row.intent))
  }

  get(id: string, name: MarkName): PendingIntent | null {
    const ref = this.refOf(id, name)
    const row = this.sql('SELECT intent FROM pending_marks WHERE ref = ?').get(ref) as
      { intent: Uint8Array } | undefined
    return row ? this.open(ref, row.intent) : null
  }

  private seal(id: string, name: MarkName, wanted: boolean, isApplying: boolean): Buffer {
    return sealJson(this.secret, { id, name, wanted, isApplying }, context(this.refOf(id, name)))
  }

  /**
   * Queues (or replaces) the wanted state of mark `name` of message `id`. With `isApplying` the row stays marked as
   * being written (a session writes an earlier state of it to the server now): a later change back still queues.
   */
  put(id: string, name: MarkName, wanted: boolean, isApplying = false): void {
    this.sql('INSERT OR REPLACE INTO pending_marks (ref, intent) VALUES (?, ?)').run(
      this.refOf(id, name),
      this.seal(id, name, wanted, isApplying),
    )
  }

  delete(id: string, name: MarkName): void {
    this.sql('DELETE FROM pending_marks WHERE ref = ?').run(this.refOf(id, name))
  }

  /** Removes `intent` when its row is still the one read (nothing changed or cancelled it since); true then. */
  settle(intent: PendingIntent): boolean {
    const sql = 'DELETE FROM pending_marks WHERE ref = ? AND intent = ?'
    return this.write(() => this.sql(sql).run(this.refOf(intent.id, intent.name), intent.sealed).changes > 0)
  }

  /** Marks `intent` as being written (or, with false, as waiting again) when its row is still the one read. */
  private mark(intent: PendingIntent, isApplying: boolean): PendingIntent | null {
    const sealed = this.seal(intent.id, intent.name, intent.wanted, isApplying)
    const sql = 'UPDATE pending_marks SET intent = ? WHERE ref = ? AND intent = ?'
    const { changes } = this.sql(sql).run(sealed, this.refOf(intent.id, intent.name), intent.sealed)
    return changes > 0 ? { ...intent, isApplying, sealed } : null
  }

  /** The current mark `name` of message `id`, taken to be written to the server; null when none waits. */
  take(id: string, name: MarkName): PendingIntent | null {
    return this.write(() => {
      const current = this.get(id, name)
      return current ? this.mark(current, true) : null
    })
  }

  /** A taken mark the server did not take waits again (unless it changed meanwhile). */
  release(intent: PendingIntent): void {
    this.write(() => this.mark(intent, false))
  }

  isImported(digest: string): boolean {
    return this.sql('SELECT 1 FROM pending_imports WHERE digest = ?').get(digest) !== undefined
  }

  noteImported(digest: string): void {
    this.sql('INSERT OR IGNORE INTO pending_imports (digest) VALUES (?)').run(digest)
  }
}
