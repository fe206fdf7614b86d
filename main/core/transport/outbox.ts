import { randomUUID } from 'node:crypto'
import { SiegelpostError, type Reason } from '../errors/index.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import type { SealedFileWriter } from '../store/sealed-file.ts'
import {
  AppendSchema,
  rowColumns,
  type OutboxEntry,
  type OutboxGroup,
  type OutboxOutcome,
  type OutboxState,
  type Row,
} from './outbox-schema.ts'
import { sentItemName, type OutboxMessage } from './outbox-files.ts'
import { OutboxStore } from './outbox-store.ts'

/**
 * The Outbox: every mail is in here from `send` until the user drops it, so nothing is lost.
 * SQLite (node:sqlite) in WAL mode with synchronous=FULL: a committed state survives kill -9 and power
 * loss. Message bytes, addresses, subjects and reasons are AES-256-GCM blobs under a key derived from the
 * vault key; only ids, states, times, attempt counts and the owning process id are in clear. Each message is
 * a sealed file of records (outbox-files.ts), written as it is composed and read record by record into SMTP.
 *
 *   queued ──claim──▶ queued(owner) ──AUTH ok──▶ sending ──250──▶ sent
 *      ▲                   │                        │
 *      └──── retry ─── held(reason) ◀───────────────┘ (refused: reason; cut off: "possibly sent")
 *
 * An entry found in `sending` whose owner process is gone may have reached the server: it is held as
 * "possibly sent" for the user to decide, never re-sent automatically.
 */
/** Why an entry is held (the core's one reason type). */
export type { Reason } from '../errors/index.ts'
export type { OutboxMessage } from './outbox-files.ts'
export {
  EnvelopeSchema,
  outboxMigrations,
  type OutboxEntry,
  type OutboxEnvelope,
  type OutboxGroup,
  type OutboxOutcome,
  type OutboxState,
} from './outbox-schema.ts'

export { outboxFileName, type OutboxOptions } from './outbox-store.ts'

/** Entries that are part of the Outbox: on their own, or in a group whose copies are all written. */
const visible = "(group_id IS NULL OR group_id IN (SELECT id FROM outbox_group WHERE state = 'ready'))"

export class Outbox extends OutboxStore {
  /** Starts a group of copies; nothing of it can be sent until finishGroup. */
  beginGroup(): string {
    const id = randomUUID()
    const now = this.now()
    this.db
      .prepare("INSERT INTO outbox_group (id, state, created, updated, owner) VALUES (?, 'preparing', ?, ?, ?)")
      .run(id, now, now, this.options.owner)
    return id
  }

  /** All copies are written: the group and the sender's item for Sent become durable in one step. */
  finishGroup(id: string, sentItem: Uint8Array): void {
    const name = sentItemName(id)
    this.readyGroup(id, this.files.writeWhole(name, this.groupCtx(id, 'sent-item'), this.options.owner, sentItem))
  }

  /** The same, with the Sent item written to its sealed file as the composer produces it. */
  async finishGroupFrom(id: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    const name = sentItemName(id)
    this.readyGroup(id, await this.files.write(name, this.groupCtx(id, 'sent-item'), this.options.owner, chunks))
  }

  private readyGroup(id: string, writer: SealedFileWriter): void {
    try {
      this.transaction(() => {
        const changed = this.db
          .prepare(
            "UPDATE outbox_group SET state = 'ready', sent_item_file = 1, updated = ? " +
              "WHERE id = ? AND state = 'preparing'",
          )
          .run(this.now(), id)
        if (changed.changes !== 1) throw new SiegelpostError('OUTBOX_NOT_FOUND', { id })
        writer.publish()
      })
    } catch (error) {
      writer.abort()
      this.files.remove(sentItemName(id))
      throw error
    }
  }

  /** A group that could not be completed (composing a copy failed) goes with its copies, none of them sendable. */
  discardGroup(id: string): void {
    const ids = this.transaction(() => {
      const preparing = "group_id = ? AND group_id IN (SELECT id FROM outbox_group WHERE state = 'preparing')"
      const entries = this.db.prepare(`SELECT id FROM outbox WHERE ${preparing}`).all(id) as { id: string }[]
      this.db.prepare(`DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox WHERE ${preparing})`).run(id)
      this.db.prepare(`DELETE FROM outbox WHERE ${preparing}`).run(id)
      this.db.prepare("DELETE FROM outbox_group WHERE id = ? AND state = 'preparing'").run(id)
      return entries.map((entry) => entry.id)
    })
    for (const entry of ids) this.files.remove(entry)
  }

