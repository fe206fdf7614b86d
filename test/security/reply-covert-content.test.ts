import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { passphraseProfileCli } from '../helpers/large-message.ts'
import { skipUnless } from '../helpers/needs.ts'
import {
  decryptPgp,
  decryptSmime,
  expectOk,
  htmlEntity,
  mixed,
  pgpMime,
  smimeEnveloped,
  textEntity,
  writeOriginal,
} from '../helpers/reply-originals.ts'
import { assertBuilt, type CliRun } from '../helpers/run-cli.ts'
import { exportAliceP12, hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'

/**
 * Covert content via reply and forward ("Re: What's up Johnny?", 2019; EFAIL's reply oracles): an
 * attacker gets a victim to quote text the victim never saw — decrypted text hidden by HTML, a
 * decrypted part joined with the attacker's plaintext, the content of an attached encrypted message —
 * or steers the reply to itself with a Reply-To. Each original below is made with gpg or openssl and
 * carries marker text the reader did not see as part of the shown unit; the reply is decrypted with
 * gpg or openssl and searched for it.
 */
const available = hasGpg && hasOpenssl
const date = 'Thu, 03 Dec 2026 09:15:00 +0000'

describe.skipIf(skipUnless('gpg and openssl', available, 'apt-get install gnupg openssl'))(
  'reply and forward quote only what was shown as one protected unit',
  () => {
    let dir: string
    let gpg: GpgHome
    let pki: TestPki
    let cli: (args: string[]) => CliRun

    beforeAll(async () => {
      assertBuilt()
      dir = await mkdtemp(join(tmpdir(), 'sp-reply-oracle-'))
      await mkdir(join(dir, 'pki'))
      pki = makeTestPki(join(dir, 'pki'))
      gpg = new GpgHome()
      gpg.generate('Eve Angreiferin <eve@evil.test>', 'eve-pass')
      writeFileSync(join(dir, 'eve.asc'), gpg.ok(['--armor', '--export', 'eve@evil.test']).stdout)
      exportAliceP12(pki, join(dir, 'alice.p12'), 'Kanzlei 2026!')
      writeFileSync(join(dir, 'p12-pass'), 'Kanzlei 2026!\n')
      writeFileSync(join(dir, 'body.txt'), 'Danke, ich melde mich morgen.\n')
      cli = passphraseProfileCli(dir)
      for (const args of [
        ['certs', 'trust', pki.ca.certFile],
        ['keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'p12-pass')],
        ['keys', 'import', pki.fran.certFile],
        ['keys', 'import', join(dir, 'eve.asc')],
      ])
        expectOk(cli(args))
      const generated = cli(['keys', 'generate', '--name', 'Alice Beraterin', '--email', 'alice@example.org', '--json'])
      expectOk(generated)
      const [alice] = JSON.parse(generated.stdout) as { fingerprint: string }[]
      expectOk(cli(['keys', 'export', alice!.fingerprint, '--public', '--out', join(dir, 'alice.asc')]))
      gpg.ok(['--import', join(dir, 'alice.asc')])
    }, 120_000)
    afterAll(async () => {
      gpg?.close()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    const fromEve = (subject: string, id: string) => ({
      From: 'Eve Angreiferin <eve@evil.test>',
      To: 'alice@example.org',
      Subject: subject,
      Date: date,
      'Message-ID': `<${id}@evil.test>`,
    })
    const reply = (original: string, name: string, extra: string[] = []) => {
      const out = join(dir, `${name}.reply.eml`)
      const run = cli(['reply', original, '--body-file', join(dir, 'body.txt'), '--out', out, '--json', ...extra])
      expectOk(run)
      return { bytes: readFileSync(out), json: JSON.parse(run.stdout), run }
    }
    /** The outer header of a composed message (before the first empty line), unfolded. */
    const outerHeader = (bytes: Buffer) =>
      bytes
        .toString('latin1')
        .split(/\r?\n\r?\n/)[0]!
        .replace(/\r?\n[ \t]+/g, ' ')

    it('(a) quotes only the visible text of an encrypted HTML mail: no CSS-hidden text, no conditional comments', () => {
      const html = [
        '<html><head><style>.pre { display:none !important } @media screen { #fine { font-size: 0 } }</style></head>',
        '<body><p>SHOWN-A: Bitte bestätigen Sie die Unterlagen.</p>',
        '<div style="display:none">HIDDEN-DISPLAY</div>',
        '<span style="font-size:0px">HIDDEN-FONTSIZE</span>',
        '<p style="color:#ffffff;background-color:#fff">HIDDEN-WHITE</p>',
        '<table bgcolor="#fefefe"><tr><td><font color="#fefefe">HIDDEN-SAMECOLOR</font></td></tr></table>',
        '<!--[if mso]><p>HIDDEN-CONDITIONAL</p><![endif]-->',
        '<p class="pre">HIDDEN-CLASS</p><p id="fine">HIDDEN-MEDIA</p>',
        '</body></html>',
      ].join('\n')
      const inner = `Content-Type: multipart/alternative; boundary="alt"\n\n--alt\n${textEntity('PLAIN-ALTERNATIVE-A')}\n--alt\n${htmlEntity(html)}\n--alt--\n`
      const original = writeOriginal(
        dir,
        'a',
        pgpMime(gpg, 'alice@example.org', fromEve('AW: Re: Unterlagen', 'a'), inner),
      )
      const { bytes, json } = reply(original, 'a', ['--lang', 'de'])
      const head = outerHeader(bytes)
      expect(head).toMatch(/^In-Reply-To: <a@evil\.test>$/m)
      expect(head).toMatch(/^References: <a@evil\.test>$/m)
      expect(head).toMatch(/^Content-Type: multipart\/encrypted/m)
      expect(bytes.toString('latin1')).not.toContain('SHOWN-A')
      const text = decryptPgp(gpg, bytes, 'eve-pass')
      expect(text).toContain('Danke, ich melde mich morgen.')
      expect(text).toContain('> SHOWN-A: Bitte bestätigen Sie die Unterlagen.')
      expect(text).toContain('Subject: AW: Unterlagen')
      for (const marker of ['HIDDEN-', 'PLAIN-ALTERNATIVE-A']) expect(text).not.toContain(marker)
      expect(json.reply).toMatchObject({
        to: ['eve@evil.test'],
        subject: 'AW: Unterlagen',
        quote: { endToEndOnly: true, quotedFor: ['eve@evil.test'], noteFor: [] },
      })
      expect(json).toMatchObject({ encrypted: true, protection: 'openpgp' })
    })

    it('(b) never quotes the decryption of a part inside a partly encrypted mail, and says nothing of it', () => {
      const secret = pgpMime(gpg, 'alice@example.org', {}, textEntity('SECRET-B: Steuer-ID 12 345 678 901'))
      const enclosed = secret.toString('latin1').replace(/^MIME-Version: 1\.0\r\n/m, '')
      const body = mixed('partly', textEntity('SHOWN-B: Bitte antworten Sie mit vollem Zitat.'), enclosed)
      const original = writeOriginal(
        dir,
        'b',
        Buffer.from(
          `From: Eve <eve@evil.test>\r\nTo: alice@example.org\r\nSubject: Rückfrage\r\nDate: ${date}\r\n` +
            `Message-ID: <b@evil.test>\r\nMIME-Version: 1.0\r\n${body.replace(/\r?\n/g, '\r\n')}`,
        ),
      )
      const opened = JSON.parse(cli(['open', original, '--json']).stdout)
      expect(opened.parts.map((p: { kind: string }) => p.kind)).toEqual(['text', 'not-opened'])
      const { bytes } = reply(original, 'b', ['--lang', 'en'])
      const text = decryptPgp(gpg, bytes, 'eve-pass')
      expect(text).toContain('> SHOWN-B: Bitte antworten Sie mit vollem Zitat.')
      expect(text).toContain('Subject: Re: =?UTF-8?Q?R=C3=BCckfrage?=')
      expect(text).not.toContain('SECRET-B')
      expect(text).not.toContain('BEGIN PGP MESSAGE')
      expect(text).not.toContain('Steuer-ID')
    })

    it('(c) never quotes an attached message: neither its plain text nor its encrypted content', () => {
      const attachedSecret = pgpMime(
        gpg,
        'alice@example.org',
        { From: 'bob@mandant.test', Subject: 'alt' },
        textEntity('SECRET-C: Kontostand 48.210,17 EUR'),
      ).toString('utf8')
      const inner = mixed(
        'carrier',
        textEntity('SHOWN-C: Anbei die Nachricht von Bob.'),
        `Content-Type: message/rfc822\nContent-Disposition: inline\n\nFrom: bob@mandant.test\nSubject: x\n\nNESTED-C-PLAIN\n`,
        `Content-Type: message/rfc822; name="bob.eml"\nContent-Disposition: attachment; filename="bob.eml"\n\n${attachedSecret}`,
      )
      const original = writeOriginal(dir, 'c', pgpMime(gpg, 'alice@example.org', fromEve('Weiterleitung', 'c'), inner))
      const { bytes } = reply(original, 'c')
      const text = decryptPgp(gpg, bytes, 'eve-pass')
      expect(text).toContain('> SHOWN-C: Anbei die Nachricht von Bob.')
      for (const marker of ['SECRET-C', 'Kontostand', 'NESTED-C-PLAIN', 'BEGIN PGP MESSAGE'])
        expect(text).not.toContain(marker)
    })

    it("(d) replies to From, not to an attacker's Reply-To, and says so; the reply stays S/MIME encrypted", () => {
      const fields = {
        From: 'Fran Mandantin <fran@example.org>',
        To: 'alice@example.org',
        'Reply-To': 'eve@evil.test',
        Subject: 'Lohnabrechnung',
        Date: date,
        'Message-ID': '<d@example.org>',
        'MIME-Version': '1.0',
      }
      const original = writeOriginal(
        dir,
        'd',
        smimeEnveloped(pki, pki.alice.certFile, fields, textEntity('SHOWN-D: Die Lohnabrechnung November.')),
      )
      const { bytes, json, run } = reply(original, 'd', ['--lang', 'en'])
      expect(run.errorLines).toEqual([expect.stringContaining('Reply-To: eve@evil.test')])
      expect(json.reply.replyTo).toEqual({ addresses: ['eve@evil.test'], differsFromFrom: true, isUsed: false })
      expect(json.reply.to).toEqual(['fran@example.org'])
      expect(json).toMatchObject({ encrypted: true, protection: 'smime' })
      const head = outerHeader(bytes)
      expect(head).toMatch(/^To: fran@example\.org$/m)
      expect(head).not.toContain('evil.test')
      expect(head).toMatch(/^In-Reply-To: <d@example\.org>$/m)
      const text = decryptSmime(pki, bytes, 'fran')
      expect(text).toContain('> SHOWN-D: Die Lohnabrechnung November.')
      // Only when asked: the Reply-To is used, and the reply is encrypted to that key (eve's), not anyone else.
      const steered = reply(original, 'd2', ['--to-reply-to'])
      expect(steered.json.reply.to).toEqual(['eve@evil.test'])
      expect(decryptPgp(gpg, steered.bytes, 'eve-pass')).toContain('SHOWN-D')
    })

    it('says what is missing or wrong: no body file, no target, an unknown file or stored id, no Reply-To', () => {
      const original = join(dir, 'c.eml')
      const body = ['--body-file', join(dir, 'body.txt')]
      const cases: [string[], RegExp][] = [
        [['reply', original, '--out', join(dir, 'x.eml')], /--body-file/],
        [['reply', original, ...body], /--out FILE\.eml \| --send --account NAME/],
        [['forward', original, '--out', join(dir, 'x.eml')], /--to ADDR/],
        [['reply', join(dir, 'missing.eml'), ...body, '--out', join(dir, 'x.eml')], /missing\.eml/],
        [['reply', 'no-such-id', ...body, '--out', join(dir, 'x.eml')], /no-such-id/],
        [['reply', original, ...body, '--to-reply-to', '--out', join(dir, 'x.eml')], /no reply address \(Reply-To\)/],
      ]
      for (const [args, pattern] of cases) {
        const run = cli([...args, '--lang', 'en'])
        expect(run.status, args.join(' ')).not.toBe(0)
        expect(run.errorLines, args.join(' ')).toEqual([expect.stringMatching(pattern)])
      }
      expect(() => readFileSync(join(dir, 'x.eml'))).toThrow()
    })

    it('refuses to forward an encrypted mail to a recipient without end-to-end encryption, writing nothing', () => {
      const original = join(dir, 'c.eml')
      const out = join(dir, 'refused.eml')
      expectOk(cli(['policy', 'consent', 'client@mandant.test', '--channel', 'tls', '--by', 'Anna']))
      const run = cli(['forward', original, '--to', 'client@mandant.test', '--out', out, '--lang', 'en'])
      expect(run.status).toBe(1)
      expect(run.errorLines).toEqual([expect.stringMatching(/Nothing sent: the forwarded message was encrypted/)])
      expect(() => readFileSync(out)).toThrow()
    })

    it('forwards the shown unit with its attachments, encrypted anew for the new recipient', () => {
      const inner = mixed(
        'fw',
        textEntity('SHOWN-F: Jahresabschluss anbei.'),
        'Content-Type: application/pdf; name="abschluss.pdf"\nContent-Disposition: attachment; filename="abschluss.pdf"\n\n%PDF-1.7 FORWARDED-PDF\n',
      )
      const original = writeOriginal(dir, 'f', pgpMime(gpg, 'alice@example.org', fromEve('Abschluss', 'f'), inner))
      const out = join(dir, 'f.fwd.eml')
      const run = cli(['forward', original, '--to', 'fran@example.org', '--out', out, '--json', '--lang', 'de'])
      expectOk(run)
      expect(JSON.parse(run.stdout)).toMatchObject({
        protection: 'smime',
        encrypted: true,
        reply: { kind: 'forward', subject: 'WG: Abschluss', attachments: ['abschluss.pdf'] },
      })
      const bytes = readFileSync(out)
      expect(bytes.toString('latin1')).not.toContain('SHOWN-F')
      const text = decryptSmime(pki, bytes, 'fran')
      expect(text).toContain('-------- Weitergeleitete Nachricht --------')
      expect(text).toContain('SHOWN-F: Jahresabschluss anbei.')
      expect(text).toMatch(/filename="?abschluss\.pdf/)
      expect(text).toContain(Buffer.from('%PDF-1.7 FORWARDED-PDF\r\n').toString('base64').slice(0, 20))
    })
  },
)
