import { createHmac, createSecretKey, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { Worker } from 'node:worker_threads'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { limits } from '../limits.ts'
import { readSnapshot } from './mail-list-snapshot.ts'
import { MailStore, mailStoreFileName } from './mail-store.ts'
import { openStoreWriter } from './store-writer.ts'

const entry = new URL('../../workers/mail-store.worker.ts', import.meta.url)
const message = (i: number) =>
  Buffer.from(`From: Kanzlei <a@kanzlei.test>\r\nSubject: Akte ${i}\r\n\r\nVertraulicher Inhalt ${i}\r\n`)

describe('store writer thread', () => {
  let dir: string
  let store: MailStore
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sp-writer-'))
    store = new MailStore(dir, randomBytes(32))
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores every handed-over message once, sealed, readable through the main connection', async () => {
    store.add('a', 'INBOX', '7', 3, message(3), new Date()) // stored already: written, not stored again
    const progress: number[] = []
    const writer = openStoreWriter(
      new Worker(entry),
      store,
      { account: 'a', folder: 'INBOX', uidValidity: '7' },
      () => new Date(),
      (count) => progress.push(count),
    )
    for (let uid = 1; uid <= 300; uid++)
      await writer.add(uid, message(uid), uid % 2 ? ['\\Seen'] : [], new Date(Date.UTC(2026, 0, uid)))
    expect(writer.add(301, message(301), [], null)).toBeUndefined()
    const stored = await writer.finish()
    expect(stored.map((s) => s.uid)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1).filter((uid) => uid !== 3))
    expect(progress.at(-1)).toBe(301)
    // The thread copied its WAL into the database file when it ended (once, not every 1000 pages).
    expect(statSync(join(dir, mailStoreFileName)).size).toBeGreaterThan(301 * 500)
    // Closing, the thread left a current sealed list snapshot of the folder: the app's next listing reads it.
    const { key } = store.writerSetup()
    const db = new DatabaseSync(join(dir, mailStoreFileName))
    const box = createHmac('sha256', key)
      .update(JSON.stringify(['box', 'a', 'INBOX']))
      .digest('hex')
    expect(readSnapshot(db, createSecretKey(key), box)?.map(({ row }) => row.uid)).toHaveLength(301)
    db.close()
    const rows = store.list({ account: 'a', folder: 'INBOX' })
    expect(rows).toHaveLength(301)
    expect(store.countOf('a', 'INBOX', '7')).toBe(301)
    const five = rows.find((r) => r.uid === 5)!
    expect(five).toMatchObject({ subject: 'Akte 5', flags: ['\\Seen'], uidValidity: '7' })
    expect(store.raw(five.id)).toEqual(message(5))
    for (const name of readdirSync(dir))
      expect(readFileSync(join(dir, name)).includes('Vertraulicher'), name).toBe(false)
  })

  it('a folder with rows and a current snapshot: the closing one has the old rows unchanged and the new', async () => {
    const before = limits.mailListSnapshotMinRows + 10
    store.transaction(() => {
      for (let uid = 1; uid <= before; uid++) store.add('a', 'INBOX', '7', uid, message(uid), new Date())
    })
    const flagged = store.list({ account: 'a', folder: 'INBOX' }).find((r) => r.uid === 2)!.id
    store.setFlags(flagged, ['\\Flagged'])
    store.close()
    store = new MailStore(dir, store.writerSetup().key as Buffer)
    const writer = openStoreWriter(
      new Worker(entry),
      store,
      { account: 'a', folder: 'INBOX', uidValidity: '7' },
      () => new Date(),
    )
    for (let uid = before + 1; uid <= before + 50; uid++) await writer.add(uid, message(uid), [], null)
    expect(await writer.finish()).toHaveLength(50)
    const { key } = store.writerSetup()
    const db = new DatabaseSync(join(dir, mailStoreFileName))
    const box = createHmac('sha256', key)
      .update(JSON.stringify(['box', 'a', 'INBOX']))
      .digest('hex')
    const kept = readSnapshot(db, createSecretKey(key), box)!.map(({ row }) => row)
    db.close()
    expect(kept.map((r) => r.uid)).toEqual(Array.from({ length: before + 50 }, (_, i) => before + 50 - i))
    expect(kept.find((r) => r.id === flagged)!.flags).toEqual(['\\Flagged'])
    expect(kept).toEqual(store.list({ account: 'a', folder: 'INBOX' }))
  })

  it('makes the FETCH wait while the thread is more than mailSyncWriterQueueBytes behind', async () => {
    const writer = openStoreWriter(
      new Worker(entry),
      store,
      { account: 'a', folder: 'F', uidValidity: '1' },
      () => new Date(),
    )
    const big = Buffer.concat([message(0), Buffer.alloc(1024 * 1024, 'x')])
    let waits = 0
    for (let uid = 1; uid <= 40; uid++) {
      const behind = writer.add(uid, big, [], null)
      if (behind) {
        waits++
        await behind
      }
    }
    expect(waits).toBeGreaterThan(0)
    expect(await writer.finish()).toHaveLength(40)
    expect(store.countOf('a', 'F', '1')).toBe(40)
  })

  it('reports a writer thread that ends before it is done, keeping what it committed', async () => {
    const worker = new Worker(entry)
    const writer = openStoreWriter(worker, store, { account: 'a', folder: 'INBOX', uidValidity: '7' }, () => new Date())
    await writer.add(1, message(1), [], null)
    await worker.terminate()
    await expect(writer.finish()).rejects.toThrow(/ended/)
    expect(store.countOf('a', 'INBOX', '7')).toBe(0)
  })
})
