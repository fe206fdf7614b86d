import type { KeyObject } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import { limits } from '../limits.ts'
import { openBlob, sealBlob } from '../store/sealed-blob.ts'
import type { EnvelopeRow } from './mail-store-schema.ts'

/**
 * A folder's sorted listing rows as one sealed value (AES-256-GCM, bound to the folder's box and its change
 * counter): the first listing after the store opens reads one value instead of unsealing every row.
 *
 * `box_changes.counter` counts every insert, update and delete of the folder's rows, in the transaction of the change,
 * whichever connection writes (the store-writer thread, a CLI): updates and deletes by SQLite triggers (schema step 3),
 * new rows once per transaction just before its commit (StoreTransactions, schema step 4). A snapshot is used only
 * when its counter equals the folder's current one, so it can never show a removed row, miss a committed added one or
 * an older state of a row (inside a transaction that has only added rows so far, it shows the committed rows). It is written only from rows read while the counter stayed the
 * same; a crash between a change and the next snapshot leaves an older counter behind, which is never used again.
 */
export interface SnapshotRow {
  rev: number
  row: EnvelopeRow
}

const context = (box: string) => `siegelpost/messages/v1/list-snapshot/${box}`

interface Sealed {
  box: string
  counter: number
  rows: [number, EnvelopeRow][]
}

/** The folder's change counter (0 for a folder without a change since schema step 3 began counting). */
export function changeCounter(db: DatabaseSync, box: string): number {
  const row = db.prepare('SELECT counter FROM box_changes WHERE box = ?').get(box) as { counter: number } | undefined
  return row?.counter ?? 0
}

/** The folder's rows from its snapshot, sorted as they were written; null when there is none or it is not current. */
export function readSnapshot(db: DatabaseSync, secret: KeyObject, box: string): SnapshotRow[] | null {
  // One statement: the snapshot and the current counter are read at the same moment.
  const found = db
    .prepare(
      'SELECT s.counter AS kept, s.blob AS blob, coalesce(c.counter, 0) AS now FROM list_snapshots s ' +
        'LEFT JOIN box_changes c ON c.box = s.box WHERE s.box = ?',
    )
    .get(box) as { kept: number; blob: Uint8Array; now: number } | undefined
  if (!found || found.kept !== found.now) return null
  const plain = openBlob(secret, found.blob, context(box))
  if (!plain) return null
  let sealed: Sealed
  try {
    sealed = JSON.parse(plain.toString('utf8')) as Sealed
  } catch {
    return null
  } finally {
    plain.fill(0)
  }
  if (sealed.box !== box || sealed.counter !== found.kept || !Array.isArray(sealed.rows)) return null
  return sealed.rows.map(([rev, row]) => ({ rev, row }))
}

/**
 * Seals `rows` (read while the folder's counter was `counter`) as the folder's snapshot. Skipped when the store is
 * busy with another connection's write (a listing never waits for the write lock) or the rows exceed
 * `limits.mailListSnapshotMaxBytes`; a newer snapshot is never replaced by an older one. True when written.
 */
