import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { sealBlob } from '../store/sealed-blob.ts'
import { writeSealedFile } from '../store/sealed-file.ts'
import { whenNotBusy } from '../store/busy.ts'
import { openStoreDatabase } from '../store/sqlite.ts'
import type { EnvelopeFields } from './envelope.ts'
import { ListCache } from './mail-list-cache.ts'
import { folderRows, saveSnapshot, type SnapshotStore } from './mail-list-snapshot.ts'
import { byNewest, windowOf } from './mail-search.ts'
import {
  envelopeRowOf,
  mailStoreFileName,
  mailStoreMigrations,
  sealContext,
  type EnvelopeRow,
  type FolderState,
  type ListPage,
  type ListQuery,
  type PageQuery,
  type StoredUid,
} from './mail-store-schema.ts'
import { StoreTransactions, tuneForBatches, writeBatch, type WriteBatch } from './mail-store-batch.ts'
import { readFolderState, staleRows, writeFolderState } from './mail-store-folders.ts'
import { PendingTable } from './mail-store-pending.ts'
import { completeOldRows, removeOrphanFiles } from './mail-store-upkeep.ts'
import { openRaw, openRow, randomPool, rawPlaceFor, rawPlaces, sealRow, type RawColumns } from './mail-store-rows.ts'
import { messageIdMaker } from './message-id.ts'

export { mailStoreFileName, mailStoreMigrations }
export type {
  EnvelopeRow,
  FolderState,
  ListPage,
  ListQuery,
  ListSort,
  PageQuery,
  StoredUid,
} from './mail-store-schema.ts'

/**
 * The local store of synced mail. Raw messages exactly as the server sent them (encrypted mail stays
 * encrypted), each sealed with AES-256-GCM under a vault-derived key; messages over
 * `limits.mailStoreInlineMaxBytes` as chunked sealed files in `messages/` beside the database. One
 * sealed envelope row per message for listing and search (small messages sealed together with it,
 * mail-store-rows.ts). Clear columns are only a time-ordered id, the fetch time, keyed hashes (of
 * account+folder, of the raw bytes; of account+folder+UIDVALIDITY+UID in rows from before schema step 6),
 * the UID and UIDVALIDITY, so nothing a person wrote is readable on disk.
 */
const ctx = sealContext
const empty = Buffer.alloc(0)

export class MailStore {
  readonly path: string
  private readonly isWriter: boolean
  private readonly db: DatabaseSync
  private readonly tx: StoreTransactions
  private readonly key: Buffer
  private readonly secret: KeyObject
  private readonly filesDir: string
  /** Opened envelope rows by id, with the row's revision (every reseal counts it up, also from another process). */
  private readonly cache = new Map<string, { rev: number; row: EnvelopeRow }>()
  private readonly statements = new Map<string, StatementSync>()
  private readonly boxes = new Map<string, string>()
  /** The marks that wait for the server, rows of this store (mail-store-pending.ts). */
  readonly pending: PendingTable
  /** Writes through this connection; with SQLite's data_version (other connections) it says whether a list is current. */
  private writes = 0
  private readonly lists = new ListCache()
  /** Folders (boxes) this connection wrote or listed: closing leaves a current list snapshot of each. */
  private readonly touched = new Set<string>()
  private readonly listed = new Set<string>()
  /** The store-writer thread's rows as it sealed them, for its closing snapshot (mail-list-snapshot.ts). */
  private readonly rowJson = new WeakMap<EnvelopeRow, string>()
  private readonly snapshotStore: SnapshotStore = {
    misses: (box) => this.misses(box),
    rows: (box) => this.rows(box),
    cache: this.cache,
    json: this.rowJson,
  }
  /** Nonces and ids from a pool of random bytes (mail-store-rows.ts). */
  private readonly random = randomPool()
  private readonly newId = messageIdMaker(this.random)

