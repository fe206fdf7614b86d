import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatabaseSync } from 'node:sqlite'
import { sealBlob, sealJson } from '../store/sealed-blob.ts'
import { openVersionedDatabase, schemaVersion } from '../store/sqlite.ts'
import { releaseBytes } from '../streaming/release.ts'
import { Outbox, outboxFileName, outboxMigrations, type OutboxEnvelope, type OutboxMessage } from './outbox.ts'

let dir: string
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sp-outbox-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = randomBytes(32)
const open = (owner = '100', alive: string[] = []) =>
  new Outbox({ profileDir: dir, key, now: () => new Date(), owner, isAlive: (o) => alive.includes(o) })
const envelope: OutboxEnvelope = {
  account: 'Kanzlei',
  from: 'advisor@kanzlei.test',
  recipients: ['geheim.mandant@firma.de'],
  subject: 'Steuerbescheid Müller',
  messageId: '<x@kanzlei.test>',
  isEndToEnd: false,
}
/** A message read record by record, as the APPEND reads it, put together (null stays null). */
async function whole(item: OutboxMessage | null): Promise<Buffer | null> {
  if (item === null) return null
  const records: Buffer[] = []
  for await (const record of item.records()) records.push(record)
  return Buffer.concat(records)
}
const message = Buffer.from('Subject: Steuerbescheid Müller\r\n\r\nStreng vertraulicher Inhalt\r\n')

