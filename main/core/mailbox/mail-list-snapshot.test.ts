import { createHmac, createSecretKey } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { limits } from '../limits.ts'
import { openVersionedDatabase, schemaVersion } from '../store/sqlite.ts'
import { readSnapshot } from './mail-list-snapshot.ts'
import { MailStore, mailStoreMigrations, type EnvelopeRow } from './mail-store.ts'
import { insertOldLayoutRows } from '../../../test/helpers/old-mail-store-rows.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-listsnap-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = Buffer.alloc(32, 7)
const n = limits.mailListSnapshotMinRows + 20
const hash = (...parts: unknown[]) => createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex')
const inbox = hash('box', 'acc', 'INBOX')
const mail = (i: number, subject = `Beleg ${i}`) =>
  Buffer.from(
    `From: Kanzlei <info@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: ${subject}\r\n` +
      `Date: ${new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString()}\r\nMessage-ID: <${i}@x>\r\n\r\nText ${i}\r\n`,
  )

function fill(store: MailStore, count = n, from = 1, folder = 'INBOX'): void {
  store.transaction(() => {
    for (let i = from; i < from + count; i++) store.add('acc', folder, '1', i, mail(i), new Date())
  })
}

/** What the listing shows of a row (copies: the store's rows are shared). */
const shown = (rows: EnvelopeRow[]) => rows.map((r) => [r.id, r.uid, r.subject, r.protectedSubject, r.flags.join(' ')])
const listed = (store: MailStore) => shown(store.list({ account: 'acc', folder: 'INBOX' }))

/** The folder's snapshot as a fresh connection reads it: null when there is none or it is not current. */
function snapshot(): EnvelopeRow[] | null {
  const db = new DatabaseSync(join(dir, 'messages.sqlite'))
  try {
    return readSnapshot(db, createSecretKey(key), inbox)?.map(({ row }) => row) ?? null
  } finally {
    db.close()
  }
}

/** Ends a store's connection without what `close` does first (a crash or kill between writes). */
const crash = (store: MailStore) => (store as unknown as { db: DatabaseSync }).db.close()

