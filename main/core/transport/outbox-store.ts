import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { SiegelpostError } from '../errors/index.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import type { SealedFileWriter } from '../store/sealed-file.ts'
import { openStoreDatabase } from '../store/sqlite.ts'
import { OutboxFiles, type OutboxMessage, type StoredMessage } from './outbox-files.ts'
import {
  EnvelopeSchema,
  OutcomeSchema,
  emptyOutcome,
  outboxMigrations,
  rowColumns,
  type OutboxEntry,
  type OutboxEnvelope,
  type OutboxOutcome,
  type Row,
} from './outbox-schema.ts'

/**
 * The Outbox's storage (outbox.ts has the life of an entry): the SQLite file, its sealed rows, and each
 * entry's message as a sealed file of records (outbox-files.ts) that comes into being with its row.
 */
export const outboxFileName = 'outbox.sqlite'

export interface OutboxOptions {
  profileDir: string
  key: Buffer
  now: () => Date
  /** Who we are (our pid): written on entries we work on. */
  owner: string
  /** Whether the process that claimed an entry still runs. */
  isAlive: (owner: string) => boolean
}

export class OutboxStore {
  readonly path: string
  protected readonly db: DatabaseSync
  protected readonly options: OutboxOptions
  protected readonly files: OutboxFiles
  constructor(options: OutboxOptions) {
    this.options = options
    this.files = new OutboxFiles(options.profileDir, options.key)
    mkdirSync(options.profileDir, { recursive: true, mode: 0o700 })
    this.path = join(options.profileDir, outboxFileName)
    this.db = openStoreDatabase(this.path, outboxMigrations, 'OUTBOX_DAMAGED')
  }

  close(): void {
    this.db.close()
  }

  protected now = () => this.options.now().toISOString()
  protected ctx = (id: string, column: string) => `siegelpost/outbox/v1/${id}/${column}`

  /** One write transaction; BEGIN IMMEDIATE so two processes never both claim an entry. */
  protected transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const result = work()
      this.db.exec('COMMIT')
      return result
    } catch (error) {
      this.db.exec('ROLLBACK')
      throw error
    }
  }

  protected groupCtx = (id: string, column: string) => `siegelpost/outbox/v1/group/${id}/${column}`

  /**
   * A new entry, always (never merged by Message-ID), owned by us, ready to be tried — or, with a group
   * that is still being prepared, waiting for its group to be ready.
   */
  create(envelope: OutboxEnvelope, message: Uint8Array, groupId: string | null = null): string {
    const id = randomUUID()
    this.insert(id, envelope, groupId, this.files.writeWhole(id, this.ctx(id, 'message'), this.options.owner, message))
    return id
  }

  /** The same as create, with the message written to its sealed file as the chunks arrive (never held whole). */
  async createFrom(
    envelope: OutboxEnvelope,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    groupId: string | null = null,
  ): Promise<string> {
    const id = randomUUID()
    const writer = await this.files.write(id, this.ctx(id, 'message'), this.options.owner, chunks)
    this.insert(id, envelope, groupId, writer)
    return id
  }

  /** The entry's row and its message file come into being in one transaction (the file is renamed inside it). */
  private insert(id: string, envelope: OutboxEnvelope, groupId: string | null, writer: SealedFileWriter): void {
    const now = this.now()
    try {
      this.transaction(() => {
        this.db
          .prepare(
            'INSERT INTO outbox (id, state, created, updated, attempts, owner, group_id, envelope, message, outcome, ' +
              'message_file) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 1)',
          )
          .run(
            id,
            'queued',
            now,
            now,
            this.options.owner,
            groupId,
            sealJson(this.options.key, envelope, this.ctx(id, 'envelope')),
            new Uint8Array(0),
            sealJson(this.options.key, emptyOutcome, this.ctx(id, 'outcome')),
          )
        writer.publish()
      })
    } catch (error) {
      writer.abort()
      this.files.remove(id)
      throw error
    }
  }

  protected row(id: string): Row {
    const row = this.db.prepare(`SELECT ${rowColumns} FROM outbox WHERE id = ?`).get(id) as Row | undefined
    if (!row) throw new SiegelpostError('OUTBOX_NOT_FOUND', { id })
    return row
  }

  protected decode(row: Row): OutboxEntry {
    const envelope = EnvelopeSchema.safeParse(openJson(this.options.key, row.envelope, this.ctx(row.id, 'envelope')))
    const outcome = row.outcome
      ? OutcomeSchema.safeParse(openJson(this.options.key, row.outcome, this.ctx(row.id, 'outcome')))
      : { success: true as const, data: emptyOutcome }
    if (!envelope.success || !outcome.success)
      throw new SiegelpostError('OUTBOX_DAMAGED', { path: this.path, reason: `entry ${row.id}` })
    return {
      id: row.id,
      state: row.state,
      created: row.created,
      updated: row.updated,
      attempts: row.attempts,
      owner: row.owner,
      groupId: row.group_id,
      envelope: envelope.data,
      outcome: outcome.data as OutboxOutcome,
    }
  }

  get(id: string): OutboxEntry {
    return this.decode(this.row(id))
  }

  /** The whole message (a Sent copy of a mail sent on its own); sending reads it record by record (messageOf). */
  message(id: string): Buffer {
    return this.found(id, this.files.whole(id, this.ctx(id, 'message'), this.messageRow(id)))
  }

  /** The message to send, read one sealed record at a time (an entry of an older schema: its one value). */
  messageOf(id: string): OutboxMessage {
    return this.found(id, this.files.reader(id, this.ctx(id, 'message'), this.messageRow(id)))
  }

  private found<T>(id: string, value: T | null): T {
    if (value === null) throw new SiegelpostError('OUTBOX_DAMAGED', { path: this.path, reason: `entry ${id}` })
    return value
  }

  private messageRow(id: string): StoredMessage {
    const query =
      'SELECT coalesce(m.message, o.message) AS message, o.message_file ' +
      'FROM outbox o LEFT JOIN outbox_message m ON m.id = o.id WHERE o.id = ?'
    const row = this.db.prepare(query).get(id) as StoredMessage | undefined
    if (!row) throw new SiegelpostError('OUTBOX_NOT_FOUND', { id })
    return row
  }
}
