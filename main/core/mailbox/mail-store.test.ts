import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { limits } from '../limits.ts'
import { sealBlob, sealJson } from '../store/sealed-blob.ts'
import { schemaVersion } from '../store/sqlite.ts'
import { envelopeOf } from './envelope.ts'
import { MailStore, mailStoreMigrations } from './mail-store.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-mailstore-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = Buffer.alloc(32, 9)
const columns = (db: DatabaseSync, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((row) => row.name)
const mail = (subject: string, date: string, extra = '') =>
  Buffer.from(
    `From: "Müller, Steuerbüro" <Info@Kanzlei.test>\r\nTo: a@mandant.test, B <b@mandant.test>\r\nCc: c@x.test\r\nSubject: ${subject}\r\nDate: ${date}\r\nMessage-ID: <${subject.length}@x>\r\n${extra}\r\nGeheimer Text ${subject}\r\n`,
  )

/** Every file of the profile, as bytes (the SQLite file, its WAL, sealed message files). */
function profileBytes(): Buffer {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
    )
  return Buffer.concat(files(dir).map((f) => readFileSync(f)))
}

describe('message store schema step 2', () => {
  it('adds the sync columns and the folders table, and a step-1 message survives with a listing row', () => {
    const path = join(dir, 'messages.sqlite')
    const old = new DatabaseSync(path)
    mailStoreMigrations[0]!(old)
    old.exec('PRAGMA user_version = 1')
    const raw = mail('Lohnabrechnung März', 'Wed, 25 Nov 2026 10:00:00 +0100')
    old
      .prepare('INSERT INTO messages (id, ref, fetched, meta, raw) VALUES (?, ?, ?, ?, ?)')
      .run(
        'old-1',
        'r1',
        '2026-11-25T09:00:00.000Z',
        sealJson(
          key,
          { account: 'acc', folder: 'INBOX', uidValidity: '7', uid: 3 },
          'siegelpost/messages/v1/old-1/meta',
        ),
        sealBlob(key, raw, 'siegelpost/messages/v1/old-1/raw'),
      )
    old.close()
    const store = new MailStore(dir, key)
    expect(store.raw('old-1')).toEqual(raw)
    expect(store.list()).toMatchObject([
      {
        id: 'old-1',
        account: 'acc',
        folder: 'INBOX',
        uidValidity: '7',
        uid: 3,
        subject: 'Lohnabrechnung März',
        flags: [],
      },
    ])
    expect(store.uidsOf('acc', 'INBOX').get(3)).toMatchObject({ id: 'old-1', uidValidity: '7' })
    store.close()
    const db = new DatabaseSync(path)
    expect(schemaVersion(db)).toBe(mailStoreMigrations.length)
    expect(columns(db, 'messages')).toEqual([
      'id',
      'ref',
      'fetched',
      'meta',
      'raw',
      'box',
      'validity',
      'uid',
      'digest',
      'envelope',
      'rawfile',
      'rev',
    ])
    expect(columns(db, 'folders')).toEqual(['box', 'state'])
    db.close()
  })
})