describe('sealed list snapshot', () => {
  it('closing leaves a current snapshot, and the reopened store lists the same rows in the same order', () => {
    const store = new MailStore(dir, key)
    fill(store)
    const before = listed(store)
    store.close()
    expect(snapshot()?.length).toBe(n)
    const again = new MailStore(dir, key)
    expect(listed(again)).toEqual(before)
    expect(again.list({ account: 'acc', folder: 'INBOX', search: `beleg ${n}` }).map((r) => r.uid)).toEqual([n])
    again.close()
    // The snapshot is sealed: no subject of the folder is readable in any file of the profile.
    const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))))
    expect(bytes.includes(Buffer.from('Beleg 1'))).toBe(false)
  })

  it('a row added by a second connection (the store-writer thread) shows, also after a crash before a new snapshot', () => {
    const app = new MailStore(dir, key)
    fill(app)
    app.close()
    const reader = new MailStore(dir, key)
    expect(listed(reader)).toHaveLength(n)
    const writer = new MailStore(dir, key)
    const added = writer.add('acc', 'INBOX', '1', 9999, mail(9999, 'Nachgereicht'), new Date())!
    expect(snapshot()).toBeNull()
    expect(listed(reader)[0]).toEqual([added, 9999, 'Nachgereicht', null, ''])
    crash(writer)
    crash(reader)
    const next = new MailStore(dir, key)
    const rows = listed(next)
    expect(rows).toHaveLength(n + 1)
    expect(rows[0]![0]).toBe(added)
    next.close()
    expect(snapshot()?.[0]?.id).toBe(added)
  })

  it('a row deleted by another connection never shows from the snapshot', () => {
    const store = new MailStore(dir, key)
    fill(store)
    const gone = store.list({ account: 'acc', folder: 'INBOX' })[5]!.id
    store.close()
    expect(snapshot()?.some((r) => r.id === gone)).toBe(true)
    const other = new DatabaseSync(join(dir, 'messages.sqlite'))
    other.prepare('DELETE FROM messages WHERE id = ?').run(gone)
    other.close()
    expect(snapshot()).toBeNull()
    const again = new MailStore(dir, key)
    const rows = listed(again)
    expect(rows).toHaveLength(n - 1)
    expect(rows.some(([id]) => id === gone)).toBe(false)
    again.close()
  })

  it('a flag change and a protected subject are in the listing after reopening, with and without a new snapshot', () => {
    for (const ending of [crash, (s: MailStore) => s.close()]) {
      rmSync(dir, { recursive: true, force: true })
      const store = new MailStore(dir, key)
      fill(store)
      store.close()
      const open = new MailStore(dir, key)
      const [first, second] = open.list({ account: 'acc', folder: 'INBOX' })
      open.setFlags(first!.id, ['\\Seen'])
      open.setProtectedSubject(second!.id, 'Geheime Lohnliste')
      expect(snapshot()).toBeNull()
      ending(open)
      const again = new MailStore(dir, key)
      const rows = listed(again)
      expect(rows[0]).toEqual([first!.id, first!.uid, first!.subject, null, '\\Seen'])
      expect(rows[1]).toEqual([second!.id, second!.uid, second!.subject, 'Geheime Lohnliste', ''])
      expect(again.list({ account: 'acc', folder: 'INBOX', search: 'lohnliste' }).map((r) => r.id)).toEqual([
        second!.id,
      ])
      again.close()
    }
  })

  it("a message moved to another folder leaves both folders' snapshots and listings right", () => {
    const store = new MailStore(dir, key)
    fill(store)
    fill(store, n, 1, 'Archiv')
    store.close()
    const again = new MailStore(dir, key)
    const moved = again.list({ account: 'acc', folder: 'INBOX' })[0]!
    again.relocate(moved.id, 'acc', 'Archiv', '1', 7777)
    expect(snapshot()).toBeNull()
    crash(again)
    const next = new MailStore(dir, key)
    expect(next.list({ account: 'acc', folder: 'INBOX' }).some((r) => r.id === moved.id)).toBe(false)
    const archive = next.list({ account: 'acc', folder: 'Archiv' })
    expect(archive).toHaveLength(n + 1)
    expect(archive.find((r) => r.id === moved.id)).toMatchObject({ folder: 'Archiv', uid: 7777 })
    next.close()
  })

  it('a rolled-back write leaves the snapshot current and shows nothing of the write', () => {
    const store = new MailStore(dir, key)
    fill(store)
    store.close()
    const again = new MailStore(dir, key)
    expect(() =>
      again.transaction(() => {
        again.add('acc', 'INBOX', '1', 5000, mail(5000), new Date())
        throw new Error('server dropped the connection')
      }),
    ).toThrow('server dropped')
    expect(snapshot()).toHaveLength(n)
    crash(again)
    const next = new MailStore(dir, key)
    expect(listed(next).some(([, uid]) => uid === 5000)).toBe(false)
    next.close()
  })

  it('a damaged snapshot or one moved to another folder is ignored; the rows are listed one by one', () => {
    const store = new MailStore(dir, key)
    fill(store)
    store.add('acc', 'Archiv', '1', 1, mail(1, 'Archiviert'), new Date())
    const before = listed(store)
    store.close()
    const db = new DatabaseSync(join(dir, 'messages.sqlite'))
    const blob = (db.prepare('SELECT blob FROM list_snapshots WHERE box = ?').get(inbox) as { blob: Uint8Array }).blob
    const archive = hash('box', 'acc', 'Archiv')
    const counter = (db.prepare('SELECT counter FROM box_changes WHERE box = ?').get(archive) as { counter: number })
      .counter
    // The Archiv folder is small (no snapshot of its own): give it the INBOX's snapshot at its current counter.
    db.prepare('INSERT INTO list_snapshots (box, counter, blob) VALUES (?, ?, ?)').run(archive, counter, blob)
    const damaged = Buffer.from(blob)
    damaged[100]! ^= 1
    db.prepare('UPDATE list_snapshots SET blob = ? WHERE box = ?').run(damaged, inbox)
    db.close()
    expect(snapshot()).toBeNull()
    const again = new MailStore(dir, key)
    expect(listed(again)).toEqual(before)
    expect(again.list({ account: 'acc', folder: 'Archiv' }).map((r) => r.subject)).toEqual(['Archiviert'])
    again.close()
  })
})

