import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { limits } from '../limits.ts'
import type { ImapSession } from '../transport/imap-session.ts'
import { setFlagOn, trashOn } from './actions.ts'
import { MailStore } from './mail-store.ts'
import { holdWriteLock, timedTicks } from '../../../test/helpers/store-lock.ts'

/**
 * Writes of the app's connection while another process (here a child holding BEGIN IMMEDIATE) has the store's write
 * lock: the event loop keeps running, the write lands once the lock is free, and past `limits.storeBusyRetryMs` it
 * ends with a coded error and nothing written.
 */
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-busy-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = Buffer.alloc(32, 9)
const mail = Buffer.from(
  'From: Kanzlei <info@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: Bescheid\r\n' +
    'Date: Wed, 25 Nov 2026 10:00:00 +0100\r\n\r\nText\r\n',
)

/** Runs `action` while the lock is held past a retry window of 600 ms. */
async function pastRetries<T>(path: string, action: () => Promise<T>): Promise<T> {
  const retries = limits.storeBusyRetryMs
  ;(limits as { storeBusyRetryMs: number }).storeBusyRetryMs = 600
  const stuck = holdWriteLock(path, 60_000)
  try {
    await stuck.locked
    return await action()
  } finally {
    ;(limits as { storeBusyRetryMs: number }).storeBusyRetryMs = retries
    stuck.child.kill()
    await stuck.exited
  }
}

/** An IMAP session that has message `uid` in a folder of UIDVALIDITY 7 and takes every STORE and MOVE. */
function serverSession(uid: number) {
  const client = {
    usable: true,
    mailbox: { uidValidity: 7n },
    getMailboxLock: async () => ({ release: () => undefined }),
    search: async () => [uid],
    messageFlagsAdd: async () => true,
    list: async () => [{ path: 'Trash', name: 'Trash', specialUse: '\\Trash' }],
    messageMove: async () => ({ uidMap: new Map([[uid, 40]]), uidValidity: 11n }),
  }
  return { client } as unknown as ImapSession
}

describe('store writes while another process holds the write lock', () => {
  it('a flag the server took waits for the store without blocking; too long is STORE_BUSY_SERVER_DONE', async () => {
    const store = new MailStore(dir, key)
    const id = store.add('kanzlei', 'INBOX', '7', 3, mail, new Date())!
    const held = holdWriteLock(store.path, 2500)
    await held.locked
    const { result, longest, took } = await timedTicks(() =>
      setFlagOn(serverSession(3), store, store.get(id)!, 'flagged'),
    )
    // It waited for the lock (not a write past it), the event loop ran on meanwhile, and the flag is stored.
    expect(took).toBeGreaterThan(1500)
    expect(longest).toBeLessThan(1000)
    expect(result.flags).toEqual(['\\Flagged'])
    expect(store.get(id)!.flags).toEqual(['\\Flagged'])
    await held.exited

    const error = await pastRetries(store.path, () =>
      setFlagOn(serverSession(3), store, store.get(id)!, 'seen').then(
        () => null,
        (e: unknown) => e,
      ),
    )
    expect(error).toMatchObject({
      code: 'STORE_BUSY_SERVER_DONE',
      params: { action: 'flag seen', id, path: store.path },
    })
    // The store is as before: the next sync brings the server's \Seen.
    expect(store.get(id)!.flags).toEqual(['\\Flagged'])
    store.close()
    const again = new MailStore(dir, key)
    expect(again.get(id)!.flags).toEqual(['\\Flagged'])
    again.close()
  }, 30_000)

  it('a move to Trash the server took moves the row once the lock is free; too long leaves the row', async () => {
    const store = new MailStore(dir, key)
    const first = store.add('kanzlei', 'INBOX', '7', 3, mail, new Date())!
    const second = store.add('kanzlei', 'INBOX', '7', 4, mail, new Date())!
    const held = holdWriteLock(store.path, 2500)
    await held.locked
    const { result, longest, took } = await timedTicks(() => trashOn(serverSession(3), store, store.get(first)!))
    expect(took).toBeGreaterThan(1500)
    expect(longest).toBeLessThan(1000)
    expect(result).toBe('Trash')
    expect(store.get(first)).toMatchObject({ folder: 'Trash', uid: 40, uidValidity: '11' })
    await held.exited

    await expect(
      pastRetries(store.path, () => trashOn(serverSession(4), store, store.get(second)!)),
    ).rejects.toMatchObject({ code: 'STORE_BUSY_SERVER_DONE', params: { action: 'delete', id: second } })
    expect(store.get(second)).toMatchObject({ folder: 'INBOX', uid: 4 })
    expect(store.list({ account: 'kanzlei', folder: 'INBOX' }).map((row) => row.id)).toEqual([second])
    store.close()
  }, 30_000)

  it("a sync's batch begins once the lock is free without blocking; too long is STORE_BUSY and stores nothing", async () => {
    const store = new MailStore(dir, key)
    const batch = store.batch()
    const held = holdWriteLock(store.path, 2500)
    await held.locked
    const { longest, took } = await timedTicks(() => batch.ready())
    expect(took).toBeGreaterThan(1500)
    expect(longest).toBeLessThan(1000)
    batch.run(() => store.add('kanzlei', 'INBOX', '7', 1, mail, new Date()), mail.length)
    batch.commit()
    await held.exited
    expect(store.count()).toBe(1)

    const late = store.batch()
    await expect(pastRetries(store.path, () => late.ready())).rejects.toMatchObject({
      code: 'STORE_BUSY',
      params: { path: store.path },
    })
    // The folder state of a sync's end: the same wait, the same error, nothing written.
    const state = { uidValidity: '7', highestModseq: null, uidNext: 2, synced: new Date().toISOString() }
    await expect(
      pastRetries(store.path, () => store.soon(() => store.setFolderState('kanzlei', 'INBOX', state))),
    ).rejects.toMatchObject({ code: 'STORE_BUSY' })
    expect(store.folderState('kanzlei', 'INBOX')).toBeNull()
    expect(store.count()).toBe(1)
    store.close()
  }, 30_000)
})