  /** `writer`: a sync's store-writer thread (store-writer.ts): no upkeep (done by the app's connection), tuned writes. */
  constructor(profileDir: string, key: Buffer, options: { writer?: boolean } = {}) {
    this.key = key
    this.isWriter = options.writer === true
    this.secret = createSecretKey(key)
    mkdirSync(profileDir, { recursive: true, mode: 0o700 })
    this.path = join(profileDir, mailStoreFileName)
    this.filesDir = join(profileDir, 'messages')
    const pageSize = limits.mailStorePageBytes
    this.db = openStoreDatabase(this.path, mailStoreMigrations, 'STORE_DAMAGED', { pageSize })
    this.tx = new StoreTransactions(this.db, this.path)
    this.pending = new PendingTable(this.db, this.secret, this.tx, this.path)
    // WAL with NORMAL stays consistent through a crash or kill -9 and may lose only the last commits on a
    // power cut; every row here is a copy of the server's (fetched again then), so a sync need not wait for
    // a disk flush per batch.
    this.db.exec('PRAGMA synchronous = NORMAL')
    // The change-counter triggers make each write a two-table statement with a statement journal: in memory.
    this.db.exec('PRAGMA temp_store = MEMORY')
    if (this.isWriter) {
      tuneForBatches(this.db)
      return
    }
    completeOldRows(this.db, this.key, {
      box: (account, folder) => this.box(account, folder),
      digestOf: (raw) => this.digestOf(raw),
      seal: (row) => sealRow(this.secret, row, null, this.random),
      row: (id, account, folder, uidValidity, uid, raw, fetched) =>
        envelopeRowOf(id, account, folder, uidValidity, uid, raw, [], fetched),
      transaction: (fn) => this.transaction(fn),
    })
    removeOrphanFiles(this.db, this.filesDir)
  }

  /** Closes the store; first leaves a current sealed list snapshot of each folder it wrote or listed. */
  close(): void {
    try {
      for (const box of this.touched) saveSnapshot(this.db, this.secret, box, this.snapshotStore, this.random, byNewest)
    } catch {
      // A snapshot only saves time: the next listing opens the rows one by one.
    }
    // The sync's pages go into the database file once (PASSIVE: never waits for a reader).
    if (this.isWriter) this.db.exec('PRAGMA wal_checkpoint(PASSIVE)')
    this.db.close()
  }

