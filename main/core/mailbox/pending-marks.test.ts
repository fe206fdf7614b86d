import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { sealJson } from '../store/sealed-blob.ts'
import { openVersionedDatabase, schemaVersion } from '../store/sqlite.ts'
import { MailStore, mailStoreFileName, mailStoreMigrations } from './mail-store.ts'
import type { ImapSession } from '../transport/imap-session.ts'
import {
  flushPendingMarks,
  PendingMarks,
  pendingMarksFileName,
  pendingMarksOf,
  withWaitingMarks,
} from './pending-marks.ts'
import { holdWriteLock, timedTicks } from '../../../test/helpers/store-lock.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-pending-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = Buffer.alloc(32, 7)
const mail = Buffer.from(
  'From: Kanzlei <info@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: Steuerbescheid\r\n' +
    'Date: Wed, 25 Nov 2026 10:00:00 +0100\r\n\r\nText\r\n',
)
const rowsOnDisk = () => {
  const db = new DatabaseSync(join(dir, mailStoreFileName))
  try {
    return db.prepare('SELECT ref, intent FROM pending_marks').all() as { ref: string; intent: Uint8Array }[]
  } finally {
    db.close()
  }
}
const thrown = (fn: () => unknown) => {
  try {
    fn()
    return null
  } catch (error) {
    return error
  }
}
/** A queue file as the version before the store's step 5 wrote it. */
const writeLegacyFile = (marks: Record<string, Record<string, boolean>>) =>
  writeFileSync(join(dir, pendingMarksFileName), sealJson(key, marks, 'siegelpost/messages/v1/pending-marks'))