  group(id: string): OutboxGroup {
    type GroupRow = {
      id: string
      state: OutboxGroup['state']
      sent_item_state: OutboxGroup['sentItem']['state']
      append: Uint8Array | null
    }
    const row = this.db.prepare('SELECT id, state, sent_item_state, append FROM outbox_group WHERE id = ?').get(id) as
      GroupRow | undefined
    if (!row) throw new SiegelpostError('OUTBOX_NOT_FOUND', { id })
    const ids = this.db.prepare('SELECT id FROM outbox WHERE group_id = ? ORDER BY created, rowid').all(id) as {
      id: string
    }[]
    const entries = ids.map((r) => r.id)
    const append = row.append
      ? AppendSchema.safeParse(openJson(this.options.key, row.append, this.groupCtx(id, 'append')))
      : { success: true as const, data: null }
    if (!append.success) throw new SiegelpostError('OUTBOX_DAMAGED', { path: this.path, reason: `group ${id}` })
    return { id: row.id, state: row.state, entries, sentItem: { state: row.sent_item_state, append: append.data } }
  }

  /**
   * Takes the group's Sent item to append it (once per group, by one process), to be read record by record;
   * null when it is not due.
   */
  claimSentItem(id: string): OutboxMessage | null {
    return this.claimSentItemOf(id)?.message ?? null
  }

  /**
   * The same, and whether it was tried before (`isRetry`: an APPEND failed or was cut off by a crash, so the
   * server may hold it already and is asked first).
   */
  claimSentItemOf(id: string): { message: OutboxMessage; isRetry: boolean } | null {
    const sealed = this.transaction(() => {
      const row = this.db
        .prepare(
          'SELECT sent_item, sent_item_file, append FROM outbox_group ' +
            "WHERE id = ? AND state = 'ready' AND sent_item_state = 'pending'",
        )
        .get(id) as { sent_item: Uint8Array | null; sent_item_file: number; append: Uint8Array | null } | undefined
      if (!row || (row.sent_item === null && row.sent_item_file !== 1)) return null
      this.db
        .prepare("UPDATE outbox_group SET sent_item_state = 'appending', owner = ?, updated = ? WHERE id = ?")
        .run(this.options.owner, this.now(), id)
      return { message: row.sent_item ?? new Uint8Array(0), message_file: row.sent_item_file, tried: row.append }
    })
    if (sealed === null) return null
    const item = this.files.reader(sentItemName(id), this.groupCtx(id, 'sent-item'), sealed)
    if (item === null) throw new SiegelpostError('OUTBOX_DAMAGED', { path: this.path, reason: `group ${id}` })
    return { message: item, isRetry: sealed.tried !== null }
  }

  /**
   * How the APPEND went. In the Sent folder: done, its file goes. Failed: the item and its file stay with the
   * group, due again (pending) for the next process (dueSentItems) — which first asks the server whether it
   * has it already.
   */
  recordSentItem(id: string, append: NonNullable<OutboxOutcome['append']>): void {
    const isOk = append.state === 'ok'
    this.transaction(() => {
      this.db
        .prepare('UPDATE outbox_group SET sent_item_state = ?, append = ?, owner = ?, updated = ? WHERE id = ?')
        .run(
          isOk ? 'done' : 'pending',
          sealJson(this.options.key, append, this.groupCtx(id, 'append')),
          isOk ? null : this.options.owner,
          this.now(),
          id,
        )
    })
    if (append.state === 'ok') this.files.remove(sentItemName(id))
  }

  /**
   * Groups whose Sent item is due: not appended yet (or failed), at least one copy sent, and left by a process
   * that is gone (one that is alive is working on it, or tried it and failed in this run: not again at once).
   */
  dueSentItems(): string[] {
    const rows = this.db
      .prepare(
        "SELECT g.id, g.owner FROM outbox_group g WHERE g.state = 'ready' AND g.sent_item_state = 'pending' " +
          "AND EXISTS (SELECT 1 FROM outbox o WHERE o.group_id = g.id AND o.state = 'sent') ORDER BY g.created",
      )
      .all() as { id: string; owner: string | null }[]
    const isBusy = (owner: string | null) =>
      owner !== null && (owner === this.options.owner || this.options.isAlive(owner))
    return rows.filter((row) => !isBusy(row.owner)).map((row) => row.id)
  }

