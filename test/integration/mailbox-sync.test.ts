import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { deleteMessage, moveMessage, setFlag } from '../../main/core/mailbox/actions.ts'
import { MailStore, mailStoreFileName } from '../../main/core/mailbox/mail-store.ts'
import { syncFolder, type SyncProgress } from '../../main/core/mailbox/sync.ts'
import { watchFolder } from '../../main/core/mailbox/watch.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { openImap } from '../../main/core/transport/imap-session.ts'
import { bodyMarker, doveadm, serverTruth, subjectMarker, writeCorpus, type Corpus } from '../helpers/mailbox-corpus.ts'
import {
  hasMailStack,
  mailStackFix,
  stackAccountArgs,
  stackUserAccount,
  startMailStack,
  withoutCondstoreQresyncIdle,
  type MailStack,
} from '../helpers/mail-stack.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli, runCliAsync } from '../helpers/run-cli.ts'
import { holdWriteLock, timedTicks } from '../helpers/store-lock.ts'

/**
 * Sync of a generated mailbox (≥ 1,000 messages: plain, HTML, gpg PGP/MIME, openssl S/MIME enveloped and
 * signed, large attachments, malformed) from the real Dovecot into the sealed store, checked against the
 * server over a bare imapflow connection: same UIDs, same sha256 of the bytes, same flags, no duplicates.
 * Run twice: Dovecot as configured (QRESYNC, CONDSTORE, IDLE) and with those three removed from its
 * capabilities (UID scan and polling).
 */
const corpusSize = 1000
const user = 'advisor@kanzlei.test'
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

