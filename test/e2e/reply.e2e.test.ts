import { writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importKeyFile } from '../../main/core/keys/key-store.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { htmlEntity, pgpMime } from '../helpers/reply-originals.ts'
import {
  accessibilityViolations,
  chromiumPath,
  e2eAppInfo,
  e2eKeySource,
  openApp,
  screensDir,
  startHarness,
  type Harness,
} from './harness.ts'

/**
 * "Antworten" in the read view, in Chromium with the real registry: an encrypted HTML mail from the
 * advisor that hides text with CSS and asks (by Reply-To) for replies to go to someone else. The
 * Reply-To is asked about, the composer opens the reply draft, and its quote holds only what was shown.
 */
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('GnuPG', hasGpg, 'apt-get install gnupg')
const pass = 'reply-pass'

const words = {
  de: {
    question: 'nicht an den Absender',
    toSender: 'An den Absender',
    quoteNote: 'nur an Empfänger mit Ende-zu-Ende',
  },
  en: { question: 'not to the sender', toSender: 'To the sender', quoteNote: 'only to recipients with end-to-end' },
}

let gpg: GpgHome
let work = ''
let original = ''
let keyFiles: { mia: string; advisor: string; eve: string }

beforeAll(async () => {
  if (skip) return
  work = await mkdtemp(join(tmpdir(), 'sp-e2e-reply-'))
  gpg = new GpgHome()
  for (const uid of [
    'Mia Mandant <mia@mandant.example>',
    'Kanzlei Berger <info@kanzlei-berger.example>',
    'Eve <eve@evil.example>',
  ])
    gpg.generate(uid, pass)
  const run = (args: string[]) => gpg.ok(['--passphrase', pass, ...args]).stdout.toString('utf8')
  keyFiles = {
    mia: run(['--armor', '--export-secret-keys', 'mia@mandant.example']),
    advisor: run(['--armor', '--export', 'info@kanzlei-berger.example']),
    eve: run(['--armor', '--export', 'eve@evil.example']),
  }
  const html =
    '<p>Guten Tag Frau Mandant,</p><p>SHOWN-REPLY: bitte senden Sie uns die Belege für 2025.</p>' +
    '<div style="display:none">HIDDEN-REPLY-MARKER</div><!--[if mso]>HIDDEN-CONDITIONAL<![endif]-->'
  original = join(work, 'original.eml')
  writeFileSync(
    original,
    pgpMime(
      gpg,
      'mia@mandant.example',
      {
        From: 'Kanzlei Berger <info@kanzlei-berger.example>',
        To: 'Mia Mandant <mia@mandant.example>',
        'Reply-To': 'eve@evil.example',
        Subject: 'Belege 2025',
        Date: 'Thu, 03 Dec 2026 09:15:00 +0100',
        'Message-ID': '<belege-2025@kanzlei-berger.example>',
      },
      htmlEntity(html),
    ),
  )
}, 120_000)
afterAll(async () => {
  gpg?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

for (const lang of ['de', 'en'] as const) {
  describe.skipIf(skip)(`reply from the read view (${lang})`, () => {
    const t = words[lang]
    let harness: Harness
    let profile: string
    const queue: string[] = []
    beforeAll(async () => {
      profile = await mkdtemp(join(tmpdir(), `sp-e2e-reply-${lang}-`))
      const vault = await openVault({ profileDir: profile, keySource: await e2eKeySource() })
      for (const [name, text, passphrase] of [
        ['mia.asc', keyFiles.mia, pass],
        ['kanzlei.asc', keyFiles.advisor, null],
        ['eve.asc', keyFiles.eve, null],
      ] as const)
        await importKeyFile(
          vault,
          keyTechnologies,
          { bytes: new TextEncoder().encode(text), fileName: name, path: `/in/${name}` },
          { passphrase: passphrase === null ? null : new TextEncoder().encode(passphrase), now: new Date() },
        )
      harness = await startHarness({
        profileDir: profile,
        keySource: e2eKeySource,
        appInfo: e2eAppInfo,
        mailShell: { chooseMessageFile: async () => queue.shift() ?? null, openPath: async () => undefined },
      })
      await openApp(harness, lang, { skipSetup: true })
      await mkdir(screensDir, { recursive: true })
    }, 120_000)
    afterAll(async () => {
      await harness?.close()
      if (profile) await rm(profile, { recursive: true, force: true })
    })
    const page = () => harness.page

    it('asks before following a Reply-To that is not the sender, then opens the reply in the composer', async () => {
      queue.push(original)
      await page().click('[data-testid=open-eml]')
      await expect.poll(() => page().getByTestId('reply-toolbar').count(), { timeout: 30_000 }).toBe(1)
      await page().screenshot({ path: join(screensDir, `compose-reply-read-${lang}.png`) })
      // The read view itself gets the HTML (its frame hides what CSS hides); what follows must not.
      const before = harness.responses.length
      await page().click('[data-testid=reply-reply]')
      const question = page().getByTestId('reply-to-question')
      await expect.poll(() => question.count()).toBe(1)
      expect(await question.textContent()).toContain(t.question)
      expect(await question.textContent()).toContain('eve@evil.example')
      await page().screenshot({ path: join(screensDir, `compose-reply-confirm-${lang}.png`) })
      expect(await accessibilityViolations(page()), `axe on the Reply-To question (${lang})`).toEqual([])
      await page()
        .getByRole('button', { name: new RegExp(`^${t.toSender}`) })
        .click()

      const quote = page().getByTestId('reply-quote')
      await expect.poll(() => quote.count(), { timeout: 20_000 }).toBe(1)
      const text = (await quote.textContent()) ?? ''
      expect(text).toContain('> SHOWN-REPLY: bitte senden Sie uns die Belege für 2025.')
      expect(text).not.toContain('HIDDEN')
      expect(await page().getByTestId('reply-quote-note').textContent()).toContain(t.quoteNote)
      await expect
        .poll(() =>
          page()
            .locator('#compose-subject')
            .inputValue()
            .catch(() => ''),
        )
        .toMatch(/^(AW|Re): Belege 2025$/)
      expect(await page().locator('.content').textContent()).toContain('info@kanzlei-berger.example')
      expect(await page().locator('.content').textContent()).not.toContain('eve@evil.example')
      // The chip settles on the core's decision before the picture (no account here: no sender key to plan with).
      await expect
        .poll(() => page().locator('.content').textContent(), { timeout: 10_000 })
        .not.toMatch(/wird geprüft|Checking/i)
        .catch(() => undefined)
      await page().screenshot({ path: join(screensDir, `compose-reply-${lang}.png`), fullPage: true })
      expect(await accessibilityViolations(page()), `axe on the reply composer (${lang})`).toEqual([])
      // The reply draft carries nothing hidden in any answer to the renderer either.
      expect(JSON.stringify(harness.responses.slice(before))).not.toContain('HIDDEN')
    }, 90_000)
  })
}