  /** What a writer thread of this process needs to open the same store (store-writer.ts); never leaves the process. */
  writerSetup(): { profileDir: string; key: Uint8Array } {
    return { profileDir: dirname(this.path), key: this.key }
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text)
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)))
    return statement
  }

  private hash(...parts: unknown[]): string {
    return createHmac('sha256', this.secret).update(JSON.stringify(parts)).digest('hex')
  }

  private box(account: string, folder: string): string {
    const name = JSON.stringify([account, folder])
    let box = this.boxes.get(name)
    if (box === undefined) this.boxes.set(name, (box = this.hash('box', account, folder)))
    return box
  }

  /** Keyed hash of the raw bytes: finds the same message again after a UIDVALIDITY change. */
  digestOf(raw: Uint8Array): string {
    return createHmac('sha256', this.secret).update('raw').update(raw).digest('hex')
  }

  /** Runs `fn` in one transaction (a sync stores a batch of messages per commit). */
  transaction<T>(fn: () => T): T {
    return this.tx.run(fn)
  }

  /** `fn` in a transaction of its own, not blocking this thread on a busy store (store/busy.ts); else `busy`. */
  soon<T>(fn: () => T, busy?: (cause: unknown) => SiegelpostError): Promise<T> {
    return whenNotBusy(() => this.tx.alone(fn), this.path, busy)
  }

  /**
   * A transaction that stays open across several writes and commits every `mailSyncBatchMessages` writes
   * or `mailSyncBatchBytes` bytes (mail-store-batch.ts).
   */
  batch(): WriteBatch {
    return writeBatch(this.tx, this.isWriter)
  }

  /** `place`: the row's `rawfile` (a small message's raw bytes are sealed with its row, mail-store-rows.ts). */
  private openEnvelope(id: string, rev: number, blob: Uint8Array | null, place: number): EnvelopeRow | null {
    const hit = this.cache.get(id)
    if (hit && hit.rev === rev) return hit.row
    const row = blob ? (openRow(this.secret, id, blob, place, false)?.row ?? null) : null
    if (row) this.cache.set(id, { rev, row })
    return row
  }

  /** The row with its folder, UIDVALIDITY and UID (schema step 6: unique), or undefined. */
  private at(account: string, folder: string, uidValidity: string, uid: number): { id: string } | undefined {
    const sql = 'SELECT id FROM messages WHERE box = ? AND validity = ? AND uid = ?'
    return this.sql(sql).get(this.box(account, folder), uidValidity, uid) as { id: string } | undefined
  }

  /**
   * The envelope rows of the store or of one box. Only ids and revisions are read when the cache has the
   * rows (the open store: listing 10,000 stays in the tens of milliseconds); sealed rows only for misses.
   */
  private rows(box: string | null): EnvelopeRow[] {
    const where = box === null ? '' : ' WHERE box = ?'
    const args = box === null ? [] : [box]
    const heads = this.sql(`SELECT id, rev FROM messages${where}`).all(...args) as { id: string; rev: number }[]
    const misses = heads.filter((head) => this.cache.get(head.id)?.rev !== head.rev).length
    if (misses > 64) {
      // One sealed row at a time: a small message is sealed with its envelope, so all of them at once is megabytes.
      const full = this.sql(`SELECT id, rev, envelope, rawfile FROM messages${where}`).iterate(...args) as Iterable<{
        id: string
        rev: number
        envelope: Uint8Array | null
        rawfile: number
      }>
      const opened: EnvelopeRow[] = []
      for (const r of full) {
        const row = this.openEnvelope(r.id, r.rev, r.envelope, r.rawfile)
        if (row) opened.push(row)
      }
      return opened
    }
    const one = this.sql('SELECT envelope, rawfile FROM messages WHERE id = ?')
    const out: EnvelopeRow[] = []
    for (const head of heads) {
      const hit = this.cache.get(head.id)
      const stored = hit?.rev === head.rev ? null : (one.get(head.id) as { envelope: Uint8Array; rawfile: number })
      const row =
        hit?.rev === head.rev
          ? hit.row
          : stored && this.openEnvelope(head.id, head.rev, stored.envelope, stored.rawfile)
      if (row) out.push(row)
    }
    return out
  }

  has(account: string, folder: string, uidValidity: string, uid: number): boolean {
    return this.at(account, folder, uidValidity, uid) !== undefined
  }

  /** Stores one message; null when (account, folder, UIDVALIDITY, UID) is stored already. */
  add(
    account: string,
    folder: string,
    uidValidity: string,
    uid: number,
    raw: Buffer,
    fetched: Date,
    /** `envelope`: envelopeOf(raw, arrived), when the caller has read it already (the sync's main thread). */
    options: { flags?: string[]; arrived?: Date | null; envelope?: EnvelopeFields } = {},
  ): string | null {
    // The row and its folder's change count go in together (StoreTransactions).
    if (!this.tx.isOpen) return this.tx.run(() => this.add(account, folder, uidValidity, uid, raw, fetched, options))
    const box = this.box(account, folder)
    const place = rawPlaceFor(raw.length)
    const isFile = place === rawPlaces.file
    if (isFile && this.at(account, folder, uidValidity, uid) !== undefined) return null
    const id = this.newId()
    if (isFile) {
      mkdirSync(this.filesDir, { recursive: true, mode: 0o700 })
      writeSealedFile(join(this.filesDir, `${id}.sealed`), this.key, ctx(id, 'raw'), raw, limits.mailStoreChunkBytes)
    }
    const row = envelopeRowOf(
      id,
      account,
      folder,
      uidValidity,
      uid,
      raw,
      options.flags ?? [],
      fetched,
      options.arrived ?? null,
      options.envelope,
    )
    const json = JSON.stringify(row)
    if (this.isWriter) this.rowJson.set(row, json)
    // A message stored already (same place: messages_place) changes nothing: one index look-up, the INSERT's own.
    // `ref` (unique, from schema step 1) is the id: time-ordered, appended at the end of its index.
    const { changes } = this.sql(
      'INSERT INTO messages (id, ref, fetched, meta, raw, box, validity, uid, digest, envelope, rawfile) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (box, validity, uid) DO NOTHING',
    ).run(
      id,
      id,
      row.fetched,
      // Rows from step 2 on keep where they live in the sealed envelope; `meta` is read only for step-1 rows.
      empty,
      place === rawPlaces.column ? sealBlob(this.secret, raw, ctx(id, 'raw'), this.random) : empty,
      // The digest is needed only when a folder gets a new UIDVALIDITY (staleOf computes it then).
      box,
      uidValidity,
      uid,
      null,
      sealRow(this.secret, row, place === rawPlaces.row ? raw : null, this.random, json),
      place,
    )
    if (changes === 0 && isFile) rmSync(join(this.filesDir, `${id}.sealed`), { force: true })
    if (changes === 0) return null
    this.tx.noteInsert(box)
    this.cache.set(id, { rev: 0, row })
    this.writes++
    this.touched.add(box)
    return id
  }

  raw(id: string): Buffer | null {
    const row = this.sql('SELECT raw, rawfile, envelope FROM messages WHERE id = ?').get(id) as RawColumns | undefined
    return row ? openRaw(this.secret, this.key, join(this.filesDir, `${id}.sealed`), id, row) : null
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n
  }

  get(id: string): EnvelopeRow | null {
    const row = this.sql('SELECT rev, envelope, rawfile FROM messages WHERE id = ?').get(id) as
      { rev: number; envelope: Uint8Array | null; rawfile: number } | undefined
    return row ? this.openEnvelope(id, row.rev, row.envelope, row.rawfile) : null
  }

  /**
   * Envelope rows, newest first (by Date, then UID); search filters in memory, nothing is decrypted to disk.
   * The sorted rows of a query are kept until this or another connection writes. Rows are shared: read only.
   */
  list(query: ListQuery = {}): EnvelopeRow[] {
    const base = this.sortedRows(query)
    const needle = query.search?.trim().toLowerCase() ?? ''
    return needle ? this.lists.matching(base, needle).slice() : base.slice()
  }

  /**
   * A window of `list(query)` in the chosen order, with the number of rows matching and in all. Opens only
   * rows the in-memory cache lacks (the open store answers from memory; 10,000 rows sort once per write).
   */
  page(query: PageQuery = {}): ListPage {
    const base = this.sortedRows(query)
    const needle = query.search?.trim().toLowerCase() ?? ''
    return windowOf(needle ? this.lists.matching(base, needle) : base, base.length, query)
  }

  /** Changes with every write of this connection (`writes`) or of another one (SQLite's data_version). */
  private version(): string {
    return `${this.writes}:${(this.sql('PRAGMA data_version').get() as { data_version: number }).data_version}`
  }

  /** The rows of a query without the search, newest first; kept until this or another connection writes. */
  private sortedRows(query: ListQuery): EnvelopeRow[] {
    const version = this.version()
    const key = JSON.stringify([query.account ?? null, query.folder ?? null])
    const box = query.account !== undefined && query.folder !== undefined ? this.box(query.account, query.folder) : null
    return this.lists.rows(key, version, () =>
      (box === null ? this.rows(null) : this.folderRows(box)).filter(
        (row) =>
          (query.account === undefined || row.account === query.account) &&
          (query.folder === undefined || row.folder === query.folder),
      ),
    )
  }

  /** Rows of a folder the per-row cache lacks or has at an older revision. */
  private misses(box: string): number {
    const heads = this.sql('SELECT id, rev FROM messages WHERE box = ?').all(box) as { id: string; rev: number }[]
    return heads.filter((head) => this.cache.get(head.id)?.rev !== head.rev).length
  }

  /** A folder's rows: from its sealed list snapshot when that is current and the cache cold (mail-list-snapshot.ts). */
  private folderRows(box: string): EnvelopeRow[] {
    const first = !this.listed.has(box)
    this.listed.add(box)
    this.touched.add(box)
    return folderRows(this.db, this.secret, box, this.snapshotStore, this.random, byNewest, first)
  }

  /** The stored UIDs of a folder (every UIDVALIDITY still present) with their flags. */
  uidsOf(account: string, folder: string): Map<number, StoredUid> {
    const out = new Map<number, StoredUid>()
    for (const row of this.rows(this.box(account, folder)))
      out.set(row.uid, { id: row.id, uidValidity: row.uidValidity, flags: row.flags })
    return out
  }

  /** How many messages of a folder are stored under this UIDVALIDITY. */
  countOf(account: string, folder: string, uidValidity: string): number {
    const sql = 'SELECT count(*) AS n FROM messages WHERE box = ? AND validity = ?'
    return (this.sql(sql).get(this.box(account, folder), uidValidity) as { n: number }).n
  }

  /** Rows of a folder stored under another UIDVALIDITY, by digest (to be matched to the re-numbered messages). */
  staleOf(account: string, folder: string, uidValidity: string): Map<string, string[]> {
    return staleRows(
      this.db,
      this.box(account, folder),
      uidValidity,
      (id) => this.raw(id),
      (r) => this.digestOf(r),
    )
  }

  private reseal(
    id: string,
    change: (row: EnvelopeRow) => EnvelopeRow,
    columns: { box?: string; validity?: string; uid?: number } = {},
  ): void {
    const row = this.get(id)
    if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
    const next = change({ ...row })
    // A small message sealed with its row is sealed again with the new row.
    const place = (this.sql('SELECT rawfile FROM messages WHERE id = ?').get(id) as { rawfile: number }).rawfile
    const raw = place === rawPlaces.row ? this.raw(id) : null
    if (place === rawPlaces.row && !raw) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
    this.writes++
    this.touched.add(this.box(row.account, row.folder))
    if (columns.box !== undefined) this.touched.add(columns.box)
    const update =
      "UPDATE messages SET rev = rev + 1, envelope = ?, meta = x'', box = coalesce(?, box), " +
      'validity = coalesce(?, validity), uid = coalesce(?, uid) WHERE id = ?'
    const sealed = sealRow(this.secret, next, raw, this.random)
    this.sql(update).run(sealed, columns.box ?? null, columns.validity ?? null, columns.uid ?? null, id)
  }

  /** The message now lives at (account, folder, UIDVALIDITY, UID): a move, or a re-numbered folder. Keeps its id. */
  relocate(id: string, account: string, folder: string, uidValidity: string, uid: number, flags?: string[]): void {
    const other = this.at(account, folder, uidValidity, uid)
    // Already stored there (a sync of the target folder came first): one copy is enough.
    if (other && other.id !== id) return this.remove(id)
    this.reseal(id, (row) => ({ ...row, account, folder, uidValidity, uid, flags: flags ?? row.flags }), {
      box: this.box(account, folder),
      validity: uidValidity,
      uid,
    })
  }

  /** New flags; the kept sorted lists take the changed row in place (flags do not move a row in the order). */
  setFlags(id: string, flags: readonly string[]): void {
    const before = this.version()
    this.reseal(id, (row) => ({ ...row, flags: [...flags].sort() }))
    const row = this.get(id)
    if (row) this.lists.replace(before, this.version(), row)
  }

  /** Keeps the subject from inside the protection (RFC 9788 header protection), sealed, for the list and search. */
  setProtectedSubject(id: string, subject: string | null): void {
    this.reseal(id, (row) => ({ ...row, protectedSubject: subject }))
  }

  remove(id: string): void {
    const row = this.db.prepare('SELECT rawfile, box FROM messages WHERE id = ?').get(id) as
      { rawfile: number; box: string | null } | undefined
    this.db.prepare('DELETE FROM messages WHERE id = ?').run(id)
    this.writes++
    if (row?.box) this.touched.add(row.box)
    this.cache.delete(id)
    if (row?.rawfile === 1) rmSync(join(this.filesDir, `${id}.sealed`), { force: true })
  }

  folderState(account: string, folder: string): FolderState | null {
    return readFolderState(this.db, this.key, this.box(account, folder))
  }

  setFolderState(account: string, folder: string, state: FolderState): void {
    writeFolderState(this.db, this.key, this.box(account, folder), state)
  }
}
