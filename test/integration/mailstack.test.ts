import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault } from '../../main/core/keys/vault.ts'
import { MailStore } from '../../main/core/transport/mail-store.ts'
import { parseTransportTrail } from '../../main/core/transport/received-trail.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { hasMailStack, mailStackFix, startMailStack, type MailStack } from '../helpers/mail-stack.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/**
 * Against real Postfix (465 implicit TLS, 587 STARTTLS required, SASL via Dovecot) and real Dovecot
 * (993, 143 STARTTLS required) on a loopback address of its own (127.0.0.2 upwards) with a throwaway CA, driven through the built CLI.
 */
describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  'Zwangs-TLS with real Postfix and Dovecot',
  () => {
    let stack: MailStack
    let dir: string
    let cli: (args: string[]) => ReturnType<typeof runCli>
    const passphrase = 'integration-vault-passphrase'

    beforeAll(async () => {
      assertBuilt()
      stack = startMailStack()
      dir = await mkdtemp(join(tmpdir(), 'sp-integration-'))
      writeFileSync(join(dir, 'vault-pass'), `${passphrase}\n`)
      // The real keychain when the tests run in its session (fast); else the passphrase mode (scrypt per run).
      const base = [
        '--profile',
        join(dir, 'profile'),
        ...(hasKeyringSession ? [] : ['--vault-passphrase-file', join(dir, 'vault-pass')]),
        '--lang',
        'en',
      ]
      cli = (args) => runCli([...args, ...base])
      for (const [file, secret] of [
        ['advisor-pw', 'advisor-pw'],
        ['client-pw', 'client-pw'],
        ['wrong-pw', 'not-the-password'],
      ])
        writeFileSync(join(dir, file!), `${secret}\n`)
      const add = (name: string, user: string, pw: string, smtp: string, imap: string, security: string) =>
        cli([
          'accounts',
          'add',
          name,
          '--email',
          user,
          '--user',
          user,
          '--password-file',
          join(dir, pw),
          '--smtp',
          smtp,
          '--imap',
          imap,
          '--smtp-security',
          security,
          '--imap-security',
          security,
          '--ca',
          stack.caPath,
        ])
      expect(
        add('advisor', 'advisor@kanzlei.test', 'advisor-pw', `${stack.host}:10465`, `${stack.host}:10993`, 'tls')
          .status,
      ).toBe(0)
      expect(
        add('client', 'client@mandant.test', 'client-pw', `${stack.host}:10587`, `${stack.host}:10143`, 'starttls')
          .status,
      ).toBe(0)
      expect(
        add(
          'advisor-wrong',
          'advisor@kanzlei.test',
          'wrong-pw',
          `${stack.host}:10587`,
          `${stack.host}:10143`,
          'starttls',
        ).status,
      ).toBe(0)
    })
    afterAll(async () => {
      stack?.stop()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    const message = (from: string, to: string, id: string) => {
      const bytes = Buffer.from(
        `From: ${from}\r\nTo: ${to}\r\nSubject: Jahresabschluss ${id}\r\nDate: Wed, 25 Nov 2026 10:00:00 +0100\r\nMessage-ID: <${id}@kanzlei.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei der Entwurf. ${id}\r\n`,
      )
      const path = join(dir, `${id}.eml`)
      writeFileSync(path, bytes)
      return { bytes, path }
    }
    const lf = (bytes: Buffer) => bytes.toString('latin1').replace(/\r\n/g, '\n')
    const maildir = (domain: string, user: string, folder = '') => {
      const base = join(stack.root, 'maildirs', domain, user, folder)
      return ['new', 'cur'].flatMap((sub) => {
        try {
          return readdirSync(join(base, sub)).map((name) => readFileSync(join(base, sub, name)))
        } catch {
          return []
        }
      })
    }

    it.skipIf(!hasKeyringSession)(
      'keeps the account password in the OS keychain (Siegelpost / mail:<profile>:<name>), not in the profile',
      () => {
        const stored = execFileSync(
          'secret-tool',
          ['lookup', 'service', 'Siegelpost', 'username', `mail:${join(dir, 'profile')}:advisor`],
          { encoding: 'utf8' },
        )
        expect(stored).toBe('advisor-pw')
        for (const file of readdirSync(join(dir, 'profile')))
          expect(readFileSync(join(dir, 'profile', file)).includes('advisor-pw'), file).toBe(false)
      },
    )

    it('accounts test reports TLS version, cipher, certificate subject and REQUIRETLS for both servers', () => {
      const run = cli(['accounts', 'test', 'advisor', '--json'])
      expect(run.status, run.stderr).toBe(0)
      const report = JSON.parse(run.stdout)
      expect(report.smtp).toMatchObject({ ok: true, requiretls: false, tls: { subject: 'CN=mail.kanzlei.test' } })
      expect(report.smtp.tls.version).toMatch(/^TLSv1\.[23]$/)
      expect(report.imap).toMatchObject({ ok: true, tls: { subject: 'CN=mail.kanzlei.test' } })
      const starttls = JSON.parse(cli(['accounts', 'test', 'client', '--json']).stdout)
      expect(starttls.smtp.ok && starttls.imap.ok).toBe(true)
    })

    it('lists the folders over TLS with their roles (fetch --list-folders)', () => {
      const run = cli(['fetch', '--account', 'advisor', '--list-folders', '--json'])
      expect(run.status, run.stderr).toBe(0)
      const listed = JSON.parse(run.stdout)
      expect(listed.tls.version).toMatch(/^TLSv1\.[23]$/)
      expect(listed.folders).toEqual([
        {
          path: 'INBOX',
          name: 'INBOX',
          delimiter: '/',
          specialUse: '\\Inbox',
          subscribed: expect.any(Boolean),
          selectable: true,
        },
        { path: 'Sent', name: 'Sent', delimiter: '/', specialUse: '\\Sent', subscribed: true, selectable: true },
      ])
      const text = cli(['fetch', '--account', 'client', '--list-folders'])
      expect(text.status, text.stderr).toBe(0)
      expect(text.stdout).toBe('INBOX  \\Inbox\nSent  \\Sent\n')
      const both = cli(['fetch', '--account', 'client', '--list-folders', '--folder', 'Sent'])
      expect(both.status).toBe(2)
    })

    it('sends advisor → client over 465, appends the Sent copy, and the client fetches it over 143 STARTTLS', async () => {
      const { bytes, path } = message('Advisor <advisor@kanzlei.test>', 'client@mandant.test', 'a2c')
      const run = cli(['send', path, '--account', 'advisor', '--json'])
      expect(run.status, run.stderr).toBe(0)
      const outcome = JSON.parse(run.stdout)
      expect(outcome).toMatchObject({
        state: 'sent',
        reason: null,
        tls: { requiretls: false },
        sentCopy: { state: 'ok', detail: 'Sent' },
      })
      // The Sent copy is what was sent (Maildir files keep LF line ends; IMAP serves them as CRLF).
      expect(maildir('kanzlei.test', 'advisor', '.Sent').map(lf)).toContain(lf(bytes))
      // Postfix delivered it unchanged below its own Received header, which records the TLS hop.
      await expect.poll(() => maildir('mandant.test', 'client').length, { timeout: 10_000 }).toBe(1)
      const delivered = maildir('mandant.test', 'client')[0]!
      expect(lf(delivered).endsWith(lf(bytes))).toBe(true)
      // The transport trail of the delivered mail shows Postfix's TLS hop.
      const trail = parseTransportTrail(delivered)
      expect(trail.tls).toBe('yes')
      expect(trail.hops[0]).toMatchObject({ by: 'mail.kanzlei.test', with: 'ESMTPSA', tls: true })
      expect(trail.hops[0]!.version).toMatch(/^TLSv1\.[23]$/)

      const fetched = cli(['fetch', '--account', 'client', '--json'])
      expect(fetched.status, fetched.stderr).toBe(0)
      const result = JSON.parse(fetched.stdout)
      expect(result.stored).toHaveLength(1)
      expect(result.tls.version).toMatch(/^TLSv1\.[23]$/)
      // The local store holds exactly the server's bytes, sealed (no plaintext on disk).
      const vault = await openVault({
        profileDir: join(dir, 'profile'),
        keySource: hasKeyringSession
          ? { mode: 'keychain', store: createOsKeychain() }
          : { mode: 'passphrase', passphrase: Buffer.from(passphrase) },
      })
      const store = new MailStore(join(dir, 'profile'), vault.deriveKey('messages'))
      expect(lf(store.raw(result.stored[0].id)!)).toBe(lf(delivered))
      store.close()
      expect(readFileSync(join(dir, 'profile', 'messages.sqlite')).includes('Anbei der Entwurf')).toBe(false)
      // A second fetch stores nothing new.
      expect(JSON.parse(cli(['fetch', '--account', 'client', '--json']).stdout).stored).toEqual([])
    })

    it('sends client → advisor over 587 STARTTLS', async () => {
      const { path } = message('client@mandant.test', 'advisor@kanzlei.test', 'c2a')
      const run = cli(['send', path, '--account', 'client', '--json'])
      expect(run.status, run.stderr).toBe(0)
      await expect.poll(() => maildir('kanzlei.test', 'advisor').length, { timeout: 10_000 }).toBe(1)
    })

    it('holds the mail with the reason when the password is wrong (exit 3)', () => {
      const { path } = message('advisor@kanzlei.test', 'client@mandant.test', 'wrongpw')
      const run = cli(['send', path, '--account', 'advisor-wrong', '--json'])
      expect(run.status).toBe(3)
      const outcome = JSON.parse(run.stdout)
      expect(outcome).toMatchObject({ state: 'held', reasonCode: 'SMTP_AUTH_FAILED' })
      expect(outcome.reason).toMatch(/refused the login \(535/)
      const list = JSON.parse(cli(['outbox', 'list', '--json']).stdout) as { outboxId: string; state: string }[]
      expect(list.find((e) => e.outboxId === outcome.outboxId)?.state).toBe('held')
    })

    it('holds under "policy set requiretls require": Postfix 3.7 does not offer REQUIRETLS', () => {
      expect(cli(['policy', 'set', 'requiretls', 'require']).status).toBe(0)
      try {
        const { path } = message('advisor@kanzlei.test', 'client@mandant.test', 'strict')
        const run = cli(['send', path, '--account', 'advisor', '--json'])
        expect(run.status).toBe(3)
        expect(JSON.parse(run.stdout)).toMatchObject({ state: 'held', reasonCode: 'SMTP_REQUIRETLS_UNSUPPORTED' })
      } finally {
        expect(cli(['policy', 'set', 'requiretls', 'request']).status).toBe(0)
      }
    })

    it('delivers to Bcc recipients without showing them to anyone: no Bcc field leaves, the Sent copy keeps it', async () => {
      const before = {
        client: maildir('mandant.test', 'client').length,
        advisor: maildir('kanzlei.test', 'advisor').length,
      }
      const bytes = Buffer.from(
        'From: advisor@kanzlei.test\r\nTo: client@mandant.test\r\nBcc: Kanzlei-Akte <advisor@kanzlei.test>\r\nSubject: Bescheid\r\nMessage-ID: <bcc@kanzlei.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDer Bescheid ist da.\r\n',
      )
      const path = join(dir, 'bcc.eml')
      writeFileSync(path, bytes)
      const run = cli(['send', path, '--account', 'advisor', '--json'])
      expect(run.status, run.stderr).toBe(0)
      await expect.poll(() => maildir('mandant.test', 'client').length, { timeout: 10_000 }).toBe(before.client + 1)
      await expect.poll(() => maildir('kanzlei.test', 'advisor').length, { timeout: 10_000 }).toBe(before.advisor + 1)
      const delivered = [...maildir('mandant.test', 'client'), ...maildir('kanzlei.test', 'advisor')].filter((m) =>
        m.includes('<bcc@kanzlei.test>'),
      )
      expect(delivered).toHaveLength(2)
      // (Postfix would strip it too; test/security/starttls-stripping.test.ts proves we do for servers that don't.)
      for (const mail of delivered) expect(mail.toString('latin1')).not.toMatch(/^bcc:|Kanzlei-Akte/im)
      expect(maildir('kanzlei.test', 'advisor', '.Sent').map(lf)).toContain(lf(bytes))
    })
  },
)