describe('Outbox', () => {
  it('keeps message bytes, addresses, subjects and reasons encrypted; only ids, states and times in clear', () => {
    const outbox = open()
    const id = outbox.create(envelope, message)
    outbox.markHeld(id, { code: 'SMTP_REJECTED', params: { host: 'h', reply: '550 geheim.mandant@firma.de unknown' } })
    outbox.close()
    const onDisk = Buffer.concat(
      ['', '-wal'].map((suffix) => {
        try {
          return readFileSync(join(dir, outboxFileName + suffix))
        } catch {
          return Buffer.alloc(0)
        }
      }),
    )
    for (const secret of ['Streng vertraulicher', 'Steuerbescheid', 'geheim.mandant', 'Kanzlei', 'kanzlei.test'])
      expect(onDisk.includes(secret), secret).toBe(false)
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
    const other = new Outbox({
      profileDir: dir,
      key: randomBytes(32),
      now: () => new Date(),
      owner: '1',
      isAlive: () => false,
    })
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
    expect(next.get(sending)).toMatchObject({
      state: 'held',
      outcome: { reason: { code: 'OUTBOX_POSSIBLY_SENT', params: { id: sending } } },
    })
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

describe('Outbox groups (the copies of one mail)', () => {
  it('migration step 2 adds groups to a step-1 file and keeps its entries (not in any group)', () => {
    const path = join(dir, outboxFileName)
    const step1 = openVersionedDatabase(path, outboxMigrations.slice(0, 1))
    step1
      .prepare(
        "INSERT INTO outbox (id, state, created, updated, envelope, message) VALUES ('x', 'held', 'c', 'u', x'00', x'00')",
      )
      .run()
    step1.close()
    open().close()
    const db = new DatabaseSync(path)
    expect(schemaVersion(db)).toBe(outboxMigrations.length)
    expect(db.prepare('SELECT id, state, group_id FROM outbox').all()).toEqual([
      { id: 'x', state: 'held', group_id: null },
    ])
    expect(db.prepare('SELECT count(*) AS n FROM outbox_group').get()).toEqual({ n: 0 })
    db.close()
  })

  it('reads the message of an entry written before step 2 (in the entry row) and of one written after (in its own table)', () => {
    const path = join(dir, outboxFileName)
    const step1 = openVersionedDatabase(path, outboxMigrations.slice(0, 1))
    const ctx = (column: string) => `siegelpost/outbox/v1/old/${column}`
    step1
      .prepare(
        "INSERT INTO outbox (id, state, created, updated, envelope, message) VALUES ('old', 'held', 'c', 'u', ?, ?)",
      )
      .run(sealJson(key, envelope, ctx('envelope')), sealBlob(key, message, ctx('message')))
    step1.close()
    const outbox = open()
    expect(outbox.message('old').equals(message)).toBe(true)
    const id = outbox.create(envelope, Buffer.from('neu'))
    expect(outbox.message(id).toString()).toBe('neu')
    // A state change does not rewrite the message: it is not in the entry's row.
    outbox.markHeld(id, { code: 'OUTBOX_INTERRUPTED', params: { id } })
    outbox.drop(id)
    expect(() => outbox.message(id)).toThrow()
    outbox.close()
    const db = new DatabaseSync(path)
    expect(db.prepare('SELECT count(*) AS n FROM outbox_message').get()).toEqual({ n: 0 })
    db.close()
  })

  it('copies of a group that is still being prepared can be neither listed nor sent; finishing makes them all ready at once', () => {
    const outbox = open('100')
    const groupId = outbox.beginGroup()
    const a = outbox.create({ ...envelope, protection: 'smime' }, message, groupId)
    const b = outbox.create(
      {
        ...envelope,
        protection: 'tls',
        consents: [{ recipient: 'a@firma.de', target: 'firma.de', channel: 'tls', by: 'Chefin', date: 'd' }],
      },
      message,
      groupId,
    )
    expect(outbox.list()).toEqual([])
    expect(() => outbox.claim(a)).toThrow(/preparing/)
    outbox.finishGroup(groupId, Buffer.from('Sent item'))
    expect(outbox.list().map((e) => [e.id, e.groupId, e.envelope.protection])).toEqual([
      [a, groupId, 'smime'],
      [b, groupId, 'tls'],
    ])
    expect(outbox.group(groupId)).toEqual({
      id: groupId,
      state: 'ready',
      entries: [a, b],
      sentItem: { state: 'pending', append: null },
    })
    expect(outbox.claim(a)).toBe(true)
    outbox.close()
  })

  it('after a crash while preparing, the half-written group goes as a whole; a ready group keeps its queued copies for one more try', () => {
    const crashed = open('200')
    const half = crashed.beginGroup()
    crashed.create(envelope, message, half)
    const ready = crashed.beginGroup()
    const sent = crashed.create(envelope, message, ready)
    const queued = crashed.create(envelope, message, ready)
    crashed.finishGroup(ready, Buffer.from('Sent item'))
    crashed.claim(sent)
    crashed.markSending(sent)
    crashed.markSent(sent, { version: 'TLSv1.3', cipher: 'x', requiretls: false })
    crashed.close()

    const next = open('300')
    expect(next.recover()).toEqual({ possiblySent: [], released: [queued] })
    expect(() => next.group(half)).toThrow()
    expect(next.list().map((e) => [e.id, e.state])).toEqual([
      [sent, 'sent'],
      [queued, 'queued'],
    ])
    expect(next.pendingRetries()).toEqual([queued])
    next.close()
  })

  it('hands out the Sent item of a group once, and records how its APPEND went', async () => {
    const outbox = open('100')
    const groupId = outbox.beginGroup()
    outbox.create(envelope, message, groupId)
    expect(outbox.claimSentItem(groupId)).toBeNull()
    outbox.finishGroup(groupId, Buffer.from('Sent item'))
    expect((await whole(outbox.claimSentItem(groupId)))?.toString()).toBe('Sent item')
    expect(outbox.claimSentItem(groupId)).toBeNull()
    outbox.recordSentItem(groupId, { state: 'ok', detail: 'Sent' })
    expect(outbox.group(groupId).sentItem).toEqual({ state: 'done', append: { state: 'ok', detail: 'Sent' } })
    outbox.close()
    const onDisk = readFileSync(join(dir, outboxFileName))
    expect(onDisk.includes('Sent item')).toBe(false)
  })

  it('a failed or cut-off Sent APPEND stays due for the next process, marked as a retry, never twice at once', () => {
    const outbox = open('100')
    const groupId = outbox.beginGroup()
    const id = outbox.create(envelope, message, groupId)
    outbox.finishGroup(groupId, Buffer.from('Sent item'))
    // Not due while no copy went out.
    expect(outbox.dueSentItems()).toEqual([])
    outbox.claim(id)
    outbox.markSending(id)
    outbox.markSent(id, null)
    expect(outbox.claimSentItemOf(groupId)?.isRetry).toBe(false)
    outbox.recordSentItem(groupId, { state: 'failed', detail: 'IMAP_FAILED' })
    expect(outbox.group(groupId).sentItem).toEqual({
      state: 'pending',
      append: { state: 'failed', detail: 'IMAP_FAILED' },
    })
    // The process that just failed does not try again at once; another (or a later) process does.
    expect(outbox.dueSentItems()).toEqual([])
    outbox.close()
    const alive = open('200', ['100'])
    expect(alive.dueSentItems()).toEqual([])
    alive.close()
    const next = open('200')
    expect(next.dueSentItems()).toEqual([groupId])
    expect(next.claimSentItemOf(groupId)?.isRetry).toBe(true)
    expect(next.dueSentItems()).toEqual([]) // appending, by us
    next.close()
    // That process died during the APPEND: the next start makes the item due again, as a retry.
    const after = open('300')
    after.recover()
    expect(after.group(groupId).sentItem.state).toBe('pending')
    expect(after.dueSentItems()).toEqual([groupId])
    expect(after.claimSentItemOf(groupId)?.isRetry).toBe(true)
    after.recordSentItem(groupId, { state: 'ok', detail: 'Sent' })
    expect(after.dueSentItems()).toEqual([])
    expect(readdirSync(join(dir, 'outbox-files'))).toEqual([]) // the copy's went when it was sent, the item's now
    after.close()
  })

  it('a group whose copies could not all be composed is discarded with its copies', () => {
    const outbox = open('100')
    const groupId = outbox.beginGroup()
    outbox.create(envelope, message, groupId)
    outbox.discardGroup(groupId)
    expect(() => outbox.group(groupId)).toThrow()
    expect(outbox.list()).toEqual([])
    outbox.close()
  })
})

describe('Outbox message files', () => {
  const files = () => {
    try {
      return readdirSync(join(dir, 'outbox-files')).sort()
    } catch {
      return []
    }
  }
  const readAll = async (outbox: Outbox, id: string) => {
    const reader = outbox.messageOf(id)
    const parts: Buffer[] = []
    for await (const part of reader.records()) parts.push(part)
    return { length: reader.length, bytes: Buffer.concat(parts) }
  }

  it('writes chunks as they come to a sealed file, reads it by record, removes it once sent and in Sent', async () => {
    const outbox = open()
    const big = Buffer.concat([message, randomBytes(3 * 1024 * 1024 + 5)])
    async function* chunks() {
      for (let at = 0; at < big.length; at += 100_000) yield big.subarray(at, at + 100_000)
    }
    const id = await outbox.createFrom(envelope, chunks())
    expect(files()).toEqual([`${id}.sealed`])
    const onDisk = readFileSync(join(dir, 'outbox-files', `${id}.sealed`))
    expect(onDisk.includes('Streng vertraulicher')).toBe(false)
    expect(onDisk.includes(big.subarray(message.length, message.length + 64))).toBe(false)
    expect(await readAll(outbox, id)).toEqual({ length: big.length, bytes: big })
    expect(outbox.message(id).equals(big)).toBe(true)
    outbox.claim(id)
    outbox.markSending(id)
    outbox.markSent(id, null)
    // Sent on its own, the mail is its own Sent copy: the file stays until that is appended (kept when it failed).
    expect(files()).toEqual([`${id}.sealed`])
    outbox.recordAppend(id, { state: 'failed', detail: 'IMAP_FAILED' })
    expect(outbox.message(id).equals(big)).toBe(true)
    outbox.recordAppend(id, { state: 'ok', detail: 'Sent' })
    expect(files()).toEqual([])
    const copyGroup = outbox.beginGroup()
    const copy = await outbox.createFrom(envelope, [message], copyGroup)
    outbox.finishGroup(copyGroup, message)
    outbox.claim(copy)
    outbox.markSending(copy)
    outbox.markSent(copy, null)
    // A copy of a group goes at once: the group's Sent item is the sender's record.
    expect(files()).toEqual([`${copyGroup}.sent.sealed`])
    outbox.recordSentItem(copyGroup, { state: 'ok', detail: 'Sent' })
    expect(files()).toEqual([])
    const empty = outbox.create(envelope, new Uint8Array(0))
    expect(await readAll(outbox, empty)).toEqual({ length: 0, bytes: Buffer.alloc(0) })
    outbox.drop(empty)
    expect(files()).toEqual([])
    outbox.close()
  })

  it('a composer failing midway leaves no file, no entry; a damaged file is refused before a byte', async () => {
    const outbox = open()
    async function* failing() {
      yield Buffer.from('From: a@b.test\r\n')
      throw new Error('composer failed')
    }
    await expect(outbox.createFrom(envelope, failing())).rejects.toThrow('composer failed')
    expect(files()).toEqual([])
    expect(outbox.list()).toEqual([])
    const id = outbox.create(envelope, randomBytes(2 * 1024 * 1024))
    const path = join(dir, 'outbox-files', `${id}.sealed`)
    writeFileSync(path, readFileSync(path).subarray(0, 1024 * 1024 + 20))
    expect(() => outbox.messageOf(id)).toThrow(expect.objectContaining({ code: 'OUTBOX_DAMAGED' }))
    outbox.close()
  })

  it('the next start removes what a killed writer left (temp, a file never committed), not a live one', () => {
    const outbox = open('100')
    const kept = outbox.create(envelope, message)
    const folder = join(dir, 'outbox-files')
    writeFileSync(join(folder, '11111111-1111-4111-8111-111111111111.200.tmp'), 'half written by a dead process')
    writeFileSync(join(folder, '22222222-2222-4222-8222-222222222222.300.tmp'), 'being written by a live process')
    writeFileSync(join(folder, '33333333-3333-4333-8333-333333333333.sealed'), 'renamed, never committed')
    outbox.close()
    const next = open('400', ['300'])
    next.recover()
    expect(files()).toEqual([`${kept}.sealed`, '22222222-2222-4222-8222-222222222222.300.tmp'].sort())
    expect(next.message(kept).equals(message)).toBe(true)
    expect(existsSync(join(folder, `${kept}.sealed`))).toBe(true)
    next.close()
  })

  it('a group discarded while being prepared, or found half-written after a crash, goes with its files', async () => {
    const outbox = open('100')
    const discarded = outbox.beginGroup()
    await outbox.createFrom(envelope, [message], discarded)
    outbox.discardGroup(discarded)
    expect(files()).toEqual([])
    const half = outbox.beginGroup()
    await outbox.createFrom(envelope, [message], half)
    expect(files()).toHaveLength(1)
    outbox.close()
    const next = open('200')
    next.recover()
    expect(files()).toEqual([])
    next.close()
  })

  it("a group's Sent item: a sealed file written as composed; gone once appended, kept if APPEND failed", async () => {
    const outbox = open('100')
    const item = Buffer.concat([Buffer.from('Bcc: geheim.mandant@firma.de\r\n\r\n'), randomBytes(1024 * 1024 + 3)])
    const appended = outbox.beginGroup()
    await outbox.createFrom(envelope, [message], appended)
    await outbox.finishGroupFrom(appended, [item.subarray(0, 1000), item.subarray(1000)])
    const sentFile = `${appended}.sent.sealed`
    expect(files()).toContain(sentFile)
    expect(readFileSync(join(dir, 'outbox-files', sentFile)).includes('geheim.mandant')).toBe(false)
    expect((await whole(outbox.claimSentItem(appended)))?.equals(item)).toBe(true)
    outbox.recordSentItem(appended, { state: 'ok', detail: 'Sent' })
    expect(files()).not.toContain(sentFile)
    const failed = outbox.beginGroup()
    outbox.finishGroup(failed, item)
    expect((await whole(outbox.claimSentItem(failed)))?.equals(item)).toBe(true)
    outbox.recordSentItem(failed, { state: 'failed', detail: 'IMAP_FAILED' })
    expect(files()).toContain(`${failed}.sent.sealed`)
    // A Sent item renamed into place whose group never became ready (killed before the commit) is swept.
    writeFileSync(join(dir, 'outbox-files', '44444444-4444-4444-8444-444444444444.sent.sealed'), 'never committed')
    writeFileSync(join(dir, 'outbox-files', '55555555-5555-4555-8555-555555555555.sent.200.tmp'), 'half written')
    outbox.recover()
    expect(files().filter((f) => f.includes('.sent'))).toEqual([`${failed}.sent.sealed`])
    outbox.close()
  })

  it('knows whether a file it wrote has a NUL (another process does not), and hands out records of their own', async () => {
    const outbox = open('100')
    const textual = Buffer.concat([message, Buffer.from(randomBytes(2 * 1024 * 1024).toString('base64'))])
    const binary = Buffer.concat([textual, Buffer.from([0x41, 0x00, 0x42])])
    const withNul = await outbox.createFrom(envelope, [binary.subarray(0, 1000), binary.subarray(1000)])
    const without = await outbox.createFrom(envelope, [textual])
    const whole = outbox.create(envelope, binary)
    const group = outbox.beginGroup()
    await outbox.createFrom(envelope, [message], group)
    await outbox.finishGroupFrom(group, [textual])
    expect([withNul, without, whole].map((id) => outbox.messageOf(id).containsNul)).toEqual([true, false, true])
    const item = outbox.claimSentItem(group)!
    expect(item.containsNul).toBe(false)
    // Each record a buffer of its own: freeing one (as SMTP and the APPEND do once written) leaves the rest whole.
    const reader = outbox.messageOf(without)
    expect(reader.recordsAreOwned).toBe(true)
    const records: Buffer[] = []
    for await (const record of reader.records()) {
      records.push(Buffer.from(record))
      releaseBytes(record)
      expect(record.length).toBe(0)
    }
    expect(Buffer.concat(records).equals(textual)).toBe(true)
    outbox.close()
    // Another process (the file of an earlier run) does not know: the APPEND reads the records once more.
    const next = open('200')
    expect([withNul, without].map((id) => next.messageOf(id).containsNul)).toEqual([undefined, undefined])
    next.close()
  })
})
