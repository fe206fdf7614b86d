import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { createAppCore } from '../../main/app-core.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { startAccountWatch, type WatchState } from '../../main/core/mailbox/account-watch.ts'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { openImap } from '../../main/core/transport/imap-session.ts'
import { doveadm } from '../helpers/mailbox-corpus.ts'
import {
  hasMailStack,
  mailStackFix,
  stackUserAccount,
  startMailStack,
  withoutCondstoreQresyncIdle,
  type MailStack,
} from '../helpers/mail-stack.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'
import { addStackAccountToProfile } from '../helpers/stack-account-profile.ts'
import { watchingCore } from '../helpers/watching-core.ts'

/**
 * New mail while the app runs, against the real Dovecot: the app core's watch (its own IMAP session on
 * INBOX) notices a delivery — by SMTP through the stack's Postfix, or `doveadm save` — runs the incremental
 * sync, and the window's `mailbox:changes` answers with the change; the message is in the sealed store
 * once, and the OS notification names neither subject nor sender. Run with IDLE and against a Dovecot
 * without IDLE (NOOP polling). A connection Dovecot drops (`doveadm kick`) is connected again.
 */
const user = 'advisor@kanzlei.test'
const passphrase = 'mailbox-watch-vault-passphrase'
const secretSubject = 'Geheimer Betreff Steuerbescheid'
const secretSender = 'poststelle@finanzamt.example'

const encryptedMail = (n: string) =>
  Buffer.from(
    [
      `From: Finanzamt Musterstadt <${secretSender}>`,
      `To: ${user}`,
      `Subject: ${secretSubject} ${n}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <watch-${n}-${Date.now()}@finanzamt.example>`,
      'MIME-Version: 1.0',
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`not really CMS ${n}`).toString('base64'),
      '',
    ].join('\r\n'),
  )