  list(): OutboxEntry[] {
    const rows = this.db
      .prepare(`SELECT ${rowColumns} FROM outbox WHERE ${visible} ORDER BY created, rowid`)
      .all() as unknown as Row[]
    return rows.map((row) => this.decode(row))
  }

  private writeOutcome(id: string, change: (outcome: OutboxOutcome) => OutboxOutcome): Buffer {
    return sealJson(this.options.key, change(this.get(id).outcome), this.ctx(id, 'outcome'))
  }

  /**
   * Take an entry to try it: queued or held, and not owned by a live process. Counts the attempt.
   * Returns false when someone else is working on it.
   */
  claim(id: string): boolean {
    return this.transaction(() => {
      const row = this.row(id)
      if (row.state === 'sent' || row.state === 'sending')
        throw new SiegelpostError('OUTBOX_WRONG_STATE', { id, state: row.state })
      if (row.group_id !== null && this.group(row.group_id).state !== 'ready') {
        throw new SiegelpostError('OUTBOX_WRONG_STATE', { id, state: 'preparing' })
      }
      if (row.owner !== null && row.owner !== this.options.owner && this.options.isAlive(row.owner)) return false
      this.db
        .prepare('UPDATE outbox SET state = ?, owner = ?, attempts = attempts + 1, updated = ? WHERE id = ?')
        .run('queued', this.options.owner, this.now(), id)
      return true
    })
  }

  /** Committed before MAIL FROM: from now on a crash means "possibly sent". */
  markSending(id: string): void {
    this.setState(id, 'sending', (o) => ({ ...o, reason: null }))
  }

  markSent(id: string, tls: OutboxOutcome['tls'], partial: { rejected: string[]; reason: Reason } | null = null): void {
    this.setState(
      id,
      'sent',
      (o) => ({ ...o, reason: partial?.reason ?? null, tls, rejected: partial?.rejected ?? [] }),
      null,
    )
    // A copy of a group: the server has it, and the group's Sent item (a file of its own) is the sender's record,
    // so the copy's file goes. A mail sent on its own is its own Sent copy: its file goes once that is appended.
    if (this.row(id).group_id !== null) this.files.remove(id)
  }

  markHeld(id: string, reason: Reason): void {
    this.setState(id, 'held', (o) => ({ ...o, reason }), null)
  }

  recordAppend(id: string, append: NonNullable<OutboxOutcome['append']>): void {
    this.transaction(() => {
      this.db.prepare('UPDATE outbox SET outcome = ?, updated = ? WHERE id = ?').run(
        this.writeOutcome(id, (o) => ({ ...o, append })),
        this.now(),
        id,
      )
    })
    if (append.state === 'ok' && this.row(id).state === 'sent') this.files.remove(id)
  }

  private setState(
    id: string,
    state: OutboxState,
    change: (o: OutboxOutcome) => OutboxOutcome,
    owner: string | null = this.options.owner,
  ): void {
    this.transaction(() => {
      this.db
        .prepare('UPDATE outbox SET state = ?, owner = ?, outcome = ?, updated = ? WHERE id = ?')
        .run(state, owner, this.writeOutcome(id, change), this.now(), id)
    })
  }

