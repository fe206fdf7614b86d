import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Outbox, outboxFileName, type OutboxEnvelope } from './outbox.ts'

let dir: string
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sp-outbox-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = randomBytes(32)
const open = (owner = '100', alive: string[] = []) => new Outbox({ profileDir: dir, key, now: () => new Date(), owner, isAlive: (o) => alive.includes(o) })
const envelope: OutboxEnvelope = { account: 'Kanzlei', from: 'advisor@kanzlei.test', recipients: ['geheim.mandant@firma.de'], subject: 'Steuerbescheid Müller', messageId: '<x@kanzlei.test>', isEndToEnd: false }
const message = Buffer.from('Subject: Steuerbescheid Müller\r\n\r\nStreng vertraulicher Inhalt\r\n')

describe('Outbox', () => {
  it('keeps message bytes, addresses, subjects and reasons encrypted; only ids, states and times in clear', () => {
    const outbox = open()
    const id = outbox.create(envelope, message)
    outbox.markHeld(id, { code: 'SMTP_REJECTED', params: { host: 'h', reply: '550 geheim.mandant@firma.de unknown' } })
    outbox.close()
    const onDisk = Buffer.concat(['', '-wal'].map((suffix) => { try { return readFileSync(join(dir, outboxFileName + suffix)) } catch { return Buffer.alloc(0) } }))
    for (const secret of ['Streng vertraulicher', 'Steuerbescheid', 'geheim.mandant', 'Kanzlei', 'kanzlei.test']) expect(onDisk.includes(secret), secret).toBe(false)
    expect(onDisk.includes(id)).toBe(true)
    const again = open()
    expect(again.message(id).equals(message)).toBe(true)
    expect(again.get(id)).toMatchObject({ state: 'held', envelope, outcome: { reason: { code: 'SMTP_REJECTED' } } })
    again.close()
  })

  it('refuses to open entries under another key', () => {
    const outbox = open()
    const id = outbox.create(envelope, message)
    outbox.close()
    const other = new Outbox({ profileDir: dir, key: randomBytes(32), now: () => new Date(), owner: '1', isAlive: () => false })
    expect(() => other.get(id)).toThrow(/cannot be read|lässt sich nicht lesen/)
    other.close()
  })

  it('always creates a new entry, even for the same Message-ID', () => {
    const outbox = open()
    const a = outbox.create(envelope, message)
    const b = outbox.create(envelope, message)
    expect(a).not.toBe(b)
    expect(outbox.list()).toHaveLength(2)
    outbox.close()
  })

  it('after a crash, holds an entry caught in sending as possibly sent and releases a queued one once', () => {
    const crashed = open('200')
    const sending = crashed.create(envelope, message)
    crashed.claim(sending)
    crashed.markSending(sending)
    const queued = crashed.create(envelope, message)
    crashed.claim(queued)
    crashed.close()

    const next = open('300')
    expect(next.recover()).toEqual({ possiblySent: [sending], released: [queued] })
    expect(next.get(sending)).toMatchObject({ state: 'held', outcome: { reason: { code: 'OUTBOX_POSSIBLY_SENT', params: { id: sending } } } })
    expect(next.pendingRetries()).toEqual([queued])
    // The one more try is interrupted too: then it is held for the user, not retried forever.
    next.claim(queued)
    next.close()
    const third = open('400')
    expect(third.recover().released).toEqual([])
    expect(third.get(queued)).toMatchObject({ state: 'held', outcome: { reason: { code: 'OUTBOX_INTERRUPTED' } } })
    third.close()
  })

  it('leaves entries of a live process alone and will not let two processes claim one entry', () => {
    const first = open('500')
    const id = first.create(envelope, message)
    first.markSending(id)
    const second = open('600', ['500'])
    expect(second.recover()).toEqual({ possiblySent: [], released: [] })
    expect(() => second.drop(id)).toThrow()
    first.markHeld(id, { code: 'OUTBOX_POSSIBLY_SENT', params: { id } })
    first.close()
    expect(second.claim(id)).toBe(true)
    second.close()
  })

  it('refuses to retry a sent entry and drops held ones', () => {
    const outbox = open()
    const id = outbox.create(envelope, message)
    outbox.markSent(id, { version: 'TLSv1.3', cipher: 'x', requiretls: false })
    expect(() => outbox.claim(id)).toThrow(/"sent"|„sent“/)
    outbox.drop(id)
    expect(outbox.list()).toEqual([])
    expect(() => outbox.get(id)).toThrow()
    outbox.close()
  })
})
