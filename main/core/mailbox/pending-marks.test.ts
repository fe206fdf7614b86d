import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import { MailStore } from './mail-store.ts'
import { PendingMarks, pendingMarksFileName, withWaitingMarks } from './pending-marks.ts'

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

describe('flag changes waiting for the server', () => {
  it('are kept sealed beside the store and read again after a restart; a change back drops the wait', () => {
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
    const bytes = readFileSync(join(dir, pendingMarksFileName))
    expect(bytes.includes(Buffer.from(id))).toBe(false)
    expect(bytes.includes(Buffer.from('flagged'))).toBe(false)

    // Back to what the server has: nothing waits for that mark any more.
    queue.add(store.get(id)!, 'seen')
    expect(queue.all().get(id)).toEqual({ flagged: true })
    queue.drop(id, 'flagged', false)
    expect(queue.all().get(id)).toEqual({ flagged: true })
    queue.drop(id, 'flagged', true)
    expect(queue.all().size).toBe(0)
    expect(existsSync(join(dir, pendingMarksFileName))).toBe(false)
    store.close()
  })

  it('a move to Trash waits too, but deleting for good (a message in Trash) is never queued', () => {
    const store = new MailStore(dir, key)
    const inbox = store.add('kanzlei', 'INBOX', '7', 4, mail, new Date())!
    const trash = store.add('kanzlei', 'Papierkorb', '9', 1, mail, new Date())!
    const queue = new PendingMarks(store)
    expect(queue.trash(store.get(inbox)!)).toBe(true)
    expect(queue.trash(store.get(trash)!)).toBe(false)
    expect([...queue.all()]).toEqual([[inbox, { trash: true }]])
    const shown = withWaitingMarks(store.get(inbox)!, queue.all().get(inbox))
    expect(shown.waiting).toEqual(['trash'])
    expect(shown.row.flags).toEqual([])
    store.close()
  })

  it('a damaged queue file is STORE_DAMAGED, never an empty queue', () => {
    const store = new MailStore(dir, key)
    writeFileSync(join(dir, pendingMarksFileName), Buffer.from('not sealed'))
    const error = (() => {
      try {
        return new PendingMarks(store).all()
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(SiegelpostError)
    expect((error as SiegelpostError).code).toBe('STORE_DAMAGED')
    store.close()
  })
})