describe('message store schema step 3', () => {
  it('a store of step 2 opens, lists its rows, counts changes and keeps a snapshot from then on', () => {
    const path = join(dir, 'messages.sqlite')
    const old = openVersionedDatabase(path, mailStoreMigrations.slice(0, 2))
    const ids = insertOldLayoutRows(old, key, inbox, n, mail).reverse()
    expect(schemaVersion(old)).toBe(2)
    old.close()

    const store = new MailStore(dir, key)
    expect(store.list({ account: 'acc', folder: 'INBOX' }).map((r) => r.id)).toEqual(ids)
    store.close()
    const db = new DatabaseSync(path)
    expect(schemaVersion(db)).toBe(mailStoreMigrations.length)
    expect(db.prepare('SELECT counter FROM box_changes WHERE box = ?').get(inbox)).toEqual({ counter: 1 })
    db.close()
    expect(snapshot()?.map((r) => r.id)).toEqual(ids)

    const again = new MailStore(dir, key)
    const added = again.add('acc', 'INBOX', '1', n + 1, mail(n + 1), new Date())!
    crash(again)
    expect(snapshot()).toBeNull()
    const next = new MailStore(dir, key)
    expect(next.list({ account: 'acc', folder: 'INBOX' }).map((r) => r.id)).toEqual([added, ...ids])
    next.close()
  })
})

describe('message store schema step 4', () => {
  const counter = () => {
    const db = new DatabaseSync(join(dir, 'messages.sqlite'))
    try {
      return (db.prepare('SELECT counter FROM box_changes WHERE box = ?').get(inbox) as { counter: number }).counter
    } finally {
      db.close()
    }
  }

  it('a store of step 3 keeps its current snapshot; new rows count once per transaction, before its commit', () => {
    const path = join(dir, 'messages.sqlite')
    const old = openVersionedDatabase(path, mailStoreMigrations.slice(0, 3))
    old.close()
    const three = new MailStore(dir, key)
    expect(schemaVersion((three as unknown as { db: DatabaseSync }).db)).toBe(mailStoreMigrations.length)
    fill(three)
    three.close()
    const kept = snapshot()
    expect(kept).toHaveLength(n)
    const db = new DatabaseSync(path)
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all()
    db.close()
    expect(triggers.map((t) => (t as { name: string }).name)).toEqual([
      'messages_delete_counts',
      'messages_update_counts',
      'messages_update_moves',
    ])

    const store = new MailStore(dir, key)
    const before = counter()
    expect(store.list({ account: 'acc', folder: 'INBOX' })).toHaveLength(n)
    // A transaction of many new rows counts once; one without a commit counts nothing and keeps no row.
    fill(store, 50, n + 1)
    expect(counter()).toBe(before + 1)
    expect(() =>
      store.transaction(() => {
        store.add('acc', 'INBOX', '1', 5000, mail(5000), new Date())
        throw new Error('cut off')
      }),
    ).toThrow('cut off')
    expect(counter()).toBe(before + 1)
    // A single add outside a transaction brings its own, with the count in it.
    store.add('acc', 'INBOX', '1', 6000, mail(6000), new Date())
    expect(counter()).toBe(before + 2)
    // Stored already: no row, no count.
    expect(store.add('acc', 'INBOX', '1', 6000, mail(6000), new Date())).toBeNull()
    expect(counter()).toBe(before + 2)
    crash(store)
    expect(snapshot()).toBeNull()
    const again = new MailStore(dir, key)
    expect(
      again
        .list({ account: 'acc', folder: 'INBOX' })
        .map((r) => r.uid)
        .sort((a, b) => a - b),
    ).toEqual([...Array.from({ length: n + 50 }, (_, i) => i + 1), 6000])
    again.close()
  })

  it('a listing inside an open batch shows committed rows at most, and its snapshot is outdated by the commit', () => {
    const store = new MailStore(dir, key)
    fill(store)
    store.close()
    const open = new MailStore(dir, key)
    const batch = open.batch()
    batch.run(() => open.add('acc', 'INBOX', '1', n + 1, mail(n + 1), new Date()), 100)
    // Before the commit the folder's counter is the committed one: a first listing may show the committed rows from
    // the snapshot (as any other connection sees them) or read the open batch's row as well; nothing else.
    expect([n, n + 1]).toContain(open.list({ account: 'acc', folder: 'INBOX' }).length)
    batch.run(() => open.add('acc', 'INBOX', '1', n + 2, mail(n + 2), new Date()), 100)
    batch.commit()
    expect(snapshot()).toBeNull()
    crash(open)
    const again = new MailStore(dir, key)
    expect(again.list({ account: 'acc', folder: 'INBOX' })).toHaveLength(n + 2)
    again.close()
  })
})