describe('MailStore', () => {
  it('lists newest first, filters by account/folder and searches addresses and subjects (incl. the protected subject)', () => {
    const store = new MailStore(dir, key)
    const a = store.add('acc', 'INBOX', '1', 1, mail('Alt', 'Mon, 02 Nov 2026 10:00:00 +0100'), new Date())!
    const b = store.add('acc', 'INBOX', '1', 2, mail('Neu', 'Tue, 24 Nov 2026 10:00:00 +0100'), new Date())!
    const c = store.add('acc', 'Sent', '1', 1, mail('Mitte', 'Tue, 10 Nov 2026 10:00:00 +0100'), new Date())!
    expect(store.add('acc', 'INBOX', '1', 2, mail('Neu', 'x'), new Date())).toBeNull()
    expect(store.list().map((r) => r.id)).toEqual([b, c, a])
    expect(store.list({ account: 'acc', folder: 'INBOX' }).map((r) => r.id)).toEqual([b, a])
    expect(store.list({ search: 'kanzlei.TEST' })).toHaveLength(3)
    expect(store.list({ search: 'b <b@mandant' }).length).toBe(3)
    expect(store.list({ search: 'mitte' }).map((r) => r.id)).toEqual([c])
    store.setProtectedSubject(a, 'Bescheid 2025 (geschützt)')
    expect(store.list({ search: 'geschützt' }).map((r) => r.id)).toEqual([a])
    store.setFlags(b, ['\\Seen', '\\Flagged'])
    expect(store.get(b)!.flags).toEqual(['\\Flagged', '\\Seen'])
    store.close()
    // No subject, address or body text on disk; the protected subject neither.
    const bytes = profileBytes()
    for (const marker of ['Mitte', 'mandant.test', 'Geheimer Text', 'geschützt', 'Kanzlei.test'])
      expect(bytes.includes(Buffer.from(marker)), marker).toBe(false)
  })

  it('a kept listing follows writes of this and of another connection (the app while the CLI syncs)', () => {
    const app = new MailStore(dir, key)
    const cli = new MailStore(dir, key)
    const a = app.add('acc', 'INBOX', '1', 1, mail('Eins', 'Mon, 02 Nov 2026 10:00:00 +0100'), new Date())!
    expect(app.list().map((r) => r.id)).toEqual([a])
    const b = cli.add('acc', 'INBOX', '1', 2, mail('Zwei', 'Tue, 03 Nov 2026 10:00:00 +0100'), new Date())!
    expect(app.list().map((r) => r.id)).toEqual([b, a])
    cli.setFlags(a, ['\\Seen'])
    expect(app.list().find((r) => r.id === a)!.flags).toEqual(['\\Seen'])
    app.remove(b)
    expect(app.list().map((r) => r.id)).toEqual([a])
    expect(cli.list().map((r) => r.id)).toEqual([a])
    app.close()
    cli.close()
  })

  it('keeps a message over the inline limit as a chunked sealed file, byte for byte, and removes it with the row', () => {
    const store = new MailStore(dir, key)
    const big = Buffer.concat([
      mail('Groß', 'Tue, 24 Nov 2026 10:00:00 +0100'),
      Buffer.alloc(limits.mailStoreInlineMaxBytes + 5, 'Q'),
    ])
    const id = store.add('acc', 'INBOX', '1', 9, big, new Date())!
    expect(readdirSync(join(dir, 'messages'))).toEqual([`${id}.sealed`])
    expect(store.raw(id)!.equals(big)).toBe(true)
    expect(readFileSync(join(dir, 'messages', `${id}.sealed`)).includes(Buffer.from('QQQQQQQQ'))).toBe(false)
    // A cut-off file is refused, never returned short.
    const sealed = readFileSync(join(dir, 'messages', `${id}.sealed`))
    writeFileSync(join(dir, 'messages', `${id}.sealed`), sealed.subarray(0, sealed.length - 1000))
    expect(store.raw(id)).toBeNull()
    store.remove(id)
    expect(readdirSync(join(dir, 'messages'))).toEqual([])
    store.close()
  })

  it('relocates a message (move, new UIDVALIDITY) keeping its id, and a duplicate target keeps one copy', () => {
    const store = new MailStore(dir, key)
    const id = store.add('acc', 'INBOX', '1', 5, mail('Umzug', 'Tue, 24 Nov 2026 10:00:00 +0100'), new Date())!
    store.relocate(id, 'acc', 'Archiv', '4', 77)
    expect(store.get(id)).toMatchObject({ folder: 'Archiv', uidValidity: '4', uid: 77 })
    expect(store.has('acc', 'INBOX', '1', 5)).toBe(false)
    expect(store.has('acc', 'Archiv', '4', 77)).toBe(true)
    const other = store.add('acc', 'INBOX', '1', 6, mail('Zwei', 'Tue, 24 Nov 2026 10:00:00 +0100'), new Date())!
    store.relocate(other, 'acc', 'Archiv', '4', 77)
    expect(store.get(other)).toBeNull()
    expect(store.count()).toBe(1)
    store.close()
  })

  it('answers a window of a folder: page boundaries, totals, search, both orders and where an id is', () => {
    const store = new MailStore(dir, key)
    const ids: string[] = []
    store.transaction(() => {
      for (let i = 1; i <= 250; i++)
        ids.push(
          store.add(
            'acc',
            'INBOX',
            '1',
            i,
            mail(
              i % 10 === 0 ? `Zehner ${i}` : `Beleg ${i}`,
              new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString(),
            ),
            new Date(),
          )!,
        )
      store.add('acc', 'Sent', '1', 1, mail('Zehner anderswo', 'Tue, 24 Nov 2026 10:00:00 +0100'), new Date())
    })
    const newest = [...ids].reverse()
    const first = store.page({ account: 'acc', folder: 'INBOX', offset: 0, limit: 100 })
    expect(first).toMatchObject({ offset: 0, total: 250, all: 250, sort: 'newest', foundAt: null })
    expect(first.rows.map((r) => r.id)).toEqual(newest.slice(0, 100))
    // The last page is short; one past the end is empty, with the same totals.
    const last = store.page({ account: 'acc', folder: 'INBOX', offset: 200, limit: 100 })
    expect(last.rows.map((r) => r.id)).toEqual(newest.slice(200))
    expect(store.page({ account: 'acc', folder: 'INBOX', offset: 250, limit: 100 })).toMatchObject({
      rows: [],
      offset: 250,
      total: 250,
    })
    expect(store.page({ account: 'acc', folder: 'INBOX', offset: 9999 }).offset).toBe(250)
    // Pages side by side are the whole list, once each.
    const joined = [0, 1, 2].flatMap((p) =>
      store.page({ account: 'acc', folder: 'INBOX', offset: p * 100, limit: 100 }).rows.map((r) => r.id),
    )
    expect(joined).toEqual(newest)
    // Oldest first is the same list reversed; `find` answers the position in the asked order.
    const oldest = store.page({ account: 'acc', folder: 'INBOX', sort: 'oldest', offset: 95, limit: 10, find: ids[99] })
    expect(oldest.rows.map((r) => r.id)).toEqual(ids.slice(95, 105))
    expect(oldest).toMatchObject({ sort: 'oldest', foundAt: 99 })
    expect(store.page({ account: 'acc', folder: 'INBOX', find: ids[99], limit: 1 }).foundAt).toBe(150)
    // The search narrows the total, not `all`; its pages follow the same boundaries.
    const tens = store.page({ account: 'acc', folder: 'INBOX', search: 'ZEHNER', offset: 20, limit: 10 })
    expect(tens).toMatchObject({ total: 25, all: 250 })
    expect(tens.rows.map((r) => r.subject)).toEqual(['Zehner 50', 'Zehner 40', 'Zehner 30', 'Zehner 20', 'Zehner 10'])
    expect(store.page({ account: 'acc', folder: 'INBOX', search: 'zehner', find: ids[0] }).foundAt).toBeNull()
    // No answer carries more than the limit, whatever is asked.
    expect(store.page({ account: 'acc', folder: 'INBOX', limit: 100_000 }).rows).toHaveLength(
      Math.min(250, limits.mailboxListPageMaxRows),
    )
    // A write (here a flag, as from another window) is in the next window.
    store.setFlags(newest[0]!, ['\\Flagged'])
    expect(store.page({ account: 'acc', folder: 'INBOX', limit: 1 }).rows[0]!.flags).toEqual(['\\Flagged'])
    expect(store.page({ account: 'acc', folder: 'INBOX', search: 'zehner', limit: 1 }).rows[0]).toMatchObject({
      id: newest[0],
      flags: ['\\Flagged'],
    })
    expect(store.list().find((r) => r.id === newest[0])!.flags).toEqual(['\\Flagged'])
    expect(store.page({ account: 'acc', folder: 'INBOX', offset: 100, limit: 100 }).rows.map((r) => r.id)).toEqual(
      newest.slice(100, 200),
    )
    store.remove(newest[0]!)
    expect(store.page({ account: 'acc', folder: 'INBOX', limit: 1, find: newest[0] })).toMatchObject({
      total: 249,
      foundAt: null,
    })
    store.close()
  })

  it('lists 10,000 rows fast enough for the app (decrypted in memory, cached per row)', () => {
    const store = new MailStore(dir, key)
    store.transaction(() => {
      for (let i = 0; i < 10_000; i++)
        store.add(
          'acc',
          'INBOX',
          '1',
          i + 1,
          mail(`Nr ${i}`, new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()),
          new Date(),
        )
    })
    store.close()
    const again = new MailStore(dir, key)
    let started = performance.now()
    expect(again.list()).toHaveLength(10_000)
    const cold = performance.now() - started
    started = performance.now()
    expect(again.list({ search: 'nr 99' })).toHaveLength(111)
    const warm = performance.now() - started
    started = performance.now()
    const window = again.page({ account: 'acc', folder: 'INBOX', offset: 5000, limit: 100 })
    const paged = performance.now() - started
    expect(window.rows[0]!.subject).toBe('Nr 4999')
    console.log(
      `list 10,000: cold ${cold.toFixed(0)} ms, warm search ${warm.toFixed(0)} ms, window of 100 ${paged.toFixed(1)} ms`,
    )
    expect(warm).toBeLessThan(500)
    again.close()
  })
})

