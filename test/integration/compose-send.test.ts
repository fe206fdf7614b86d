import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { startSmtpServer } from '../helpers/hostile-servers.ts'
import { passphraseProfileCli } from '../helpers/large-message.ts'
import { aliceSender, type AliceSender } from '../helpers/alice-sender.ts'
import {
  deliveredMail,
  hasMailStack,
  mailStackFix,
  stackAccountArgs,
  startMailStack,
  type MailStack,
} from '../helpers/mail-stack.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCliAsync, type CliRun } from '../helpers/run-cli.ts'
import { hasOpenssl, makeTestPki, openssl, type TestPki } from '../helpers/smime-pki.ts'

/**
 * compose --send with the real Postfix and Dovecot: one mail to an S/MIME recipient, an OpenPGP
 * recipient, a client with documented TLS consent and a Bcc recipient (OpenPGP) becomes one copy per
 * protection and one for the Bcc; openssl and gpg decrypt what arrived; the Bcc address is in no other
 * copy; Sent holds one item, encrypted to the sender only. Then kill -9 between copies, and a copy over
 * the server's SIZE.
 */
const spawnSyncChecked = (command: string, args: string[]) => spawnSync(command, args).status
const bin = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
const available = hasMailStack && hasOpenssl && hasGpg
const fix = `${mailStackFix}; apt-get install openssl gnupg`

