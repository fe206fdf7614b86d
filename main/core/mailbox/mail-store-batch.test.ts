import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { limits } from '../limits.ts'
import { StoreTransactions, tuneForBatches, writeBatch } from './mail-store-batch.ts'

/** A database that counts the batch's commits and how many rows each held. */
function counted() {
  const db = new DatabaseSync(':memory:')
  db.exec('CREATE TABLE t (n INTEGER)')
  const sizes: number[] = []
  let rows = 0
  const exec = db.exec.bind(db)
  db.exec = (sql: string) => {
    if (sql === 'COMMIT') {
      sizes.push(rows)
      rows = 0
    }
    return exec(sql)
  }
  const insert = db.prepare('INSERT INTO t (n) VALUES (?)')
  const write = (i: number) => () => {
    insert.run(i)
    rows++
  }
  return { db, sizes, write }
}

describe('write batch', () => {
  it('commits every mailSyncBatchMessages messages', () => {
    const { db, sizes, write } = counted()
    const batch = writeBatch(new StoreTransactions(db))
    for (let i = 0; i < 1000; i++) batch.run(write(i), 100)
    batch.commit()
    expect(sizes).toEqual([250, 250, 250, 250])
  })

  it('grown, the first commit comes as early and each batch doubles up to mailSyncWriterBatchMessages', () => {
    const { db, sizes, write } = counted()
    const batch = writeBatch(new StoreTransactions(db), true)
    const total = 250 + 500 + 1000 + 2000 + 2000 + 7
    for (let i = 0; i < total; i++) batch.run(write(i), 100)
    batch.commit()
    expect(limits.mailSyncWriterBatchMessages).toBe(2000)
    expect(sizes).toEqual([250, 500, 1000, 2000, 2000, 7])
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(total)
  })

  it('commits a grown batch at mailSyncBatchBytes as well, and a failed write rolls back only the open batch', () => {
    const { db, sizes, write } = counted()
    const batch = writeBatch(new StoreTransactions(db), true)
    for (let i = 0; i < 300; i++) batch.run(write(i), 1024 * 1024)
    const perBytes = limits.mailSyncBatchBytes / (1024 * 1024)
    expect(sizes.every((size) => size === perBytes)).toBe(true)
    expect(() =>
      batch.run(() => {
        throw new Error('damaged')
      }, 1),
    ).toThrow('damaged')
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(sizes.length * perBytes)
  })
})

describe('tuneForBatches', () => {
  it('checkpoints the WAL after the same number of bytes whatever the page size of the file', () => {
    for (const pageSize of [4096, 16 * 1024]) {
      const db = new DatabaseSync(':memory:')
      db.exec(`PRAGMA page_size = ${pageSize}`)
      db.exec('CREATE TABLE t (x)')
      tuneForBatches(db)
      const { wal_autocheckpoint: pages } = db.prepare('PRAGMA wal_autocheckpoint').get() as {
        wal_autocheckpoint: number
      }
      expect(pages * pageSize).toBe(limits.mailSyncWriterCheckpointBytes)
      db.close()
    }
  })
})