describe('envelopeOf', () => {
  it('reads protection from the top-level Content-Type without decrypting', () => {
    const at = (type: string, body = 'x') =>
      envelopeOf(Buffer.from(`From: a@b.test\r\nContent-Type: ${type}\r\n\r\n${body}`)).protection
    expect(at('multipart/encrypted; protocol="application/pgp-encrypted"; boundary=x')).toEqual({
      encryption: 'encrypted',
      signature: 'unknown',
    })
    expect(at('application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m')).toEqual({
      encryption: 'encrypted',
      signature: 'unknown',
    })
    expect(at('application/pkcs7-mime; smime-type=signed-data')).toEqual({ encryption: 'none', signature: 'signed' })
    expect(at('application/pkcs7-mime')).toEqual({ encryption: 'unknown', signature: 'unknown' })
    expect(at('multipart/signed; protocol="application/pkcs7-signature"; boundary=y')).toEqual({
      encryption: 'none',
      signature: 'signed',
    })
    expect(at('text/plain', '-----BEGIN PGP MESSAGE-----\r\n')).toEqual({
      encryption: 'encrypted',
      signature: 'unknown',
    })
    expect(at('text/html')).toEqual({ encryption: 'none', signature: 'none' })
  })

  it('decodes RFC 2047 subjects and names, and marks a header it cannot read as malformed', () => {
    const row = envelopeOf(
      Buffer.from(
        'From: =?utf-8?q?J=C3=BCrgen?= <j@x.test>\r\nSubject: =?utf-8?b?w5xiZXJ3ZWlzdW5n?=\r\nDate: nonsense\r\n\r\nx',
      ),
      new Date('2026-01-02T00:00:00Z'),
    )
    expect(row).toMatchObject({
      from: 'Jürgen <j@x.test>',
      fromAddress: 'j@x.test',
      subject: 'Überweisung',
      date: '2026-01-02T00:00:00.000Z',
      state: 'ok',
    })
    expect(envelopeOf(Buffer.from('\u0000\u0001 garbage without any header')).state).toBe('malformed')
    // Terminal control characters in a subject become spaces (a CLI listing cannot be repainted by a sender).
    expect(envelopeOf(Buffer.from('From: a@b.test\r\nSubject: A\u0007B\u001b[31m rot\r\n\r\nx')).subject).toBe(
      'A B [31m rot',
    )
  })
})