describe('flag changes waiting for the server', () => {
  it('are kept sealed in the store and read again after a restart; a change back drops the wait', () => {
    let store = new MailStore(dir, key)
    const id = store.add('kanzlei', 'INBOX', '7', 3, mail, new Date(), { flags: ['\\Seen'] })!
    let queue = new PendingMarks(store)
    queue.add(store.get(id)!, 'flagged')
    queue.add(store.get(id)!, 'unseen')
    store.close()

    store = new MailStore(dir, key)
    queue = new PendingMarks(store)
    expect(queue.all().get(id)).toEqual({ flagged: true, seen: false })
    const shown = withWaitingMarks(store.get(id)!, queue.all().get(id))
    expect(shown.waiting).toEqual(['seen', 'flagged'])
    expect(shown.row.flags).toEqual(['\\Flagged'])
    // The store still holds the server's flags: the change is written there first.
    expect(store.get(id)!.flags).toEqual(['\\Seen'])
    // Neither the message nor the mark is readable in the rows: a keyed hash and sealed bytes.
    const rows = rowsOnDisk()
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.ref).toMatch(/^[0-9a-f]{64}$/)
      const bytes = Buffer.from(row.intent)
      for (const word of [id, 'flagged', 'seen', 'wanted']) expect(bytes.includes(Buffer.from(word))).toBe(false)
    }
    for (const file of [mailStoreFileName, `${mailStoreFileName}-wal`].map((f) => join(dir, f)))
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from('flagged'))).toBe(false)
    expect(existsSync(join(dir, pendingMarksFileName))).toBe(false)

    // Back to what the server has: nothing waits for that mark any more.
    queue.add(store.get(id)!, 'seen')
    expect(queue.all().get(id)).toEqual({ flagged: true })
    queue.drop(id, 'flagged', false)
    expect(queue.all().get(id)).toEqual({ flagged: true })
    queue.drop(id, 'flagged', true)
    expect(queue.all().size).toBe(0)
    expect(rowsOnDisk()).toEqual([])
    store.close()
  })

  it('a move to Trash waits too, but deleting for good (a message in Trash) is never queued', async () => {
    const store = new MailStore(dir, key)
    const inbox = store.add('kanzlei', 'INBOX', '7', 4, mail, new Date())!
    const trash = store.add('kanzlei', 'Papierkorb', '9', 1, mail, new Date())!
    const queue = new PendingMarks(store)
    expect(await queue.trash(store.get(inbox)!)).toBe(true)
    expect(await queue.trash(store.get(trash)!)).toBe(false)
    expect([...queue.all()]).toEqual([[inbox, { trash: true }]])
    const shown = withWaitingMarks(store.get(inbox)!, queue.all().get(inbox))
    expect(shown.waiting).toEqual(['trash'])
    expect(shown.row.flags).toEqual([])
    store.close()
  })

  it('a damaged row or a damaged queue file of an earlier version is STORE_DAMAGED, never an empty queue', () => {
    const store = new MailStore(dir, key)
    const id = store.add('kanzlei', 'INBOX', '7', 3, mail, new Date())!
    new PendingMarks(store).add(store.get(id)!, 'flagged')
    const db = new DatabaseSync(join(dir, mailStoreFileName))
    db.exec("UPDATE pending_marks SET intent = x'0102'")
    db.close()
    expect(thrown(() => new PendingMarks(store).all())).toMatchObject({ code: 'STORE_DAMAGED' })

    writeFileSync(join(dir, pendingMarksFileName), Buffer.from('not sealed'))
    const error = thrown(() => new PendingMarks(store).all())
    expect(error).toBeInstanceOf(SiegelpostError)
    expect(error).toMatchObject({ code: 'STORE_DAMAGED', params: { path: join(dir, pendingMarksFileName) } })
    expect(existsSync(join(dir, pendingMarksFileName))).toBe(true)
    store.close()
  })

  it('two processes queueing at the same time (the CLI and the app) lose no mark', async () => {
    const store = new MailStore(dir, key)
    const perProcess = 60
    const ids = Array.from({ length: 2 * perProcess }, (_, i) =>
      store.add('kanzlei', 'INBOX', '7', i + 1, mail, new Date())!,
    )
    store.close()
    const module = (name: string) => pathToFileURL(join(import.meta.dirname, name)).href
    const go = join(dir, 'go')
    const script = join(dir, 'queue.ts')
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs'
import { MailStore } from '${module('mail-store.ts')}'
import { PendingMarks } from '${module('pending-marks.ts')}'
const [profile, go, keyHex, ...ids] = process.argv.slice(2)
const store = new MailStore(profile, Buffer.from(keyHex, 'hex'))
const queue = new PendingMarks(store)
process.stdout.write('ready\\n')
while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2))
for (const [i, id] of ids.entries()) {
  if (i % 3 === 2) queue.trash(store.get(id))
  else queue.add(store.get(id), i % 3 === 0 ? 'flagged' : 'seen')
}
store.close()
`,
    )
    const run = (part: string[]) => {
      const child = spawn(process.execPath, [script, dir, go, key.toString('hex'), ...part], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      return { ready, exited }
    }
    // Interleaved: each process queues every other message, so both write during the whole run.
    const parts = [ids.filter((_, i) => i % 2 === 0), ids.filter((_, i) => i % 2 === 1)]
    const a = run(parts[0]!)
    const b = run(parts[1]!)
    await Promise.all([a.ready, b.ready])
    writeFileSync(go, '')
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0])

    const again = new MailStore(dir, key)
    const all = new PendingMarks(again).all()
    expect(all.size).toBe(ids.length)
    for (const part of parts)
      for (const [i, id] of part.entries())
        expect(all.get(id)).toEqual(i % 3 === 2 ? { trash: true } : i % 3 === 0 ? { flagged: true } : { seen: true })
    again.close()
  }, 60_000)

  it('a mark queued while a sync batch is open is committed at once: the batch rolling back or a quit keeps it', () => {
    let store = new MailStore(dir, key)
    const id = store.add('kanzlei', 'INBOX', '7', 1, mail, new Date())!
    const queue = pendingMarksOf(store)
    const batch = store.batch()
    const uids = [2, 3, 4]
    batch.run(() => store.add('kanzlei', 'INBOX', '7', uids[0]!, mail, new Date()), 1)
    queue.add(store.get(id)!, 'flagged')
    // The batch goes on in a transaction of its own, which rolls back.
    expect(() =>
      batch.run(() => {
        store.add('kanzlei', 'INBOX', '7', uids[1]!, mail, new Date())
        throw new Error('write failed')
      }, 1),
    ).toThrow('write failed')
    expect(queue.all().get(id)).toEqual({ flagged: true })
    expect(rowsOnDisk()).toHaveLength(1)

    // A batch left open when the program quits: the mark queued meanwhile is on disk all the same.
    batch.run(() => store.add('kanzlei', 'INBOX', '7', uids[2]!, mail, new Date()), 1)
    queue.add(store.get(id)!, 'seen')
    const other = new MailStore(dir, key)
    expect(pendingMarksOf(other).all().get(id)).toEqual({ flagged: true, seen: true })
    other.close()
    store.close()
    store = new MailStore(dir, key)
    expect(pendingMarksOf(store).all().get(id)).toEqual({ flagged: true, seen: true })
    store.close()
  })

  it('while another process holds the write lock, queueing yields to the event loop; too long is STORE_BUSY', async () => {
    const store = new MailStore(dir, key)
    const id = store.add('kanzlei', 'INBOX', '7', 1, mail, new Date())!
    const queue = pendingMarksOf(store)
    const hold = (ms: number) => holdWriteLock(store.path, ms)
    const held = hold(2500)
    await held.locked
    const { longest, took } = await timedTicks(() => queue.add(store.get(id)!, 'flagged'))
    // It waited for the lock (not a write past it) and the event loop ran on meanwhile.
    expect(took).toBeGreaterThan(1500)
    expect(longest).toBeLessThan(1000)
    expect(queue.all().get(id)).toEqual({ flagged: true })
    await held.exited

    // Held past the retries: STORE_BUSY naming the store, and nothing changed.
    const retries = limits.storeBusyRetryMs
    ;(limits as { storeBusyRetryMs: number }).storeBusyRetryMs = 600
    const stuck = hold(60_000)
    try {
      await stuck.locked
      await expect(queue.add(store.get(id)!, 'seen')).rejects.toMatchObject({
        code: 'STORE_BUSY',
        params: { path: store.path },
      })
    } finally {
      ;(limits as { storeBusyRetryMs: number }).storeBusyRetryMs = retries
      stuck.child.kill()
      await stuck.exited
    }
    expect(queue.all().get(id)).toEqual({ flagged: true })
    store.close()
  }, 30_000)

  it('a connection lost while a mark is written leaves it as being written: a change back then still queues', async () => {
    const store = new MailStore(dir, key)
    const id = store.add('kanzlei', 'INBOX', '7', 3, mail, new Date())!
    const queue = pendingMarksOf(store)
    await queue.add(store.get(id)!, 'flagged')
    // A session whose connection breaks during the STORE (the server may have taken it, or not).
    const client = {
      usable: true,
      mailbox: { uidValidity: 7n },
      getMailboxLock: async () => ({ release: () => undefined }),
      search: async () => [3],
      messageFlagsAdd: async () => {
        client.usable = false
        throw new Error('Connection closed')
      },
    }
    const session = { client } as unknown as ImapSession
    await expect(flushPendingMarks(session, store, 'kanzlei')).rejects.toThrow('Connection closed')
    expect(store.pending.get(id, 'flagged')).toMatchObject({ wanted: true, isApplying: true })
    // The user unflags: the server may have the flag, so the unflag waits rather than cancelling.
    await queue.add(store.get(id)!, 'unflagged')
    expect(queue.all().get(id)).toEqual({ flagged: false })
    store.close()
  })

  it('two connections on one file: a mark being written is never cancelled by a change back; it waits again', () => {
    const app = new MailStore(dir, key)
    const cli = new MailStore(dir, key)
    const id = app.add('kanzlei', 'INBOX', '7', 3, mail, new Date())!
    const appQueue = pendingMarksOf(app)
    const cliQueue = pendingMarksOf(cli)
    appQueue.add(app.get(id)!, 'flagged')
    expect(cliQueue.all().get(id)).toEqual({ flagged: true })

    // The CLI's fetch takes the mark to write it to the server ...
    const taken = cli.pending.take(id, 'flagged')!
    expect(taken).toMatchObject({ wanted: true, isApplying: true })
    // ... while the window unflags again: the server may still get the flag, so the unflag waits, not nothing.
    appQueue.add(app.get(id)!, 'unflagged')
    expect(appQueue.all().get(id)).toEqual({ flagged: false })
    cli.setFlags(id, ['\\Flagged'])
    // The CLI removes only what it took: the window's newer intent stays.
    expect(cli.pending.settle(taken)).toBe(false)
    expect(cliQueue.all().get(id)).toEqual({ flagged: false })

    // Three changes back while the CLI writes the unflag: the last one (flagged, the store's state) still waits.
    const writing = cli.pending.take(id, 'flagged')!
    expect(writing).toMatchObject({ wanted: false, isApplying: true })
    appQueue.add(app.get(id)!, 'flagged')
    appQueue.add(app.get(id)!, 'unflagged')
    appQueue.add(app.get(id)!, 'flagged')
    cli.setFlags(id, [])
    expect(cli.pending.settle(writing)).toBe(false)
    expect(cliQueue.all().get(id)).toEqual({ flagged: true })

    // Written twice, removed once: the second writer finds nothing to remove.
    const next = cli.pending.take(id, 'flagged')!
    const twice = app.pending.take(id, 'flagged')!
    expect(cli.pending.settle(next)).toBe(false)
    app.setFlags(id, ['\\Flagged'])
    expect(app.pending.settle(twice)).toBe(true)
    expect(app.pending.settle(twice)).toBe(false)
    expect(cliQueue.all().size).toBe(0)

    // A mark the server refused waits again, and a change back cancels it then.
    appQueue.add(app.get(id)!, 'seen')
    const refused = cli.pending.take(id, 'seen')!
    cli.pending.release(refused)
    appQueue.add(app.get(id)!, 'unseen')
    expect(cliQueue.all().size).toBe(0)
    app.close()
    cli.close()
  })
})

describe('message store schema step 5 (marks waiting for the server)', () => {
  it('a store of step 4 with a queue file takes the file in; the file goes only after the commit, never twice', () => {
    const path = join(dir, mailStoreFileName)
    openVersionedDatabase(path, mailStoreMigrations.slice(0, 4)).close()
    let store = new MailStore(dir, key)
    const a = store.add('kanzlei', 'INBOX', '7', 1, mail, new Date())!
    const b = store.add('kanzlei', 'INBOX', '7', 2, mail, new Date(), { flags: ['\\Seen'] })!
    const db = new DatabaseSync(path)
    expect(schemaVersion(db)).toBe(mailStoreMigrations.length)
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'pending%' ORDER BY name").all(),
    ).toEqual([{ name: 'pending_imports' }, { name: 'pending_marks' }])
    db.close()
    const file = join(dir, pendingMarksFileName)
    writeLegacyFile({ [a]: { flagged: true, seen: true }, [b]: { seen: false, trash: true } })
    const bytes = readFileSync(file)

    // Inside a sync's open batch the file is taken in by a commit of its own: the batch rolling back keeps it.
    const batch = store.batch()
    batch.run(() => store.add('kanzlei', 'INBOX', '7', 3, mail, new Date()), 1)
    expect(new PendingMarks(store).all().get(a)).toEqual({ flagged: true, seen: true })
    expect(existsSync(file)).toBe(false)
    expect(() =>
      batch.run(() => {
        throw new Error('cut off')
      }, 1),
    ).toThrow('cut off')
    expect(rowsOnDisk()).toHaveLength(4)

    const queue = new PendingMarks(store)
    expect(existsSync(file)).toBe(false)
    expect(Object.fromEntries(queue.all())).toEqual({
      [a]: { flagged: true, seen: true },
      [b]: { seen: false, trash: true },
    })
    // Written since; then the same file again (a crash between the commit and removing it): not taken in twice.
    queue.drop(a, 'flagged', true)
    writeFileSync(file, bytes)
    store.close()
    store = new MailStore(dir, key)
    expect(Object.fromEntries(pendingMarksOf(store).all())).toEqual({
      [a]: { seen: true },
      [b]: { seen: false, trash: true },
    })
    expect(existsSync(file)).toBe(false)

    // A file with other content (a process of the earlier version wrote it): taken in; a mark waiting in the store
    // already is the newer one.
    writeLegacyFile({ [a]: { seen: false, flagged: true } })
    expect(Object.fromEntries(new PendingMarks(store).all())).toEqual({
      [a]: { seen: true, flagged: true },
      [b]: { seen: false, trash: true },
    })
    expect(existsSync(file)).toBe(false)

    // A process of the earlier version writes the file again while it is taken in: the new file is taken in later,
    // never removed unread.
    const c = store.add('kanzlei', 'INBOX', '7', 4, mail, new Date())!
    writeLegacyFile({ [c]: { seen: true } })
    const note = store.pending.noteImported.bind(store.pending)
    store.pending.noteImported = (digest: string) => {
      note(digest)
      store.pending.noteImported = note
      writeLegacyFile({ [c]: { seen: true, flagged: true } })
    }
    new PendingMarks(store)
    expect(existsSync(file)).toBe(true)
    expect(rowsOnDisk()).toHaveLength(5)
    expect(pendingMarksOf(store).all().get(c)).toEqual({ seen: true, flagged: true })
    expect(existsSync(file)).toBe(false)
    store.close()

    // A file left renamed for taking in (the program quit before it was taken in) is taken in on the next open.
    const left = join(dir, `${pendingMarksFileName}.0123456789abcdef.taking`)
    writeFileSync(left, sealJson(key, { [b]: { flagged: true } }, 'siegelpost/messages/v1/pending-marks'))
    store = new MailStore(dir, key)
    expect(new PendingMarks(store).all().get(b)).toEqual({ seen: false, trash: true, flagged: true })
    expect(existsSync(left)).toBe(false)
    store.close()
  })
})
