import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { passphraseProfileCli, peakRssMiB } from '../helpers/large-message.ts'
import { aliceSender } from '../helpers/alice-sender.ts'
import { deliveredMail, hasMailStack, mailStackFix } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { skipUnless } from '../helpers/needs.ts'
import type { CliRun } from '../helpers/run-cli.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'

/**
 * compose --send of a large mail (a 5 MiB, a 1-byte and an empty attachment) to an S/MIME recipient, an
 * OpenPGP recipient and a client with TLS consent through the real Postfix and Dovecot: the composer's
 * streamed copies go through the Outbox's sealed chunk files into SMTP. openssl and gpg decrypt and verify
 * what Dovecot stored, and every attachment comes out byte for byte — in each copy and in the Sent item.
 * No chunk file is left once everything went out.
 */
const available = hasMailStack && hasOpenssl && hasGpg
/** openssl with room for a 5 MiB message on stdout. */
const openssl = (args: string[], options: { cwd: string; input?: Buffer }) =>
  execFileSync('openssl', args, { ...options, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28 })

describe.skipIf(skipUnless('Postfix, Dovecot, openssl and gpg', available, `${mailStackFix}; apt-get install gnupg`))(
  'compose --send of large mail through the Outbox chunk files',
  () => {
    const suite = mailStackSuite('sp-compose-send-large-', { messageSizeLimit: 32 * 1024 * 1024 })
    let pki: TestPki
    let gpg: GpgHome
    let cli: (args: string[], env?: Record<string, string>) => CliRun
    const attachments = {
      'anlage.pdf': randomBytes(5 * 1024 * 1024),
      'ein-byte.bin': randomBytes(1),
      'leer.bin': Buffer.alloc(0),
    }

    /** The decoded body of the part named `name` (base64, as the composer writes attachments). */
    const attachment = (mime: Buffer, name: string): Buffer => {
      const text = mime.toString('latin1')
      const at = text.search(new RegExp(`filename="?${name.replace('.', '\\.')}"?`))
      expect(at, name).toBeGreaterThan(0)
      const start = /\r?\n\r?\n/.exec(text.slice(at))!
      const bodyStart = at + start.index + start[0].length
      const end = text.indexOf('\n--', bodyStart)
      return Buffer.from(text.slice(bodyStart, end).replace(/\s+/g, ''), 'base64')
    }
    const expectAttachments = (mime: Buffer, where: string) => {
      for (const [name, bytes] of Object.entries(attachments))
        expect(attachment(mime, name).equals(bytes), `${name} in ${where}`).toBe(true)
    }
    const verify = (input: Buffer) => openssl(['cms', '-verify', '-CAfile', pki.ca.certFile], { cwd: pki.dir, input })
    const decryptSmime = (mail: Buffer, who: 'alice' | 'fran') =>
      openssl(['cms', '-decrypt', '-recip', `${who}.pem`, '-inkey', `${who}.key`], { cwd: pki.dir, input: mail })

    beforeAll(async () => {
      await mkdir(join(suite.work, 'pki'))
      pki = makeTestPki(join(suite.work, 'pki'))
      gpg = new GpgHome()
      gpg.generate('Max Mandant <max@mandant.test>', 'max-pass')
      for (const [name, bytes] of Object.entries(attachments)) writeFileSync(join(suite.work, name), bytes)
      writeFileSync(join(suite.work, 'body.txt'), 'Guten Tag,\nanbei die Unterlagen.\n')
      cli = passphraseProfileCli(suite.work)
      const alice = aliceSender({
        stack: suite.stack,
        dir: suite.work,
        pki,
        gpg,
        openpgpRecipients: ['max@mandant.test'],
        account: 'alice',
      })
      for (const args of alice.runs) {
        const run = cli(args)
        expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0)
      }
    }, 120_000)
    afterAll(async () => {
      gpg?.close()
    })

    it('every copy and the Sent item arrive whole: openssl and gpg decrypt and verify, attachments exact', async () => {
      const run = cli(
        [
          'compose',
          '--from',
          'alice@example.org',
          '--to',
          'fran@example.org',
          '--to',
          'max@mandant.test',
          '--cc',
          'client@mandant.test',
          '--subject',
          'Unterlagen',
          '--body-file',
          join(suite.work, 'body.txt'),
          ...Object.keys(attachments).flatMap((name) => ['--attach', join(suite.work, name)]),
          '--send',
          '--account',
          'alice',
          '--json',
        ],
        { SIEGELPOST_DEBUG_MAXRSS: '1' },
      )
      expect(run.status, run.stderr).toBe(0)
      const result = JSON.parse(run.stdout) as { messages: { state: string }[]; sentCopy: unknown }
      expect(result.messages.map((m) => m.state)).toEqual(['sent', 'sent', 'sent'])
      expect(result.sentCopy).toEqual({ state: 'ok', detail: 'Sent' })
      console.log(`compose --send 5 MiB to 3 recipients: peak RSS ${peakRssMiB(run.stderr).toFixed(0)} MiB`)
      expect(readdirSync(join(suite.work, 'profile', 'outbox-files'))).toEqual([])

      for (const address of ['fran@example.org', 'max@mandant.test', 'client@mandant.test'])
        await expect.poll(() => deliveredMail(suite.stack, address).length, { timeout: 30_000 }).toBe(1)
      // S/MIME: openssl decrypts Fran's copy and verifies the signature over its content.
      expectAttachments(
        verify(decryptSmime(deliveredMail(suite.stack, 'fran@example.org')[0]!, 'fran')),
        'the S/MIME copy',
      )
      // OpenPGP: gpg decrypts Max's copy (integrity protected).
      const max = gpg.run(['--passphrase', 'max-pass', '--decrypt'], deliveredMail(suite.stack, 'max@mandant.test')[0]!)
      expect(max.statusLines, max.stderr).toContain('DECRYPTION_OKAY')
      expectAttachments(max.stdout, 'the OpenPGP copy')
      // TLS by consent: the detached S/MIME signature verifies over the bytes Dovecot stored.
      expectAttachments(verify(deliveredMail(suite.stack, 'client@mandant.test')[0]!), 'the TLS copy')
      // The Sent item (appended from its chunk file): encrypted to the sender, the same attachments.
      const sent = deliveredMail(suite.stack, 'alice@example.org', '.Sent')
      expect(sent).toHaveLength(1)
      expectAttachments(verify(decryptSmime(sent[0]!, 'alice')), 'the Sent item')
    }, 300_000)
  },
)
