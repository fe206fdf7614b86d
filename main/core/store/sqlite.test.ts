import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeStep2QueuedEntry } from '../../../test/helpers/outbox-step2.ts'
import { mailStoreMigrations, MailStore } from '../transport/mail-store.ts'
import { outboxMigrations } from '../transport/outbox.ts'
import {
  migrate,
  openStoreDatabase,
  openVersionedDatabase,
  SchemaTooNewError,
  schemaVersion,
  type Migration,
} from './sqlite.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-sqlite-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const columns = (db: DatabaseSync, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((row) => row.name)

describe('versioned SQLite schema', () => {
  it('a store of a newer program and a damaged file are refused with the code the user sees, naming the file', () => {
    const newer = join(dir, 'newer.sqlite')
    const db = new DatabaseSync(newer)
    db.exec('PRAGMA user_version = 9')
    db.close()
    expect(() => openStoreDatabase(newer, outboxMigrations, 'OUTBOX_DAMAGED')).toThrow(
      expect.objectContaining({
        code: 'STORE_NEWER_FORMAT',
        params: expect.objectContaining({ path: newer, found: 9 }),
      }),
    )
    const damaged = join(dir, 'damaged.sqlite')
    writeFileSync(damaged, 'this is not a SQLite file, only text that looks like nothing at all'.repeat(100))
    expect(() => openStoreDatabase(damaged, mailStoreMigrations, 'STORE_DAMAGED')).toThrow(
      expect.objectContaining({ code: 'STORE_DAMAGED', params: expect.objectContaining({ path: damaged }) }),
    )
  })

  it('runs each step once, in order, and records the version', () => {
    const ran: number[] = []
    const steps: Migration[] = [1, 2, 3].map((n) => () => void ran.push(n))
    const db = openVersionedDatabase(join(dir, 'a.sqlite'), steps.slice(0, 2))
    expect(schemaVersion(db)).toBe(2)
    migrate(db, steps)
    migrate(db, steps)
    expect(ran).toEqual([1, 2, 3])
    expect(schemaVersion(db)).toBe(3)
    db.close()
  })

  it('a failing step leaves the file at the last complete version with nothing of the failed step', () => {
    const db = openVersionedDatabase(join(dir, 'b.sqlite'), [(d) => d.exec('CREATE TABLE t (a TEXT) STRICT')])
    const failing: Migration = (d) => {
      d.exec('ALTER TABLE t ADD COLUMN b TEXT')
      throw new Error('disk full')
    }
    expect(() => migrate(db, [(d) => d.exec('CREATE TABLE t (a TEXT) STRICT'), failing])).toThrow('disk full')
    expect(schemaVersion(db)).toBe(1)
    expect(columns(db, 't')).toEqual(['a'])
    db.close()
  })

  it('a new file gets the asked page size; an existing file keeps its own and its rows', () => {
    const steps: Migration[] = [(db) => db.exec('CREATE TABLE t (x TEXT) STRICT')]
    const pageSize = (db: DatabaseSync) => (db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size
    const fresh = openVersionedDatabase(join(dir, 'fresh.sqlite'), steps, { pageSize: 16384 })
    expect(pageSize(fresh)).toBe(16384)
    fresh.close()
    const old = openVersionedDatabase(join(dir, 'old.sqlite'), steps)
    old.prepare('INSERT INTO t (x) VALUES (?)').run('kept')
    expect(pageSize(old)).toBe(4096)
    old.close()
    const again = openVersionedDatabase(join(dir, 'old.sqlite'), steps, { pageSize: 16384 })
    expect(pageSize(again)).toBe(4096)
    expect(again.prepare('SELECT x FROM t').all()).toEqual([{ x: 'kept' }])
    again.close()
  })

  it('refuses a file written by a newer program', () => {
    const path = join(dir, 'c.sqlite')
    openVersionedDatabase(path, [() => {}, () => {}]).close()
    expect(() => openVersionedDatabase(path, [() => {}])).toThrow(SchemaTooNewError)
  })
})

describe('Outbox migrations', () => {
  it('step 1 creates the outbox table on a new file and keeps an existing wave-1 table and its rows', () => {
    const path = join(dir, 'outbox.sqlite')
    const old = new DatabaseSync(path)
    outboxMigrations[0]!(old)
    old
      .prepare(
        "INSERT INTO outbox (id, state, created, updated, envelope, message) VALUES ('x', 'held', 'c', 'u', x'00', x'00')",
      )
      .run()
    expect(schemaVersion(old)).toBe(0)
    old.close()
    const db = openVersionedDatabase(path, outboxMigrations)
    expect(schemaVersion(db)).toBe(outboxMigrations.length)
    expect(columns(db, 'outbox')).toEqual([
      'id',
      'state',
      'created',
      'updated',
      'attempts',
      'owner',
      'envelope',
      'message',
      'outcome',
      'group_id',
      'message_file',
    ])
    expect(db.prepare('SELECT id FROM outbox').all()).toEqual([{ id: 'x' }])
    db.close()
  })
})

describe('message store migrations', () => {
  it('step 1 creates the messages table, and the store opens an unversioned wave-1 file without losing a message', () => {
    const path = join(dir, 'messages.sqlite')
    const old = new DatabaseSync(path)
    mailStoreMigrations[0]!(old)
    old.close()
    const key = Buffer.alloc(32, 7)
    const store = new MailStore(dir, key)
    const id = store.add('acc', 'INBOX', '1', 1, Buffer.from('Subject: x\r\n\r\nbody'), new Date())
    expect(id).not.toBeNull()
    store.close()
    const again = new MailStore(dir, key)
    expect(again.raw(id!)?.toString()).toContain('body')
    again.close()
    const db = new DatabaseSync(path)
    expect(schemaVersion(db)).toBe(mailStoreMigrations.length)
    db.close()
  })
})

describe('Outbox migration step 3 (message files)', () => {
  it('a file of step 2 with a queued message opens, keeps the entry and reads its message as before', async () => {
    const { Outbox, outboxFileName } = await import('../transport/outbox.ts')
    const key = Buffer.alloc(32, 7)
    const path = join(dir, outboxFileName)
    const envelope = {
      account: 'a',
      from: 'advisor@kanzlei.test',
      recipients: ['client@mandant.test'],
      subject: 'Alt',
      messageId: '<old@kanzlei.test>',
      isEndToEnd: false,
    }
    const message = Buffer.from('From: advisor@kanzlei.test\r\nTo: client@mandant.test\r\n\r\nqueued before\r\n')
    writeStep2QueuedEntry(path, key, envelope, message)
    const outbox = new Outbox({ profileDir: dir, key, now: () => new Date(), owner: '1', isAlive: () => false })
    outbox.close()
    const db = new DatabaseSync(path)
    expect(schemaVersion(db)).toBe(3)
    expect(columns(db, 'outbox').at(-1)).toBe('message_file')
    expect(columns(db, 'outbox_group').at(-1)).toBe('sent_item_file')
    expect(db.prepare('SELECT id, state, message_file FROM outbox').all()).toEqual([
      { id: 'old', state: 'queued', message_file: 0 },
    ])
    db.close()
    const again = new Outbox({ profileDir: dir, key, now: () => new Date(), owner: '1', isAlive: () => false })
    expect(again.pendingRetries()).toEqual(['old'])
    expect(again.message('old').equals(message)).toBe(true)
    const reader = again.messageOf('old')
    const parts: Buffer[] = []
    for await (const part of reader.records()) parts.push(part)
    expect(reader.length).toBe(message.length)
    expect(Buffer.concat(parts).equals(message)).toBe(true)
    again.close()
  })
})
