import { writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { passphraseProfileCli } from '../helpers/large-message.ts'
import { doveadm } from '../helpers/mailbox-corpus.ts'
import { aliceSender } from '../helpers/alice-sender.ts'
import { deliveredMail, hasMailStack, mailStackFix } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { skipUnless } from '../helpers/needs.ts'
import {
  decryptPgp,
  decryptSmime,
  expectOk,
  mixed,
  readable,
  smimeEnveloped,
  textEntity,
} from '../helpers/reply-originals.ts'
import type { CliRun } from '../helpers/run-cli.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'

/**
 * `reply` and `forward` on a stored message, sent through the real Postfix and Dovecot: an S/MIME
 * encrypted mail from Fran (Cc: a client with documented TLS consent) arrives in Alice's INBOX and is
 * fetched; reply all sends Fran an S/MIME copy with the quote and the client a TLS copy with a note
 * instead of the quote and a neutral subject; forward re-encrypts the content and its attachment for
 * an OpenPGP recipient.
 */
const available = hasMailStack && hasOpenssl && hasGpg

describe.skipIf(skipUnless('Postfix, Dovecot, openssl and gpg', available, `${mailStackFix}; apt-get install gnupg`))(
  'reply and forward a stored message through real Postfix and Dovecot',
  () => {
    const suite = mailStackSuite('sp-reply-send-')
    let pki: TestPki
    let gpg: GpgHome
    let cli: (args: string[]) => CliRun
    let id: string

    const outerHeader = (bytes: Buffer) =>
      bytes
        .toString('latin1')
        .split(/\r?\n\r?\n/)[0]!
        .replace(/\r?\n[ \t]+/g, ' ')

    beforeAll(async () => {
      await mkdir(join(suite.work, 'pki'))
      pki = makeTestPki(join(suite.work, 'pki'))
      gpg = new GpgHome()
      gpg.generate('Max Mandant <max@mandant.test>', 'max-pass')
      writeFileSync(join(suite.work, 'body.txt'), 'Danke, ist angekommen.\n')
      cli = passphraseProfileCli(suite.work)
      const alice = aliceSender({
        stack: suite.stack,
        dir: suite.work,
        pki,
        gpg,
        openpgpRecipients: ['max@mandant.test'],
        account: 'alice',
      })
      for (const args of alice.runs) expectOk(cli(args))

      const fields = {
        From: 'Fran Mandantin <fran@example.org>',
        To: 'alice@example.org',
        Cc: 'client@mandant.test',
        Subject: 'Lohnabrechnung Dezember',
        Date: 'Thu, 03 Dec 2026 09:15:00 +0000',
        'Message-ID': '<lohn-12@example.org>',
        'MIME-Version': '1.0',
      }
      const inner = mixed(
        'lohn',
        textEntity('SHOWN-S: Die Lohnabrechnung Dezember.'),
        'Content-Type: application/pdf; name="lohn.pdf"\nContent-Disposition: attachment; filename="lohn.pdf"\n\n%PDF-1.7 LOHN-PDF\n',
      )
      doveadm(
        suite.stack,
        ['save', '-u', 'alice@example.org', '-m', 'INBOX'],
        smimeEnveloped(pki, pki.alice.certFile, fields, inner),
      )
      expectOk(cli(['fetch', '--account', 'alice']))
      const rows = JSON.parse(cli(['mail', 'list', '--json']).stdout) as { id: string }[]
      expect(rows).toHaveLength(1)
      id = rows[0]!.id
    }, 180_000)
    afterAll(async () => {
      gpg?.close()
    })

    it('reply all: the S/MIME recipient gets the quote, the TLS recipient a note and a neutral subject', async () => {
      const args = ['reply', id, '--all', '--body-file', join(suite.work, 'body.txt'), '--send', '--account', 'alice']
      const run = cli([...args, '--json', '--lang', 'en'])
      expect(run.status, run.stderr).toBe(0)
      const result = JSON.parse(run.stdout)
      expect(
        result.messages.map((m: { recipients: string[]; protection: string; state: string }) => [
          m.recipients,
          m.protection,
          m.state,
        ]),
      ).toEqual([
        [['fran@example.org'], 'smime', 'sent'],
        [['client@mandant.test'], 'tls', 'sent'],
      ])
      expect(result.reply).toMatchObject({
        to: ['fran@example.org'],
        cc: ['client@mandant.test'],
        subject: 'Re: Lohnabrechnung Dezember',
        inReplyTo: '<lohn-12@example.org>',
        quote: { endToEndOnly: true, quotedFor: ['fran@example.org'], noteFor: ['client@mandant.test'] },
      })
      await expect.poll(() => deliveredMail(suite.stack, 'fran@example.org').length, { timeout: 15_000 }).toBe(1)
      await expect.poll(() => deliveredMail(suite.stack, 'client@mandant.test').length, { timeout: 15_000 }).toBe(1)
      const [fran] = deliveredMail(suite.stack, 'fran@example.org')
      const [client] = deliveredMail(suite.stack, 'client@mandant.test')
      expect(outerHeader(fran!)).toMatch(/^In-Reply-To: <lohn-12@example\.org>$/m)
      const franText = decryptSmime(pki, fran!, 'fran')
      expect(franText).toContain('> SHOWN-S: Die Lohnabrechnung Dezember.')
      expect(franText).toContain('Subject: Re: Lohnabrechnung Dezember')
      // The TLS copy: the user's text and the note, never the quote or the protected subject.
      const clientText = readable(client!)
      expect(clientText).toContain('Danke, ist angekommen.')
      expect(clientText).toContain('[The quoted text was left out: the original message was encrypted')
      expect(clientText).not.toContain('SHOWN-S')
      expect(clientText).not.toContain('Lohnabrechnung')
      expect(outerHeader(client!)).toMatch(/^Subject: Re: Encrypted message$/m)
      expect(outerHeader(client!)).toMatch(/^In-Reply-To: <lohn-12@example\.org>$/m)
    })

    it('forward: the content and its attachment, encrypted anew with OpenPGP; a TLS recipient is refused', async () => {
      const refused = cli([
        'forward',
        id,
        '--to',
        'client@mandant.test',
        '--send',
        '--account',
        'alice',
        '--lang',
        'en',
      ])
      expect(refused.status).toBe(1)
      expect(refused.errorLines).toEqual([expect.stringMatching(/^siegelpost: Nothing sent: the forwarded message/)])
      const run = cli(['forward', id, '--to', 'max@mandant.test', '--send', '--account', 'alice', '--json'])
      expect(run.status, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout).messages).toMatchObject([
        { recipients: ['max@mandant.test'], protection: 'openpgp', state: 'sent' },
      ])
      await expect.poll(() => deliveredMail(suite.stack, 'max@mandant.test').length, { timeout: 15_000 }).toBe(1)
      const [max] = deliveredMail(suite.stack, 'max@mandant.test')
      expect(max!.toString('latin1')).not.toContain('SHOWN-S')
      const text = decryptPgp(gpg, max!, 'max-pass')
      expect(text).toContain('SHOWN-S: Die Lohnabrechnung Dezember.')
      expect(text).toMatch(/filename="?lohn\.pdf/)
      expect(text).toContain(Buffer.from('%PDF-1.7 LOHN-PDF\r\n').toString('base64').slice(0, 16))
      expect(deliveredMail(suite.stack, 'client@mandant.test')).toHaveLength(1)
    })
  },
)