export function writeSnapshot(
  db: DatabaseSync,
  secret: KeyObject,
  box: string,
  counter: number,
  rows: readonly SnapshotRow[],
  random: (n: number) => Buffer,
  /** The JSON of rows as they were sealed one by one (the store-writer thread keeps it): not made twice. */
  json?: WeakMap<EnvelopeRow, string>,
): boolean {
  const sealed: Sealed = { box, counter, rows: rows.map(({ rev, row }) => [rev, row]) }
  const plain = Buffer.from(snapshotJson(sealed, json), 'utf8')
  if (plain.length > limits.mailListSnapshotMaxBytes) return false
  const blob = sealBlob(secret, plain, context(box), random)
  plain.fill(0)
  const wait = (db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout
  db.exec('PRAGMA busy_timeout = 0')
  try {
    db.prepare(
      'INSERT INTO list_snapshots (box, counter, blob) VALUES (?, ?, ?) ' +
        'ON CONFLICT (box) DO UPDATE SET counter = excluded.counter, blob = excluded.blob ' +
        'WHERE excluded.counter >= list_snapshots.counter',
    ).run(box, counter, blob)
    return true
  } catch (error) {
    // SQLITE_BUSY (5) or SQLITE_LOCKED (6), with their extended codes: another connection writes.
    const code = ((error as { errcode?: number }).errcode ?? 0) & 0xff
    if (code === 5 || code === 6) return false
    throw error
  } finally {
    db.exec(`PRAGMA busy_timeout = ${Number(wait)}`)
  }
}

/** JSON.stringify(sealed), with each row's JSON taken from `json` where it is there. */
function snapshotJson(sealed: Sealed, json?: WeakMap<EnvelopeRow, string>): string {
  if (!json) return JSON.stringify(sealed)
  const rows = sealed.rows.map(([rev, row]) => `[${rev},${json.get(row) ?? JSON.stringify(row)}]`)
  return `{"box":${JSON.stringify(sealed.box)},"counter":${sealed.counter},"rows":[${rows.join(',')}]}`
}

/** What the snapshot functions need of the store: its per-row cache and its row-by-row listing. */
export interface SnapshotStore {
  /** Rows of the folder the per-row cache lacks (or has at an older revision). */
  misses(box: string): number
  /** The folder's rows, opened one by one where the cache lacks them (and then kept in it). */
  rows(box: string): EnvelopeRow[]
  /** The store's opened rows by id, with the revision each was opened at. */
  cache: Map<string, SnapshotRow>
  /** The JSON of rows this connection sealed, where it keeps it (see writeSnapshot). */
  json?: WeakMap<EnvelopeRow, string>
}

/** Takes a row from a snapshot into the cache; the row to list (the cached one when it is the same revision). */
function keep(store: SnapshotStore, { rev, row }: SnapshotRow): EnvelopeRow {
  const hit = store.cache.get(row.id)
  if (hit?.rev === rev) return hit.row
  store.cache.set(row.id, { rev, row })
  return row
}

/**
 * A folder's rows, newest first: from its snapshot when the cache lacks many of them and the snapshot is current,
 * else row by row; a cold listing of a large folder writes a fresh snapshot (rows read at one counter only).
 */
export function folderRows(
  db: DatabaseSync,
  secret: KeyObject,
  box: string,
  store: SnapshotStore,
  random: (n: number) => Buffer,
  order: (a: EnvelopeRow, b: EnvelopeRow) => number,
  /** This connection has not listed the folder yet (its cache then lacks most rows: no need to count them). */
  first: boolean,
): EnvelopeRow[] {
  const fromSnapshot = () => readSnapshot(db, secret, box)?.map((kept) => keep(store, kept)) ?? null
  const early = first ? fromSnapshot() : null
  if (early) return early
  const misses = store.misses(box)
  if (misses < limits.mailListSnapshotMinRows) return store.rows(box)
  const kept = first ? null : fromSnapshot()
  if (kept) return kept
  const before = changeCounter(db, box)
  const rows = store.rows(box).sort(order)
  const sealed = snapshotRows(rows, store)
  if (sealed && rows.length >= limits.mailListSnapshotMinRows && changeCounter(db, box) === before)
    writeSnapshot(db, secret, box, before, sealed, random)
  return rows
}

/**
 * Writes a current snapshot of a folder this connection wrote or listed, unless its snapshot is current already or
 * the folder is small (closing the store; the store-writer thread's large sync leaves one for the app's list).
 */
export function saveSnapshot(
  db: DatabaseSync,
  secret: KeyObject,
  box: string,
  store: SnapshotStore,
  random: (n: number) => Buffer,
  order: (a: EnvelopeRow, b: EnvelopeRow) => number,
): void {
  const before = changeCounter(db, box)
  const kept = db.prepare('SELECT counter FROM list_snapshots WHERE box = ?').get(box) as
    { counter: number } | undefined
  if (kept?.counter === before) return
  const count = (db.prepare('SELECT count(*) AS n FROM messages WHERE box = ?').get(box) as { n: number }).n
  if (count < limits.mailListSnapshotMinRows) return
  const sealed = snapshotRows(store.rows(box).sort(order), store)
  if (sealed && changeCounter(db, box) === before) writeSnapshot(db, secret, box, before, sealed, random, store.json)
}

/** The rows with their revisions; null when one is missing (a snapshot never leaves a row out). */
function snapshotRows(rows: readonly EnvelopeRow[], store: SnapshotStore): SnapshotRow[] | null {
  const out: SnapshotRow[] = []
  for (const row of rows) {
    const rev = store.cache.get(row.id)?.rev
    if (rev === undefined) return null
    out.push({ rev, row })
  }
  return out
}