describe.skipIf(skipUnless('Postfix, Dovecot, openssl and gpg', available, fix))(
  'compose --send: split sending through real Postfix and Dovecot',
  () => {
    let stack: MailStack
    let dir: string
    let pki: TestPki
    let gpg: GpgHome
    let cli: (args: string[]) => CliRun
    let alice: AliceSender
    const profileArgs = () => ['--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass')]

    const unfold = (bytes: Buffer | string) => bytes.toString('latin1').replace(/\r?\n[ \t]+/g, ' ')
    const decryptSmime = (mail: Buffer, who: 'alice' | 'fran') =>
      openssl(['cms', '-decrypt', '-recip', `${who}.pem`, '-inkey', `${who}.key`], { cwd: pki.dir, input: mail })
    const decryptPgp = (mail: Buffer, passphrase: string) => {
      const result = gpg.run(['--passphrase', passphrase, '--decrypt'], mail)
      expect(result.statusLines, result.stderr).toContain('DECRYPTION_OKAY')
      return result.stdout
    }

    /** Key ids of the encryption subkeys an OpenPGP message is encrypted to (gpg's ENC_TO, without decrypting). */
    const encryptedTo = (mail: Buffer) =>
      gpg
        .run(['--list-only', '--decrypt'], mail)
        .statusLines.filter((l) => l.startsWith('ENC_TO '))
        .map((l) => l.split(' ')[1]!)
    const subkeyOf = (address: string) =>
      /^sub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(
        gpg.ok(['--with-colons', '--list-keys', address]).stdout.toString('utf8'),
      )![1]!

    beforeAll(async () => {
      assertBuilt()
      stack = startMailStack()
      dir = await mkdtemp(join(tmpdir(), 'sp-compose-send-'))
      await mkdir(join(dir, 'pki'))
      pki = makeTestPki(join(dir, 'pki'))
      gpg = new GpgHome()
      gpg.generate('Max Mandant <max@mandant.test>', 'max-pass')
      gpg.generate('Kanzlei-Archiv <archiv@kanzlei.test>', 'archiv-pass')
      writeFileSync(join(dir, 'body.txt'), 'Guten Tag,\nanbei der Jahresabschluss 2025 zur Freigabe.\n')
      writeFileSync(
        join(dir, 'jahresabschluss.pdf'),
        Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024)]),
      )
      cli = passphraseProfileCli(dir)
      alice = aliceSender({
        stack,
        dir,
        pki,
        gpg,
        openpgpRecipients: ['max@mandant.test', 'archiv@kanzlei.test'],
        account: 'alice',
        consentExtra: ['--note', 'Brief vom 1.11.2026'],
      })
      for (const args of alice.runs) {
        const run = cli(args)
        expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0)
      }
    }, 120_000)
    afterAll(async () => {
      stack?.stop()
      gpg?.close()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    const recipients = ['--to', 'fran@example.org', '--to', 'max@mandant.test', '--cc', 'client@mandant.test']
    const mail = (subject: string) => [
      'compose',
      '--from',
      'alice@example.org',
      ...recipients,
      '--subject',
      subject,
      '--body-file',
      join(dir, 'body.txt'),
      '--attach',
      join(dir, 'jahresabschluss.pdf'),
    ]

    it('--plan says what each recipient gets and why, and writes nothing', () => {
      const run = cli([
        ...mail('Plan'),
        '--bcc',
        'archiv@kanzlei.test',
        '--bcc',
        'unbekannt@firma.de',
        '--plan',
        '--json',
      ])
      expect(run.status, run.stderr).toBe(0)
      const plan = JSON.parse(run.stdout)
      expect(
        plan.recipients.map((r: { address: string; protection: string; code: string }) => [
          r.address,
          r.protection,
          r.code,
        ]),
      ).toEqual([
        ['fran@example.org', 'smime', 'RECIPIENT_E2E_UNVERIFIED'],
        ['max@mandant.test', 'openpgp', 'RECIPIENT_E2E_UNVERIFIED'],
        ['client@mandant.test', 'tls', 'RECIPIENT_TLS_CONSENT'],
        ['archiv@kanzlei.test', 'openpgp', 'RECIPIENT_E2E_UNVERIFIED'],
        ['unbekannt@firma.de', 'blocked', 'RECIPIENT_NO_KEY'],
      ])
      expect(plan.recipients[2]).toMatchObject({
        key: null,
        consent: { channel: 'tls', by: 'Anna Beraterin' },
        why: expect.stringContaining('Zwangs-TLS'),
      })
      expect(plan.messages).toBe(4)
    })

    it('refuses the whole mail when one recipient is blocked: nothing queued, one line naming it and the ways out (exit 1)', () => {
      const run = cli([
        ...mail('Blockiert'),
        '--bcc',
        'unbekannt@firma.de',
        '--send',
        '--account',
        'alice',
        '--json',
        '--lang',
        'en',
      ])
      expect(run.status).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.errorLines).toEqual([
        expect.stringMatching(
          /^siegelpost: Nothing composed and nothing sent – no secure way to send to unbekannt@firma\.de\. .*Ways out: import/,
        ),
      ])
      expect(JSON.parse(cli(['outbox', 'list', '--json']).stdout)).toEqual([])
    })

    it('sends one copy per protection and one per Bcc recipient; each mailbox gets exactly its protection', async () => {
      const run = cli([
        ...mail('Jahresabschluss 2025'),
        '--bcc',
        'archiv@kanzlei.test',
        '--send',
        '--account',
        'alice',
        '--json',
        '--progress',
        '--lang',
        'en',
      ])
      expect(run.status, run.stderr).toBe(0)
      // Progress per copy on stderr; stdout is the JSON document alone.
      expect(run.errorLines).toEqual([
        'siegelpost: copy 1/4 sent (S/MIME, fran@example.org)',
        'siegelpost: copy 2/4 sent (OpenPGP, max@mandant.test)',
        'siegelpost: copy 3/4 sent (enforced TLS only, client@mandant.test)',
        'siegelpost: copy 4/4 sent (OpenPGP, archiv@kanzlei.test)',
      ])
      const result = JSON.parse(run.stdout)
      expect(
        result.messages.map((m: { recipients: string[]; protection: string; state: string }) => [
          m.recipients,
          m.protection,
          m.state,
        ]),
      ).toEqual([
        [['fran@example.org'], 'smime', 'sent'],
        [['max@mandant.test'], 'openpgp', 'sent'],
        [['client@mandant.test'], 'tls', 'sent'],
        [['archiv@kanzlei.test'], 'openpgp', 'sent'],
      ])
      expect(result.sentCopy).toEqual({ state: 'ok', detail: 'Sent' })
      const outbox = JSON.parse(cli(['outbox', 'list', '--json']).stdout) as {
        groupId: string
        state: string
        messageId: string
        protection: string
        consents: { recipient: string; target: string; channel: string; by: string }[]
      }[]
      expect(outbox.map((e) => [e.groupId, e.state])).toEqual(Array(4).fill([result.groupId, 'sent']))
      // The Outbox records which consent allowed the copy without end-to-end encryption.
      expect(outbox.map((e) => [e.protection, e.consents])).toEqual([
        ['smime', []],
        ['openpgp', []],
        [
          'tls',
          [
            {
              recipient: 'client@mandant.test',
              target: 'client@mandant.test',
              channel: 'tls',
              by: 'Anna Beraterin',
              date: expect.any(String),
            },
          ],
        ],
        ['openpgp', []],
      ])
      // The copies of one mail share its Message-ID.
      expect(new Set(outbox.map((e) => e.messageId)).size).toBe(1)

      for (const address of ['fran@example.org', 'max@mandant.test', 'client@mandant.test', 'archiv@kanzlei.test']) {
        await expect.poll(() => deliveredMail(stack, address).length, { timeout: 15_000 }).toBe(1)
      }
      const [fran] = deliveredMail(stack, 'fran@example.org')
      const [max] = deliveredMail(stack, 'max@mandant.test')
      const [client] = deliveredMail(stack, 'client@mandant.test')
      const [archiv] = deliveredMail(stack, 'archiv@kanzlei.test')
      // S/MIME: enveloped for Fran (and the sender); openssl decrypts it and verifies the signature inside.
      expect(unfold(fran!)).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=(auth)?enveloped-data/im)
      const franInner = decryptSmime(fran!, 'fran')
      const franContent = openssl(['cms', '-verify', '-CAfile', pki.ca.certFile], { cwd: pki.dir, input: franInner })
      expect(franContent.toString('latin1')).toContain('anbei der Jahresabschluss 2025')
      // OpenPGP for Max and for the Bcc archive: gpg decrypts each with its own key.
      expect(unfold(max!)).toMatch(/^Content-Type: multipart\/encrypted; protocol="application\/pgp-encrypted"/m)
      const maxInner = decryptPgp(max!, 'max-pass')
      expect(maxInner.toString('latin1')).toContain('Jahresabschluss 2025')
      const archivInner = decryptPgp(archiv!, 'archiv-pass')
      expect(archivInner.toString('latin1')).toContain('Jahresabschluss 2025')
      // Each OpenPGP copy names only its own recipient's key (and the sender's): the Bcc copy is not
      // encrypted to Max, nor Max's to the archive.
      expect(encryptedTo(archiv!)).toContain(subkeyOf('archiv@kanzlei.test'))
      expect(encryptedTo(archiv!)).not.toContain(subkeyOf('max@mandant.test'))
      expect(encryptedTo(max!)).toContain(subkeyOf('max@mandant.test'))
      expect(encryptedTo(max!)).not.toContain(subkeyOf('archiv@kanzlei.test'))
      expect(encryptedTo(max!)).toHaveLength(2)
      // TLS by consent: not encrypted, signed with a detached S/MIME signature (never OpenPGP) that openssl verifies.
      expect(unfold(client!)).toMatch(/^Content-Type: multipart\/signed; .*protocol="application\/pkcs7-signature"/m)
      expect(client!.toString('latin1')).not.toContain('BEGIN PGP')
      expect(
        openssl(['cms', '-verify', '-CAfile', pki.ca.certFile], { cwd: pki.dir, input: client! }).toString('latin1'),
      ).toContain('Jahresabschluss 2025')
      // Postfix received every copy over TLS, one recipient per copy.
      for (const copy of [fran, max, client, archiv]) expect(unfold(copy!)).toMatch(/\(using TLSv1\.[23]/)

      // The Bcc address is in no other copy: not in the bytes that arrived, not in what they decrypt to.
      for (const bytes of [fran!, max!, client!, franInner, maxInner])
        expect(bytes.toString('latin1')).not.toMatch(/archiv/i)
      expect(unfold(archiv!)).not.toMatch(/^Bcc:/im)

      // Sent: one item for the mail, encrypted to the sender only, with every recipient and what each got.
      const sent = deliveredMail(stack, 'alice@example.org', '.Sent')
      expect(sent).toHaveLength(1)
      expect(unfold(sent[0]!)).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=(auth)?enveloped-data/im)
      expect(unfold(sent[0]!)).not.toMatch(/archiv|Jahresabschluss 2025/)
      const sentInner = unfold(
        openssl(['cms', '-verify', '-CAfile', pki.ca.certFile], {
          cwd: pki.dir,
          input: decryptSmime(sent[0]!, 'alice'),
        }),
      )
      expect(sentInner).toMatch(/^Bcc: archiv@kanzlei\.test\r?$/m)
      for (const line of [
        'fran@example.org; field=to; protection=smime',
        'max@mandant.test; field=to; protection=openpgp',
        'client@mandant.test; field=cc; protection=tls',
        'archiv@kanzlei.test; field=bcc; protection=openpgp',
      ]) {
        expect(sentInner).toContain(`Siegelpost-Delivery: ${line}`)
      }
      expect(sentInner).toContain('consent=tls; consent-target=client@mandant.test')
      expect(() => decryptSmime(sent[0]!, 'fran')).toThrow()
    })

    it('kill -9 between copies loses and duplicates nothing: the rest goes out once with the next run, Sent gets one item', async () => {
      let auths = 0
      let isPaused = true
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      // A submission server with the stack's certificate on the stack's address: it stops at the second AUTH.
      const server = await startSmtpServer({
        secure: true,
        key: readFileSync(join(stack.root, 'pki', 'server.key.pem')),
        cert: readFileSync(join(stack.root, 'pki', 'server.pem')),
        listenHost: stack.host,
        hooks: { onAuth: () => (++auths === 2 && isPaused ? gate : Promise.resolve()) },
      })
      try {
        const add = cli([
          'accounts',
          'add',
          'gate',
          '--email',
          'alice@example.org',
          '--user',
          'alice@example.org',
          '--password-file',
          alice.passwordFile,
          '--smtp',
          `${stack.host}:${server.port}`,
          '--imap',
          `${stack.host}:10993`,
          '--smtp-security',
          'tls',
          '--imap-security',
          'tls',
          '--ca',
          stack.caPath,
        ])
        expect(add.status, add.stderr).toBe(0)
        const sentBefore = deliveredMail(stack, 'alice@example.org', '.Sent').length
        const child = spawn(
          process.execPath,
          [bin, ...mail('Unterbrochen'), '--send', '--account', 'gate', '--json', ...profileArgs()],
          {
            stdio: 'ignore',
            env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' },
          },
        )
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        await expect.poll(() => auths, { timeout: 60_000 }).toBe(2)
        child.kill('SIGKILL')
        await exited
        isPaused = false
        release()
        // The first copy went out; the group is in the Outbox, the rest queued — nothing lost.
        const cliAsync = (args: string[]) =>
          runCliAsync([...args, ...profileArgs()], {
            env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' },
          })
        type Entry = { groupId: string; state: string; subject: string; recipients: string[]; messageId: string }
        const interrupted = (JSON.parse((await cliAsync(['outbox', 'list', '--json'])).stdout) as Entry[]).filter(
          (e) => e.subject === 'Unterbrochen',
        )
        expect(interrupted.map((e) => [e.recipients, e.state])).toEqual([
          [['fran@example.org'], 'sent'],
          [['max@mandant.test'], 'queued'],
          [['client@mandant.test'], 'queued'],
        ])
        expect(new Set(interrupted.map((e) => e.groupId)).size).toBe(1)
        expect(server.record.messages).toHaveLength(1)

        // The next send takes the released copies along, once each.
        const next = await cliAsync([
          'compose',
          '--from',
          'alice@example.org',
          '--to',
          'client@mandant.test',
          '--subject',
          'Danach',
          '--body-file',
          join(dir, 'body.txt'),
          '--send',
          '--account',
          'gate',
          '--json',
        ])
        expect(next.status, next.stderr).toBe(0)
        const after = (
          JSON.parse((await cliAsync(['outbox', 'list', '--json'])).stdout) as { state: string; subject: string }[]
        ).filter((e) => e.subject === 'Unterbrochen')
        expect(after.map((e) => e.state)).toEqual(['sent', 'sent', 'sent'])
        const groupMessageId = interrupted[0]!.messageId
        expect(
          server.record.messages.filter((m) => m.toString('latin1').includes(`Message-ID: ${groupMessageId}`)),
        ).toHaveLength(3)
        expect(server.record.rcptTo.filter((a) => a === 'fran@example.org')).toHaveLength(1)
        expect(server.record.rcptTo.filter((a) => a === 'max@mandant.test')).toHaveLength(1)
        expect(server.record.rcptTo.filter((a) => a === 'client@mandant.test')).toHaveLength(2)
        // One Sent item for each mail: the interrupted one (appended by the run that finished it) and the next.
        const sent = deliveredMail(stack, 'alice@example.org', '.Sent')
        expect(sent.length - sentBefore).toBe(2)
      } finally {
        release()
        await server.close()
      }
    })

    describe('with a 20 MiB message_size_limit', () => {
      let small: MailStack
      beforeAll(() => {
        small = startMailStack({ messageSizeLimit: 20 * 1024 * 1024 })
        const add = cli(stackAccountArgs(small, 'small', 'alice@example.org', alice.passwordFile))
        expect(add.status, add.stderr).toBe(0)
        writeFileSync(join(dir, 'gross.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(17 * 1024 * 1024)]))
      }, 120_000)
      afterAll(() => small?.stop())

      it("holds a copy larger than the server's EHLO SIZE with the limit named, before any byte of it is sent (exit 3)", async () => {
        const run = cli([
          'compose',
          '--from',
          'alice@example.org',
          '--to',
          'client@mandant.test',
          '--subject',
          'Groß',
          '--body-file',
          join(dir, 'body.txt'),
          '--attach',
          join(dir, 'gross.pdf'),
          '--send',
          '--account',
          'small',
          '--json',
          '--lang',
          'en',
        ])
        expect(run.status, run.stderr).toBe(3)
        const result = JSON.parse(run.stdout)
        expect(result.messages).toEqual([
          expect.objectContaining({
            recipients: ['client@mandant.test'],
            protection: 'tls',
            state: 'held',
            reasonCode: 'SMTP_MESSAGE_TOO_LARGE',
          }),
        ])
        expect(result.messages[0].reason).toMatch(/takes at most 20\.0 MiB \(SIZE 20971520 bytes\)/)
        expect(result.sentCopy).toBeNull()
        // Postfix saw EHLO and QUIT only: no AUTH, no MAIL FROM, nothing delivered.
        const log = readFileSync(join(small.root, 'log', 'postfix.log'), 'utf8')
        expect(log).toMatch(/postfix\/submissions\/smtpd\[\d+\]: disconnect from \S+ ehlo=1 quit=1 commands=2/)
        expect(log).not.toMatch(/from=<alice@example\.org>/)
        expect(deliveredMail(small, 'client@mandant.test')).toEqual([])
        expect(deliveredMail(small, 'alice@example.org', '.Sent')).toEqual([])
      }, 120_000)
    })

    it('a container recipient gets a password PDF of its own with a password of its own, shown once and stored nowhere', async () => {
      writeFileSync(join(dir, 'standing'), 'Rheinufer-Kaffee-Morgen-42\n')
      for (const args of [
        ['policy', 'consent', 'advisor@kanzlei.test', '--channel', 'container', '--by', 'Anna Beraterin'],
        [
          'policy',
          'consent',
          'client@mandant.test',
          '--channel',
          'container',
          '--by',
          'Anna Beraterin',
          '--password-file',
          join(dir, 'standing'),
          '--transmitted',
          'post',
        ],
      ]) {
        const setup = cli(args)
        expect(setup.status, setup.stderr).toBe(0)
      }
      const run = cli([
        'compose',
        '--from',
        'alice@example.org',
        '--to',
        'fran@example.org',
        '--to',
        'advisor@kanzlei.test',
        '--bcc',
        'client@mandant.test',
        '--subject',
        'Lohnabrechnung Dezember',
        '--body-file',
        join(dir, 'body.txt'),
        '--attach',
        join(dir, 'jahresabschluss.pdf'),
        '--encrypt',
        'auto',
        '--send',
        '--account',
        'alice',
        '--json',
      ])
      expect(run.status, run.stderr).toBe(0)
      const result = JSON.parse(run.stdout) as {
        messages: { recipients: string[]; protection: string; state: string; containerPassword?: string }[]
      }
      expect(result.messages.map((m) => [m.recipients, m.protection, m.state])).toEqual([
        [['fran@example.org'], 'smime', 'sent'],
        [['advisor@kanzlei.test'], 'container', 'sent'],
        [['client@mandant.test'], 'container', 'sent'],
      ])
      const generated = result.messages[1]!.containerPassword!
      expect(generated).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){5}$/)
      // The standing password is not printed: the client has it already (an earlier TLS consent is superseded).
      expect(result.messages[2]!.containerPassword).toBeUndefined()
      for (const [address, password] of [
        ['advisor@kanzlei.test', generated],
        ['client@mandant.test', 'Rheinufer-Kaffee-Morgen-42'],
      ] as const) {
        const arrived = deliveredMail(stack, address).find((m) =>
          unfold(m).includes('Vertrauliche Nachricht / Confidential message'),
        )!
        expect(arrived, address).toBeDefined()
        const text = unfold(arrived)
        for (const secret of ['Lohnabrechnung', 'Jahresabschluss 2025 zur Freigabe', 'jahresabschluss.pdf', password]) {
          expect(text, `${address}: ${secret}`).not.toContain(secret)
        }
        expect(text).not.toMatch(/^Bcc:/im)
        const pdf = Buffer.from(
          /Content-Type: application\/pdf[\s\S]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(arrived.toString('latin1'))![1]!,
          'base64',
        )
        const pdfPath = join(dir, `${address}.pdf`)
        writeFileSync(pdfPath, pdf)
        const out = join(dir, `${address}-files`)
        await mkdir(out)
        const detach = spawnSyncChecked('pdfdetach', ['-upw', password, '-saveall', '-o', out, pdfPath])
        expect(detach, address).toBe(0)
        expect(readFileSync(join(out, 'jahresabschluss.pdf'))).toEqual(readFileSync(join(dir, 'jahresabschluss.pdf')))
        expect(spawnSyncChecked('pdfdetach', ['-upw', 'abcd-efgh-jkmn-pqrs-tuvw-xyz2', '-list', pdfPath])).not.toBe(0)
      }
      // Neither password is in the profile (Outbox, policy, stores) in clear.
      const scan = (folder: string): string[] =>
        readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? scan(join(folder, e.name)) : [join(folder, e.name)],
        )
      for (const file of scan(join(dir, 'profile'))) {
        const bytes = readFileSync(file)
        for (const password of [generated, 'Rheinufer-Kaffee-Morgen-42'])
          expect(bytes.includes(Buffer.from(password)), file).toBe(false)
      }
    })
  },
)