  /**
   * After a crash: entries whose owner died. `sending` → held "possibly sent" (never sent twice);
   * `queued` → released for one more try (nothing reached the server before MAIL FROM), or held when
   * it was interrupted like this before ("at most once more").
   */
  recover(): { possiblySent: string[]; released: string[] } {
    return this.transaction(() => {
      // Message files a killed writer left: temp files, and files whose entry was never committed.
      const hasEntry = this.db.prepare('SELECT 1 FROM outbox WHERE id = ?')
      const hasSentItem = this.db.prepare('SELECT 1 FROM outbox_group WHERE id = ? AND sent_item_file = 1')
      this.files.sweep(
        (name) =>
          (name.endsWith('.sent') ? hasSentItem.get(name.slice(0, -'.sent'.length)) : hasEntry.get(name)) !== undefined,
        (owner) => owner === this.options.owner || this.options.isAlive(owner),
      )
      // A Sent item whose APPEND was under way when its process died: due again, marked as tried (the server
      // may have taken it before the process died, so the next try asks first).
      const appending = "SELECT id, owner FROM outbox_group WHERE sent_item_state = 'appending'"
      for (const group of this.db.prepare(appending).all() as { id: string; owner: string | null }[]) {
        if (group.owner === this.options.owner || (group.owner !== null && this.options.isAlive(group.owner))) continue
        const cut = sealJson(
          this.options.key,
          { state: 'failed', detail: 'OUTBOX_INTERRUPTED' },
          this.groupCtx(group.id, 'append'),
        )
        this.db
          .prepare(
            "UPDATE outbox_group SET sent_item_state = 'pending', append = ?, owner = NULL, updated = ? WHERE id = ?",
          )
          .run(cut, this.now(), group.id)
      }
      // A group whose process died while its copies were being written: none of them was ever sendable,
      // so none went out; the half-written group goes as a whole (the mail is still with its author).
      const preparing = "SELECT id, owner FROM outbox_group WHERE state = 'preparing'"
      const groups = this.db.prepare(preparing).all() as { id: string; owner: string | null }[]
      for (const group of groups) {
        if (group.owner === this.options.owner || (group.owner !== null && this.options.isAlive(group.owner))) continue
        this.db
          .prepare('DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox WHERE group_id = ?)')
          .run(group.id)
        const entries = this.db.prepare('SELECT id FROM outbox WHERE group_id = ?').all(group.id) as { id: string }[]
        for (const entry of entries) this.files.remove(entry.id)
        this.db.prepare('DELETE FROM outbox WHERE group_id = ?').run(group.id)
        this.db.prepare('DELETE FROM outbox_group WHERE id = ?').run(group.id)
      }
      const rows = this.db
        .prepare(
          "SELECT id, state, owner, attempts FROM outbox WHERE owner IS NOT NULL AND state IN ('queued', 'sending')",
        )
        .all() as unknown as Pick<Row, 'id' | 'state' | 'owner' | 'attempts'>[]
      const possiblySent: string[] = []
      const released: string[] = []
      for (const row of rows) {
        if (row.owner === this.options.owner || this.options.isAlive(row.owner!)) continue
        if (row.state === 'sending') {
          const outcome = this.writeOutcome(row.id, (o) => ({
            ...o,
            reason: { code: 'OUTBOX_POSSIBLY_SENT', params: { id: row.id } },
          }))
          this.db
            .prepare('UPDATE outbox SET state = ?, owner = NULL, outcome = ?, updated = ? WHERE id = ?')
            .run('held', outcome, this.now(), row.id)
          possiblySent.push(row.id)
        } else if (row.attempts <= 1) {
          this.db.prepare('UPDATE outbox SET owner = NULL, updated = ? WHERE id = ?').run(this.now(), row.id)
          released.push(row.id)
        } else {
          const outcome = this.writeOutcome(row.id, (o) => ({
            ...o,
            reason: { code: 'OUTBOX_INTERRUPTED', params: { id: row.id } },
          }))
          this.db
            .prepare('UPDATE outbox SET state = ?, owner = NULL, outcome = ?, updated = ? WHERE id = ?')
            .run('held', outcome, this.now(), row.id)
        }
      }
      return { possiblySent, released }
    })
  }

  /** Queued entries nobody owns: released by recover() after their process died, due for their one more try. */
  pendingRetries(): string[] {
    const query = `SELECT id FROM outbox WHERE state = 'queued' AND owner IS NULL AND ${visible} ORDER BY created, rowid`
    return (this.db.prepare(query).all() as { id: string }[]).map((row) => row.id)
  }

  drop(id: string): void {
    this.transaction(() => {
      const row = this.row(id)
      if (
        row.state === 'sending' ||
        (row.owner !== null && row.owner !== this.options.owner && this.options.isAlive(row.owner))
      ) {
        throw new SiegelpostError('OUTBOX_WRONG_STATE', { id, state: row.state })
      }
      this.db.prepare('DELETE FROM outbox_message WHERE id = ?').run(id)
      this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id)
    })
    this.files.remove(id)
  }
}

export { isProcessAlive } from './process-alive.ts'
