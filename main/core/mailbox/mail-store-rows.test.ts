import { createHmac, createSecretKey, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { limits } from '../limits.ts'
import { openVersionedDatabase, schemaVersion } from '../store/sqlite.ts'
import { readSnapshot } from './mail-list-snapshot.ts'
import { rawPlaces } from './mail-store-rows.ts'
import { MailStore, mailStoreMigrations } from './mail-store.ts'
import { messageIdMaker } from './message-id.ts'
import { insertOldLayoutRows } from '../../../test/helpers/old-mail-store-rows.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-mailrows-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = Buffer.alloc(32, 5)
const hash = (...parts: unknown[]) => createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex')
const mail = (i: number, padding = 0) =>
  Buffer.from(
    `From: Kanzlei <info@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: Beleg ${i}\r\n` +
      `Date: ${new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString()}\r\nMessage-ID: <${i}@x>\r\n\r\n` +
      `Vertraulicher Text ${i}\r\n${'Z'.repeat(padding)}`,
  )

/** Every file of the profile, as bytes (the SQLite file, its WAL, sealed message files). */
function profileBytes(): Buffer {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
    )
  return Buffer.concat(files(dir).map((f) => readFileSync(f)))
}

const placesOf = (db: DatabaseSync) =>
  db.prepare('SELECT id, ref, rawfile, length(raw) AS raw FROM messages ORDER BY uid').all() as {
    id: string
    ref: string
    rawfile: number
    raw: number
  }[]

describe('message store schema step 6', () => {
  it('a store of step 4 opens; its rows stay readable and their places taken; new rows use the new layout', () => {
    const path = join(dir, 'messages.sqlite')
    const old = openVersionedDatabase(path, mailStoreMigrations.slice(0, 4))
    const box = hash('box', 'acc', 'INBOX')
    // Rows as the store of step 4 wrote them.
    const oldIds = insertOldLayoutRows(old, key, box, 3, (uid) => mail(uid))
    old.close()

    const store = new MailStore(dir, key)
    const opened = (store as unknown as { db: DatabaseSync }).db
    expect(schemaVersion(opened)).toBe(mailStoreMigrations.length)
    // A file of before keeps its page size (a new store's is limits.mailStorePageBytes).
    expect(opened.prepare('PRAGMA page_size').get()).toEqual({ page_size: 4096 })
    expect(store.list().map((r) => r.subject)).toEqual(['Beleg 3', 'Beleg 2', 'Beleg 1'])
    expect(store.raw(oldIds[1]!)).toEqual(mail(2))
    // An old row's place is known without its keyed hash: the same message is not stored twice.
    expect(store.has('acc', 'INBOX', '1', 2)).toBe(true)
    expect(store.add('acc', 'INBOX', '1', 2, mail(2), new Date())).toBeNull()
    // A flag change and a move of an old row keep it readable.
    store.setFlags(oldIds[0]!, ['\\Seen'])
    store.relocate(oldIds[2]!, 'acc', 'Archiv', '9', 30)
    expect(store.get(oldIds[2]!)).toMatchObject({ folder: 'Archiv', uid: 30 })
    expect(store.raw(oldIds[2]!)).toEqual(mail(3))
    // New rows: a small one sealed with its row, a middle one on its own, a large one as a sealed file.
    const small = store.add('acc', 'INBOX', '1', 4, mail(4), new Date())!
    const middle = store.add('acc', 'INBOX', '1', 5, mail(5, limits.mailStoreRowRawMaxBytes), new Date())!
    const large = store.add('acc', 'INBOX', '1', 6, mail(6, limits.mailStoreInlineMaxBytes), new Date())!
    expect(store.add('acc', 'INBOX', '1', 4, mail(4), new Date())).toBeNull()
    expect(store.add('acc', 'INBOX', '1', 6, mail(6, limits.mailStoreInlineMaxBytes), new Date())).toBeNull()
    expect(readdirSync(join(dir, 'messages'))).toEqual([`${large}.sealed`])
    expect(store.raw(small)).toEqual(mail(4))
    expect(store.raw(middle)).toEqual(mail(5, limits.mailStoreRowRawMaxBytes))
    expect(store.raw(large)).toEqual(mail(6, limits.mailStoreInlineMaxBytes))
    store.close()

    const db = new DatabaseSync(path)
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all()
    expect(indexes.map((i) => (i as { name: string }).name)).toEqual(['messages_place'])
    const places = placesOf(db)
    db.close()
    expect(places.map((p) => [p.rawfile, p.raw > 0])).toEqual([
      [rawPlaces.column, true],
      [rawPlaces.column, true],
      [rawPlaces.row, false],
      [rawPlaces.column, true],
      [rawPlaces.file, false],
      [rawPlaces.column, true],
    ])
    // New rows: `ref` is the id (no keyed hash of the place); old rows keep theirs.
    expect(places.filter((p) => p.ref === p.id).map((p) => p.id)).toEqual([small, middle, large])
    // Nothing readable on disk, in the rows sealed together either.
    const bytes = profileBytes()
    for (const marker of ['Vertraulicher', 'mandant.test', 'Beleg', 'ZZZZZZZZ'])
      expect(bytes.includes(Buffer.from(marker)), marker).toBe(false)
  })

  it('a small message sealed with its row: flags and protected subject reseal it whole; damage loses no other', () => {
    const store = new MailStore(dir, key)
    const pageSize = (store as unknown as { db: DatabaseSync }).db.prepare('PRAGMA page_size').get()
    expect(pageSize).toEqual({ page_size: limits.mailStorePageBytes })
    const a = store.add('acc', 'INBOX', '1', 1, mail(1), new Date())!
    const b = store.add('acc', 'INBOX', '1', 2, mail(2), new Date())!
    store.setFlags(a, ['\\Seen'])
    store.setProtectedSubject(a, 'Bescheid (geschützt)')
    store.relocate(a, 'acc', 'Archiv', '2', 8)
    store.close()
    const again = new MailStore(dir, key)
    expect(again.get(a)).toMatchObject({ flags: ['\\Seen'], protectedSubject: 'Bescheid (geschützt)', uid: 8 })
    expect(again.raw(a)).toEqual(mail(1))
    again.close()
    // A row moved to another id's label (or damaged) opens as nothing, never as another message.
    const db = new DatabaseSync(join(dir, 'messages.sqlite'))
    const blob = (db.prepare('SELECT envelope FROM messages WHERE id = ?').get(a) as { envelope: Uint8Array }).envelope
    db.prepare('UPDATE messages SET envelope = ? WHERE id = ?').run(blob, b)
    db.prepare('DELETE FROM list_snapshots').run()
    db.close()
    const damaged = new MailStore(dir, key)
    expect(damaged.raw(b)).toBeNull()
    expect(damaged.get(b)).toBeNull()
    expect(damaged.list().map((r) => r.id)).toEqual([a])
    damaged.close()
  })
})