// The in-process syncs store on the writer thread in one variant and in this thread in the other (the CLI's first
// fetch always uses the thread); a sync of fewer than limits.mailSyncWriterMinMessages stays in this thread anyway.
const variants = [
  {
    label: 'Dovecot with QRESYNC, CONDSTORE and IDLE',
    imapCapability: undefined,
    mode: 'qresync',
    watch: 'idle',
    isWriterThread: true,
  },
  {
    label: 'Dovecot without CONDSTORE, QRESYNC and IDLE',
    imapCapability: withoutCondstoreQresyncIdle,
    mode: 'uid-scan',
    watch: 'poll',
    isWriterThread: false,
  },
] as const
const storeWorker = new URL('../../main/workers/mail-store.worker.ts', import.meta.url)

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix)).each(variants)(
  'mailbox sync: $label',
  (variant) => {
    let stack: MailStack
    let dir: string
    let corpus: Corpus
    let account: Account
    let store: MailStore
    const stamp = randomBytes(4).toString('hex')
    const passphrase = 'mailbox-sync-vault-passphrase'
    const cliArgs = (args: string[]) => [
      ...args,
      '--profile',
      join(dir, 'profile'),
      '--vault-passphrase-file',
      join(dir, 'vault-pass'),
      '--lang',
      'en',
    ]
    const cli = (args: string[]) => runCli(cliArgs(args))
    const sync = async (folder = 'INBOX', onProgress?: (p: SyncProgress) => void) => {
      const session = await openImap(account, 'advisor-pw')
      try {
        return await syncFolder(session, store, account, folder, {
          now: () => new Date(),
          onProgress,
          ...(variant.isWriterThread ? { startStoreWriter: () => new Worker(storeWorker) } : {}),
        })
      } finally {
        await session.client.logout()
      }
    }
    /** The store equals the server: same UIDs, bytes and flags, and each message once. */
    const expectEqualToServer = async (target: MailStore, folder = 'INBOX') => {
      const truth = await serverTruth(stack, folder)
      const rows = target.list({ account: 'advisor', folder })
      expect(new Set(rows.map((r) => r.uid)).size).toBe(rows.length)
      expect(rows.length).toBe(truth.size)
      for (const row of rows) {
        const server = truth.get(row.uid)
        expect(server, `uid ${row.uid}`).toBeDefined()
        expect(sha(target.raw(row.id)!)).toBe(server!.sha256)
        expect(row.flags).toEqual(server!.flags)
      }
      return truth
    }

    beforeAll(async () => {
      assertBuilt()
      stack = startMailStack({ imapCapability: variant.imapCapability })
      dir = await mkdtemp(join(tmpdir(), 'sp-mailbox-sync-'))
      corpus = writeCorpus(stack, corpusSize, stamp)
      writeFileSync(join(dir, 'vault-pass'), `${passphrase}\n`)
      writeFileSync(join(dir, 'pw'), 'advisor-pw\n')
      const add = cli(stackAccountArgs(stack, 'advisor', user, join(dir, 'pw')))
      expect(add.status, add.stderr).toBe(0)
      account = stackUserAccount(stack, 'advisor', user)
      store = new MailStore(join(dir, 'core-profile'), randomBytes(32))
    }, 120_000)
    afterAll(async () => {
      store?.close()
      stack?.stop()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('the generated mailbox has every kind', () => {
      expect(corpus.count).toBeGreaterThanOrEqual(1000)
      for (const kind of ['plain', 'html', 'pgp', 'smime-encrypted', 'smime-signed', 'large', 'malformed'])
        expect(corpus.kinds[kind], kind).toBeGreaterThan(0)
    })

    it('a CLI fetch killed with SIGKILL in the middle resumes without duplicates and equals the server', async () => {
      const child = spawn(
        process.execPath,
        [
          join(import.meta.dirname, '../../bin/siegelpost.js'),
          ...cliArgs(['fetch', '--account', 'advisor', '--progress', '--json']),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let progress = ''
      const killed = await new Promise<boolean>((resolve) => {
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          progress += chunk
          const done = [...progress.matchAll(/INBOX (\d+) \/ (\d+)/g)].map((m) => Number(m[1]))
          if (done.length > 0 && done.at(-1)! >= 300 && child.exitCode === null) {
            child.kill('SIGKILL')
          }
        })
        child.once('exit', (_code, signal) => resolve(signal === 'SIGKILL'))
      })
      expect(killed, progress).toBe(true)
      const partial = JSON.parse(cli(['mail', 'list', '--json', '--folder', 'INBOX']).stdout) as { id: string }[]
      expect(partial.length).toBeGreaterThan(0)
      expect(partial.length).toBeLessThan(corpusSize)
      const resumed = cli(['fetch', '--account', 'advisor', '--json'])
      expect(resumed.status, resumed.stderr).toBe(0)
      const result = JSON.parse(resumed.stdout)
      expect(result).toMatchObject({
        account: 'advisor',
        folder: 'INBOX',
        skippedTooLarge: [],
        removed: 0,
        total: corpusSize,
        new: corpusSize - partial.length,
      })
      expect(result.stored).toHaveLength(corpusSize - partial.length)
      expect(result.tls.version).toMatch(/^TLSv1\.[23]$/)
      const again = JSON.parse(cli(['fetch', '--account', 'advisor', '--json']).stdout)
      expect(again).toMatchObject({ new: 0, changed: 0, removed: 0, total: corpusSize, stored: [] })
      const vault = await openVault({
        profileDir: join(dir, 'profile'),
        keySource: { mode: 'passphrase', passphrase: Buffer.from(passphrase) },
      })
      const cliStore = new MailStore(join(dir, 'profile'), vault.deriveKey('messages'))
      try {
        await expectEqualToServer(cliStore)
      } finally {
        cliStore.close()
      }
    }, 300_000)

    it('mail list prints the CLI.md rows newest first, with protection read from the Content-Type', () => {
      const run = cli(['mail', 'list', '--json', '--account', 'advisor', '--folder', 'INBOX'])
      expect(run.status, run.stderr).toBe(0)
      const rows = JSON.parse(run.stdout) as {
        id: string
        date: string
        subject: string
        protection: { encryption: string; signature: string }
      }[]
      expect(rows).toHaveLength(corpusSize)
      expect(Object.keys(rows[0]!).sort()).toEqual([
        'account',
        'date',
        'flags',
        'folder',
        'from',
        'id',
        'protection',
        'size',
        'subject',
        'to',
      ])
      const dated = rows.filter((r) => r.date !== '').map((r) => r.date)
      expect(dated).toEqual([...dated].sort().reverse())
      const of = (nr: number) => rows.find((r) => r.subject.endsWith(` Nr. ${nr}`))!
      expect(of(5).protection).toEqual({ encryption: 'encrypted', signature: 'unknown' })
      expect(of(7).protection).toEqual({ encryption: 'encrypted', signature: 'unknown' })
      expect(of(11).protection).toEqual({ encryption: 'none', signature: 'signed' })
      expect(of(12).protection).toEqual({ encryption: 'none', signature: 'none' })
      const search = JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 12`]).stdout) as {
        subject: string
      }[]
      expect(search.map((r) => r.subject).sort()).toEqual(
        [
          `${subjectMarker} ${stamp} Nr. 12`,
          ...Array.from({ length: 10 }, (_, k) => `${subjectMarker} ${stamp} Nr. ${120 + k}`),
        ].sort(),
      )
    })

    it('mail show prints the open document plus id, folder and flags', () => {
      const rows = JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 11`]).stdout) as {
        id: string
        subject: string
      }[]
      const signed = rows.find((r) => r.subject.endsWith('Nr. 11'))!
      const run = cli(['mail', 'show', signed.id, '--json'])
      expect(run.status, run.stderr).toBe(0)
      const doc = JSON.parse(run.stdout)
      expect(doc).toMatchObject({
        id: signed.id,
        folder: 'INBOX',
        flags: [],
        headers: { subject: `${subjectMarker} ${stamp} Nr. 11` },
      })
      expect(doc.text).toContain(`${bodyMarker} smime`)
      expect(['valid', 'invalid', 'unknown-key', 'mismatch']).toContain(doc.security.signature.state)
      // PGP/MIME to a key this profile does not hold: a document with the failed decryption, no plaintext.
      const pgp = (
        JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 5`]).stdout) as {
          id: string
          subject: string
        }[]
      ).find((r) => r.subject.endsWith('Nr. 5'))!
      const encrypted = cli(['mail', 'show', pgp.id, '--json'])
      expect(encrypted.status, encrypted.stderr).toBe(0)
      const pgpDoc = JSON.parse(encrypted.stdout)
      expect(pgpDoc).toMatchObject({
        id: pgp.id,
        folder: 'INBOX',
        security: { encryption: { state: 'failed', technology: 'openpgp' } },
      })
      expect(pgpDoc.text).not.toContain(bodyMarker)
      const missing = cli(['mail', 'show', 'no-such-id'])
      expect(missing.status).toBe(1)
      expect(missing.errorLines).toEqual([expect.stringMatching(/no stored message no-such-id/)])
    })

    it(`syncs in-process with progress events (${variant.mode}), then new mail, flag changes and expunges made with doveadm`, async () => {
      const events: SyncProgress[] = []
      const first = await sync('INBOX', (p) => events.push(p))
      expect(first).toMatchObject({
        mode: variant.mode,
        changed: 0,
        removed: 0,
        total: corpusSize,
        skippedTooLarge: [],
      })
      expect(first.stored).toHaveLength(corpusSize)
      expect(events.filter((e) => e.phase === 'fetch').at(-1)).toMatchObject({ done: corpusSize, total: corpusSize })
      await expectEqualToServer(store)
      const malformed = store.list({ search: '' }).filter((r) => r.state === 'malformed')
      expect(malformed.length).toBeGreaterThanOrEqual(1)

      for (let k = 0; k < 5; k++)
        doveadm(
          stack,
          ['save', '-u', user, '-m', 'INBOX'],
          `Subject: ${subjectMarker} neu ${k}\r\nFrom: x@y.test\r\n\r\n${bodyMarker} neu\r\n`,
        )
      doveadm(stack, ['flags', 'add', '-u', user, '\\Flagged', 'mailbox', 'INBOX', 'uid', '20:29'])
      doveadm(stack, ['expunge', '-u', user, 'mailbox', 'INBOX', 'uid', '40:46'])
      const second = await sync()
      expect(second).toMatchObject({ changed: 10, removed: 7, total: corpusSize + 5 - 7, isUidValidityChanged: false })
      expect(second.stored).toHaveLength(5)
      await expectEqualToServer(store)
      expect(await sync()).toMatchObject({ stored: [], changed: 0, removed: 0 })
    }, 300_000)

    it('a new UIDVALIDITY re-syncs the folder: ids kept, nothing lost, nothing twice', async () => {
      const before = new Map(
        store.list({ account: 'advisor', folder: 'INBOX' }).map((r) => [sha(store.raw(r.id)!), r.id]),
      )
      const status = doveadm(stack, ['-f', 'flow', 'mailbox', 'status', '-u', user, 'uidvalidity', 'INBOX'])
      const old = Number(/uidvalidity=(\d+)/.exec(status)![1])
      doveadm(stack, ['mailbox', 'update', '-u', user, '--uid-validity', String(old + 1000), 'INBOX'])
      const result = await sync()
      expect(result).toMatchObject({
        isUidValidityChanged: true,
        uidValidity: String(old + 1000),
        stored: [],
        removed: 0,
      })
      const after = store.list({ account: 'advisor', folder: 'INBOX' })
      expect(after.every((r) => r.uidValidity === String(old + 1000))).toBe(true)
      for (const row of after) expect(before.get(sha(store.raw(row.id)!))).toBe(row.id)
      await expectEqualToServer(store)
    }, 300_000)

    it(`notices new mail while watching (${variant.watch})`, async () => {
      const session = await openImap(account, 'advisor-pw')
      const seen: string[] = []
      const watcher = await watchFolder(session, 'INBOX', { onChange: (e) => seen.push(e.kind), pollMs: 300 })
      try {
        expect(watcher.mode).toBe(variant.watch)
        doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], `Subject: watched\r\n\r\nx\r\n`)
        await expect.poll(() => seen.includes('exists'), { timeout: 10_000 }).toBe(true)
      } finally {
        await watcher.stop()
        await session.client.logout()
      }
      expect((await sync()).stored).toHaveLength(1)
    }, 60_000)

    it('a sync while another process holds the write lock waits without blocking the event loop', async () => {
      for (let k = 0; k < 3; k++)
        doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], `Subject: busy ${k}\r\nFrom: x@y.test\r\n\r\nx\r\n`)
      doveadm(stack, ['flags', 'add', '-u', user, '\\Answered', 'mailbox', 'INBOX', 'uid', '60'])
      // A CLI process (here a bare connection) keeps BEGIN IMMEDIATE for 2.5 s: longer than a blocked main thread
      // of the window may take, shorter than limits.storeBusyRetryMs.
      const held = holdWriteLock(store.path, 2500)
      await held.locked
      const { result, longest, took } = await timedTicks(() => sync())
      expect(took).toBeGreaterThan(1500)
      expect(longest).toBeLessThan(1000)
      expect(result.stored).toHaveLength(3)
      expect(result.changed).toBe(1)
      await held.exited
      await expectEqualToServer(store)
    }, 60_000)

    it('flag, move and delete are written to the server first, then to the store', async () => {
      const server = { account, password: 'advisor-pw' }
      const row = store
        .list({ account: 'advisor', folder: 'INBOX', search: `${stamp} Nr. 13` })
        .find((r) => r.subject.endsWith('Nr. 13'))!
      /** What doveadm finds of this message in `folder`: its UID, or nothing when it is not there. */
      const foundIn = (folder: string) =>
        doveadm(stack, [
          '-f',
          'flow',
          'search',
          '-u',
          user,
          'mailbox',
          folder,
          'header',
          'Message-ID',
          `<${stamp}.13@kanzlei.test>`,
        ])
      const serverFlags = () =>
        doveadm(stack, ['-f', 'flow', 'fetch', '-u', user, 'flags', 'mailbox', 'INBOX', 'uid', String(row.uid)])
      const flagged = await setFlag(server, store, row.id, 'flagged')
      expect(flagged.flags).toContain('\\Flagged')
      await setFlag(server, store, row.id, 'seen')
      expect(serverFlags()).toMatch(/\\Flagged.*\\Seen|\\Seen.*\\Flagged/)
      await setFlag(server, store, row.id, 'unseen')
      expect(serverFlags()).not.toMatch(/\\Seen/)

      const moved = await moveMessage(server, store, row.id, 'Sent')
      expect(store.get(row.id)).toMatchObject({ folder: 'Sent', uid: moved.uid })
      expect(foundIn('Sent')).toMatch(/\d/)
      expect(foundIn('INBOX')).toBe('')

      const deleted = await deleteMessage(server, store, row.id)
      expect(deleted.folder).toBe('Trash')
      expect(store.get(row.id)?.folder).toBe('Trash')
      expect(foundIn('Trash')).toMatch(/\d/)
      expect((await deleteMessage(server, store, row.id)).folder).toBeNull()
      expect(store.get(row.id)).toBeNull()
      expect(foundIn('Trash')).toBe('')
      await expectEqualToServer(store)
      await expectEqualToServer(store, 'Sent')
    }, 120_000)

    it('offline, stored mail stays readable and a server action fails with MAILBOX_OFFLINE, changing nothing', async () => {
      const row = store.list({ account: 'advisor', folder: 'INBOX' })[0]!
      const offline = { account: { ...account, imap: { ...account.imap, port: 1 } }, password: 'advisor-pw' }
      const error = await setFlag(offline, store, row.id, 'flagged').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SiegelpostError)
      expect((error as SiegelpostError).code).toBe('MAILBOX_OFFLINE')
      expect(store.get(row.id)!.flags).toEqual(row.flags)
      expect(store.raw(row.id)).not.toBeNull()
    })

    it('the CLI writes flag, move and delete to the server', () => {
      const rows = JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 14`]).stdout) as {
        id: string
        subject: string
      }[]
      const id = rows.find((r) => r.subject.endsWith('Nr. 14'))!.id
      // This profile last synced before the UIDVALIDITY change: its UIDs mean nothing now, so nothing is written.
      const stale = cli(['mail', 'flag', id, '--flagged'])
      expect(stale.status).toBe(1)
      expect(stale.errorLines).toEqual([expect.stringMatching(/changed on the server .*Fetch the folder again/)])
      expect(cli(['fetch', '--account', 'advisor', '--json']).status).toBe(0)
      expect(
        JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 14`]).stdout).map(
          (r: { id: string }) => r.id,
        ),
      ).toContain(id)
      const flag = cli(['mail', 'flag', id, '--flagged', '--json'])
      expect(flag.status, flag.stderr).toBe(0)
      expect(JSON.parse(flag.stdout).flags).toContain('\\Flagged')
      expect(cli(['mail', 'flag', id]).status).toBe(2)
      expect(cli(['mail', 'move', id, '--to', 'Nirgendwo']).errorLines).toEqual([
        expect.stringMatching(/folder "Nirgendwo" does not exist/),
      ])
      const del = cli(['mail', 'delete', id, '--json'])
      expect(del.status, del.stderr).toBe(0)
      expect(JSON.parse(del.stdout)).toEqual({ id, folder: 'Trash' })
      expect(
        doveadm(stack, [
          '-f',
          'flow',
          'fetch',
          '-u',
          user,
          'flags',
          'mailbox',
          'Trash',
          'header',
          'Message-ID',
          `<${stamp}.14@kanzlei.test>`,
        ]),
      ).toMatch(/\\Flagged/)
      const all = cli(['fetch', '--account', 'advisor', '--all-folders', '--json'])
      expect(all.status, all.stderr).toBe(0)
      const doc = JSON.parse(all.stdout)
      expect(doc.folders.map((f: { name: string }) => f.name).sort()).toEqual(['INBOX', 'Sent', 'Trash'])
      expect(doc.folders.find((f: { name: string }) => f.name === 'Trash')).toMatchObject({
        folder: 'Trash',
        total: expect.any(Number),
      })
    }, 120_000)

    it('the CLI, while another process holds the write lock, ends with a coded error; the server keeps the change', async () => {
      const rows = JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 15`]).stdout) as {
        id: string
        subject: string
        flags: string[]
      }[]
      const row = rows.find((r) => r.subject.endsWith('Nr. 15'))!
      expect(row.flags).not.toContain('\\Flagged')
      const held = holdWriteLock(join(dir, 'profile', mailStoreFileName), 60_000)
      try {
        await held.locked
        const flag = await runCliAsync(cliArgs(['mail', 'flag', row.id, '--flagged']))
        expect(flag.status).toBe(1)
        expect(flag.errorLines).toEqual([
          expect.stringMatching(/server carried out "flag flagged" .* busy with another process .* next fetch/),
        ])
        const fetch = await runCliAsync(cliArgs(['fetch', '--account', 'advisor']))
        expect(fetch.status).not.toBe(0)
        expect(fetch.stderr).toMatch(/is busy with another process/)
        expect(fetch.stderr).not.toMatch(/database is locked|INTERNAL/i)
      } finally {
        held.child.kill()
        await held.exited
      }
      const flags = (id: string) =>
        (JSON.parse(cli(['mail', 'list', '--json', '--search', `${stamp} Nr. 15`]).stdout) as typeof rows).find(
          (r) => r.id === id,
        )!.flags
      expect(flags(row.id)).not.toContain('\\Flagged')
      expect(cli(['fetch', '--account', 'advisor']).status).toBe(0)
      expect(flags(row.id)).toContain('\\Flagged')
    }, 120_000)

    it('leaves no plaintext of a subject or body in the profile folders', () => {
      const files = (d: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
        )
      const all = [...files(join(dir, 'profile')), ...files(join(dir, 'core-profile'))]
      expect(all.some((f) => f.endsWith('.sealed'))).toBe(true)
      for (const file of all) {
        if (!statSync(file).isFile()) continue
        const bytes = readFileSync(file)
        for (const marker of [subjectMarker, bodyMarker, stamp, 'Anbei die Unterlagen', 'mandant.test'])
          expect(bytes.includes(Buffer.from(marker)), `${marker} in ${file}`).toBe(false)
      }
    })
  },
)