const variants = [
  { label: 'with IDLE', imapCapability: undefined, mode: 'idle', deliver: 'smtp' },
  { label: 'without IDLE (polling)', imapCapability: withoutCondstoreQresyncIdle, mode: 'poll', deliver: 'doveadm' },
] as const

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix)).each(variants)(
  'new mail while the app runs: Dovecot $label',
  (variant) => {
    let stack: MailStack
    let dir: string
    let core: ReturnType<typeof createAppCore>
    const notices: { title: string; body: string }[] = []
    const profile = () => join(dir, 'profile')

    const deliver = async (raw: Buffer) => {
      if (variant.deliver === 'doveadm') return void doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], raw)
      const smtp = createTransport({
        host: stack.host,
        port: stack.ports.submissions,
        secure: true,
        tls: { ca: readFileSync(stack.caPath) },
        auth: { user: 'client@mandant.test', pass: 'client-pw' },
      })
      await smtp.sendMail({ envelope: { from: 'client@mandant.test', to: [user] }, raw })
      smtp.close()
    }
    /** The sealed store as the app wrote it (a second reader of the same file). */
    const storedSubjects = async () => {
      const vault = await openVault({
        profileDir: profile(),
        keySource: { mode: 'passphrase', passphrase: Buffer.from(passphrase) },
      })
      const store = new MailStore(profile(), vault.deriveKey('messages'))
      try {
        return store.list({ account: 'kanzlei', folder: 'INBOX' }).map((row) => row.subject)
      } finally {
        store.close()
      }
    }
    const changes = (after: number) => core.handlers['mailbox:changes']({ after, lang: 'de' })

    beforeAll(async () => {
      assertBuilt()
      stack = startMailStack({ imapCapability: variant.imapCapability })
      dir = await mkdtemp(join(tmpdir(), 'sp-mailbox-watch-'))
      addStackAccountToProfile(stack, user, { profile: profile(), passphrase, dir })
      doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], 'Subject: schon da\r\nFrom: a@b.test\r\n\r\nalt\r\n')
      core = watchingCore(profile(), passphrase, { notify: (notice) => void notices.push(notice) })
    }, 120_000)
    afterAll(async () => {
      await core?.stop()
      stack?.stop()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it(`watches INBOX (${variant.mode}); the window's first sync fills the store without a notification`, async () => {
      const first = await changes(-1)
      expect(first.changes).toEqual([])
      await expect
        .poll(async () => (await changes(-1)).watching, { timeout: 20_000 })
        .toEqual([{ account: 'kanzlei', state: 'watching', mode: variant.mode }])
      // The watch leaves a folder the store never had to the window's sync ("the mailbox arriving").
      expect(await storedSubjects()).toEqual([])
      await core.handlers['mailbox:sync']({})
      await expect.poll(async () => (await core.handlers['mailbox:sync-status'](undefined)).isRunning).toBe(false)
      expect(await storedSubjects()).toEqual(['schon da'])
      expect(notices).toEqual([])
    }, 60_000)

    it(`delivered encrypted mail (${variant.deliver}): a change, stored once, no subject or sender`, async () => {
      const before = (await changes(-1)).seq
      const waiting = changes(before)
      await deliver(encryptedMail('1'))
      const answer = await waiting
      expect(answer.changes.length).toBeGreaterThan(0)
      const change = answer.changes.find((c) => c.stored > 0)!
      expect(change).toMatchObject({
        account: 'kanzlei',
        folder: 'INBOX',
        unread: 1,
        encrypted: 1,
        stored: 1,
      })
      const subjects = await storedSubjects()
      expect(subjects.filter((s) => s === `${secretSubject} 1`)).toHaveLength(1)
      expect(subjects).toHaveLength(2)
      expect(notices).toEqual([{ title: 'Siegelpost – kanzlei', body: 'Neue verschlüsselte Nachricht' }])
      expect(JSON.stringify(notices)).not.toMatch(/Geheimer|Steuerbescheid|finanzamt|Finanzamt/)
      expect(JSON.stringify(answer)).not.toMatch(/Geheimer|Steuerbescheid|finanzamt|Finanzamt/)
    }, 60_000)

    it('two more at once: one change per sync, each stored once, the notice counts them', async () => {
      const before = (await changes(-1)).seq
      notices.length = 0
      doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], encryptedMail('2'))
      doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], 'Subject: Klartext 3\r\nFrom: x@y.test\r\n\r\nz\r\n')
      await expect.poll(async () => (await storedSubjects()).length, { timeout: 20_000 }).toBe(4)
      const answer = await changes(before)
      expect(answer.changes.reduce((sum, c) => sum + c.stored, 0)).toBe(2)
      const subjects = await storedSubjects()
      expect(new Set(subjects).size).toBe(subjects.length)
      const bodies = notices.map((n) => n.body)
      expect(bodies.join(' | '), 'one notice for both, or one per sync when the two arrived apart').toMatch(
        new RegExp(
          '^(2 neue Nachrichten, davon 1 verschlüsselt' +
            '|Neue (verschlüsselte )?Nachricht \\| Neue (verschlüsselte )?Nachricht)$',
        ),
      )
    }, 60_000)

    it('new mail in another synced folder is noticed by STATUS on the same watch session', async () => {
      doveadm(stack, ['mailbox', 'create', '-u', user, 'Belege'])
      doveadm(stack, ['save', '-u', user, '-m', 'Belege'], 'Subject: Beleg alt\r\nFrom: x@y.test\r\n\r\nz\r\n')
      await core.handlers['mailbox:sync']({})
      await expect.poll(async () => (await core.handlers['mailbox:sync-status'](undefined)).isRunning).toBe(false)
      const belege = async () =>
        (await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'Belege' })).rows.map((r) => r.subject)
      expect(await belege()).toEqual(['Beleg alt'])
      const sessions = () =>
        doveadm(stack, ['who', user])
          .split('\n')
          .filter((line) => line.includes(user))
      const before = (await changes(-1)).seq
      notices.length = 0
      doveadm(stack, ['save', '-u', user, '-m', 'Belege'], 'Subject: Beleg neu\r\nFrom: x@y.test\r\n\r\nz\r\n')
      await expect.poll(belege, { timeout: 20_000 }).toEqual(['Beleg neu', 'Beleg alt'])
      const answer = await changes(before)
      expect(answer.changes.filter((c) => c.folder === 'Belege').reduce((sum, c) => sum + c.stored, 0)).toBe(1)
      expect(notices.map((n) => n.body)).toEqual(['Neue Nachricht'])
      // Still one watch session for the account (the syncs log out after each run).
      expect((await changes(-1)).watching).toEqual([{ account: 'kanzlei', state: 'watching', mode: variant.mode }])
      await expect.poll(() => sessions().map((line) => line.trim().split(/\s+/)[1]), { timeout: 10_000 }).toEqual(['1'])
    }, 60_000)

    it('a connection Dovecot drops is connected again, and mail delivered after is noticed', async () => {
      const account = stackUserAccount(stack, 'kanzlei', user)
      const states: WatchState[] = []
      let syncs = 0
      const watch = startAccountWatch({
        folder: 'INBOX',
        connect: () => openImap(account, 'advisor-pw'),
        sync: async () => void syncs++,
        onState: (state) => states.push(state),
        pollMs: 300,
        reconnectMinMs: 200,
      })
      try {
        await expect.poll(() => watch.state, { timeout: 20_000 }).toBe('watching')
        expect(watch.mode).toBe(variant.mode)
        expect(watch.connections).toBe(1)
        // Kicks every IMAP session of the user, the app core's watch too (it reconnects the same way).
        doveadm(stack, ['kick', user])
        await expect.poll(() => watch.connections, { timeout: 20_000 }).toBe(2)
        await expect.poll(() => watch.state, { timeout: 20_000 }).toBe('watching')
        expect(states).toContain('offline')
        const afterReconnect = syncs
        doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], 'Subject: nach dem Abbruch\r\n\r\nz\r\n')
        await expect.poll(() => syncs, { timeout: 20_000 }).toBeGreaterThan(afterReconnect)
      } finally {
        await watch.stop()
      }
      expect(watch.state).toBe('stopped')
      // The app core's watch was kicked too: it is back and stored the message exactly once.
      await expect.poll(async () => (await changes(-1)).watching[0]?.state, { timeout: 20_000 }).toBe('watching')
      await expect
        .poll(async () => (await storedSubjects()).filter((s) => s === 'nach dem Abbruch').length, { timeout: 20_000 })
        .toBe(1)
    }, 90_000)

    it('offline (Dovecot stopped): stored mail stays readable, the watch says offline and comes back', async () => {
      const conf = join(stack.root, 'dovecot', 'dovecot.conf')
      // The watch's connection goes (a stopped master leaves running sessions alone), then the server.
      doveadm(stack, ['kick', user])
      doveadm(stack, ['stop'])
      await expect.poll(async () => (await changes(-1)).watching[0]?.state, { timeout: 20_000 }).toBe('offline')
      const rows = await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'INBOX' })
      expect(rows.rows.map((r) => r.subject)).toContain(`${secretSubject} 1`)
      // Started again as mailstack.sh starts it (its own config, no terminal).
      execFileSync('dovecot', ['-c', conf], { stdio: 'ignore' })
      await expect
        .poll(async () => (await changes(-1)).watching[0]?.state, { timeout: 40_000, interval: 500 })
        .toBe('watching')
      const before = (await changes(-1)).seq
      doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], 'Subject: wieder da\r\nFrom: x@y.test\r\n\r\nz\r\n')
      const answer = await changes(before)
      expect(answer.changes.some((c) => c.stored === 1)).toBe(true)
      expect((await storedSubjects()).filter((s) => s === 'wieder da')).toHaveLength(1)
    }, 90_000)

    it('removing the account stops its watch; what it stored stays readable', async () => {
      expect((await changes(-1)).watching).toEqual([{ account: 'kanzlei', state: 'watching', mode: variant.mode }])
      expect(doveadm(stack, ['who', user])).toContain(user)
      await core.handlers['accounts:remove']({ name: 'kanzlei' })
      expect((await changes(-1)).watching).toEqual([])
      // The watch logged out: Dovecot lists no session of the user any more.
      await expect.poll(() => doveadm(stack, ['who', user]).includes(user), { timeout: 10_000 }).toBe(false)
      expect((await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'INBOX' })).rows).toHaveLength(6)
    }, 60_000)
  },
)