describe('the store-writer connection', () => {
  it("closing, it seals the folder's snapshot from the rows' JSON as sealed: the same rows a listing opens", () => {
    const writer = new MailStore(dir, key, { writer: true })
    const batch = writer.batch()
    const n = limits.mailListSnapshotMinRows + 5
    for (let uid = 1; uid <= n; uid++) batch.run(() => writer.add('acc', 'INBOX', '1', uid, mail(uid), new Date()), 1)
    batch.commit()
    writer.close()
    const db = new DatabaseSync(join(dir, 'messages.sqlite'))
    const kept = readSnapshot(db, createSecretKey(key), hash('box', 'acc', 'INBOX'))
    db.close()
    const store = new MailStore(dir, key)
    expect(store.get(kept![0]!.row.id)).toEqual(kept![0]!.row)
    const opened = kept!.map(({ row }) => store.get(row.id))
    expect(kept!.map(({ row }) => row)).toEqual(opened)
    expect(kept!.map(({ row }) => row.uid)).toEqual(Array.from({ length: n }, (_, i) => n - i))
    store.close()
  })
})

describe('messageIdMaker', () => {
  it('makes UUIDv7 ids that sort in the order they were made, within a millisecond and across', () => {
    let clock = 1_800_000_000_000
    const make = messageIdMaker(randomBytes, () => clock)
    const ids: string[] = []
    for (let i = 0; i < 5000; i++) {
      ids.push(make())
      if (i % 1000 === 999) clock++
    }
    clock -= 5 // a clock that goes back does not break the order
    ids.push(make())
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) {
      expect(z.uuid().safeParse(id).success, id).toBe(true)
      expect(id[14]).toBe('7')
    }
    expect(ids[0]!.replaceAll('-', '').slice(0, 12)).toBe((1_800_000_000_000).toString(16).padStart(12, '0'))
  })
})
