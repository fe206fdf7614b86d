import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault } from '../../main/core/keys/vault.ts'
import { originUrl } from '../../main/core/reading/download-mark.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { hasOpenssl } from '../helpers/smime-pki.ts'
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
import { htmlMarker, makeReadFixtures, pdfBytes, type ReadFixtures } from './read-fixtures.ts'

const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('GnuPG', hasGpg, 'apt-get install gnupg') ||
  skipUnless('openssl', hasOpenssl, 'apt-get install openssl')
const hasGetfattr = spawnSync('getfattr', ['--version']).status === 0
const ci = process.env.CI === 'true'

/** A loopback web server that counts every request: the mail frame must never reach it. */
let hits: string[] = []
let hitServer: Server
let hitUrl = ''
let fixtures: ReadFixtures
let work = ''

beforeAll(async () => {
  if (skip) return
  hitServer = createServer((request, response) => {
    hits.push(request.url ?? '')
    response.writeHead(200, { 'content-type': 'image/gif' }).end()
  })
  await new Promise<void>((resolve) => hitServer.listen(0, '127.0.0.1', resolve))
  hitUrl = `http://127.0.0.1:${(hitServer.address() as AddressInfo).port}`
  work = await mkdtemp(join(tmpdir(), 'sp-read-'))
  fixtures = await makeReadFixtures(join(work, 'mails'), hitUrl)
}, 180_000)
afterAll(async () => {
  fixtures?.close()
  await new Promise((resolve) => (hitServer ? hitServer.close(resolve) : resolve(null)))
  if (work) await rm(work, { recursive: true, force: true })
})

const words = {
  de: {
    encrypted: ['Verschlüsselt', 'Absender bestätigt'],
    signed: ['Nicht verschlüsselt', 'digital signiert von'],
    mismatch: ['Achtung', 'passt nicht zur Signatur'],
    invalid: ['Unsicher', 'möglicherweise verändert'],
    cannot: ['Kann nicht entschlüsselt werden'],
    partly: ['Nur teilweise geschützt'],
    divider: 'Ungeschützter Teil',
    plain: ['Nicht Ende-zu-Ende-verschlüsselt'],
    notValid: ['Signatur nicht gültig'],
    details: 'Details',
    save: 'Speichern …',
    restore: 'Sicherung wiederherstellen …',
    importKey: 'Angebotenen Schlüssel importieren …',
    saved: 'Gespeichert als',
    plainHop: 'ohne Verschlüsselung',
    importTitle: 'Schlüssel oder Zertifikat importieren',
    unverified: 'Fingerabdruck noch nicht abgeglichen',
    keyChanged: ['Neuer Schlüssel des Absenders', 'bitte auf anderem Weg bestätigen'],
    previousKey: 'Bisheriger Schlüssel',
    encryptedUnsigned: ['Verschlüsselt', 'Absender nicht bestätigt'],
    encryptedUnknownKey: ['Verschlüsselt', 'Absender unbekannt'],
    smime: ['Verschlüsselt', 'Absender noch nicht abgeglichen'],
    verifiedDetail: 'Fingerabdruck abgeglichen',
    verify: 'Absender abgleichen …',
    matches: 'Stimmt überein',
    openFile: 'E-Mail-Datei öffnen …',
    dropActive: 'Loslassen, um die Nachricht zu öffnen',
    unknownKeyReason: 'der nicht in Ihrem Tresor ist',
  },
  en: {
    encrypted: ['Encrypted', 'sender verified'],
    signed: ['Not encrypted', 'digitally signed by'],
    mismatch: ['Caution', 'does not match signature'],
    invalid: ['Not trustworthy', 'may have been altered'],
    cannot: ['Cannot be decrypted'],
    partly: ['Only partly protected'],
    divider: 'Unprotected part',
    plain: ['Not end-to-end encrypted'],
    notValid: ['Signature not valid'],
    details: 'Details',
    save: 'Save …',
    restore: 'Restore backup …',
    importKey: 'Import offered key …',
    saved: 'Saved as',
    plainHop: 'not encrypted',
    importTitle: 'Import',
    unverified: 'Fingerprint not yet compared',
    keyChanged: ['Sender uses a new key', 'please confirm another way'],
    previousKey: 'Previous key',
    encryptedUnsigned: ['Encrypted', 'sender not confirmed'],
    encryptedUnknownKey: ['Encrypted', 'unknown sender key'],
    smime: ['Encrypted', 'sender not yet verified'],
    verifiedDetail: 'Fingerprint compared',
    verify: 'Verify sender …',
    matches: 'Matches',
    openFile: 'Open mail file …',
    dropActive: 'Drop to open the message',
    unknownKeyReason: 'which is not in the vault',
  },
}

for (const lang of ['de', 'en'] as const) {
  describe.skipIf(skip)(`read view in Chromium with the real registry and keychain (${lang})`, () => {
    const t = words[lang]
    let harness: Harness
    let profile: string
    const queue: string[] = []
    const opened: string[] = []
    beforeAll(async () => {
      profile = await mkdtemp(join(tmpdir(), `sp-read-${lang}-`))
      await fixtures.fillVault(await openVault({ profileDir: profile, keySource: await e2eKeySource() }))
      harness = await startHarness({
        profileDir: profile,
        keySource: e2eKeySource,
        appInfo: e2eAppInfo,
        mailShell: {
          chooseMessageFile: async () => queue.shift() ?? null,
          openPath: async (path) => void opened.push(path),
        },
      })
      await openApp(harness, lang, { skipSetup: true })
      // A policy rule that requires TLS from the advisor's domain: a plaintext hop becomes a warning.
      await harness.page.evaluate(() =>
        (
          globalThis as unknown as { siegelpost: { policyRule: (r: unknown) => Promise<unknown> } }
        ).siegelpost.policyRule({ target: 'kanzlei-berger.example', require: 'requiretls' }),
      )
      await mkdir(screensDir, { recursive: true })
    }, 120_000)
    afterAll(async () => {
      await harness?.close()
      if (profile) await rm(profile, { recursive: true, force: true })
    })

    const page = () => harness.page
    async function shot(step: string) {
      await page().screenshot({ path: join(screensDir, `read-${step}-${lang}.png`) })
      expect(await accessibilityViolations(page()), `axe on ${step} (${lang})`).toEqual([])
    }
    async function openMail(name: keyof ReadFixtures['files']) {
      queue.push(fixtures.files[name])
      const current = () =>
        page().evaluate(
          () =>
            (
              globalThis as unknown as {
                document: { querySelector(s: string): { getAttribute(n: string): string | null } | null }
              }
            ).document
              .querySelector('[data-testid=read-view]')
              ?.getAttribute('data-reading') ?? null,
        )
      const before = await current()
      await page().click('[data-testid=open-eml]')
      // The first open also opens the vault and loads OpenPGP: give it time on a busy machine.
      await expect
        .poll(async () => (await current()) !== null && (await current()) !== before, { timeout: 20_000 })
        .toBe(true)
      return page().locator('[data-testid=security-bar]')
    }
    async function barShows(state: string, texts: string[]) {
      await expect
        .poll(() => page().locator('[data-testid=security-bar]').getAttribute('data-state'), { timeout: 10_000 })
        .toBe(state)
      const text = (await page().locator('[data-testid=security-bar]').textContent()) ?? ''
      for (const expected of texts) expect(text).toContain(expected)
    }

    it('starts with the open-file button in the Posteingang’s toolbar; a drop area only while a file is dragged', async () => {
      await expect.poll(() => page().locator('.sp-inbox-bar [data-testid=open-eml]').count()).toBe(1)
      expect(await page().getByTestId('open-eml').textContent()).toBe(t.openFile)
      expect(await page().getByTestId('eml-drop').count()).toBe(0)
      await shot('start')
    })

    it('encrypted and signed by the verified advisor: green bar, real From address, first contact, the PDF', async () => {
      await openMail('encrypted')
      await barShows('encrypted-verified', t.encrypted)
      expect(await page().getByTestId('from').textContent()).toContain('<info@kanzlei-berger.example>')
      expect(await page().getByTestId('cc').textContent()).toContain('buchhaltung@mandant.example')
      expect(await page().locator('[data-code=first-contact]').count()).toBe(1)
      // The fixtures carry the time they were signed: no date-gap warning on an ordinary mail.
      expect(await page().locator('[data-code=date-gap]').count()).toBe(0)
      expect(await page().getByTestId('text-part').textContent()).toContain('Einkommensteuerbescheid 2025')
      expect(await page().getByTestId('attachment-row').textContent()).toContain('Bescheid-2025.pdf')
      await shot('encrypted')
    })

    it('the details popover names signer, fingerprint and the transport trail', async () => {
      await page().click('.sp-bar-details')
      const details = page().getByTestId('security-details')
      await expect.poll(() => details.count()).toBe(1)
      expect(await details.textContent()).toContain('info@kanzlei-berger.example')
      expect(await details.locator('.sp-trail-step').count()).toBe(2)
      await shot('details')
    })

    it('saves the attachment through main: same bytes, marked as downloaded, opened only on request', async () => {
      await page()
        .getByRole('button', { name: lang === 'de' ? 'Bescheid-2025.pdf speichern' : 'Save Bescheid-2025.pdf' })
        .click()
      await expect.poll(() => page().locator('.sp-att-saved').count()).toBe(1)
      expect(await page().locator('.sp-att-saved').textContent()).toContain(t.saved)
      const path = harness.saved[harness.saved.length - 1]!
      expect(Buffer.compare(await readFile(path), pdfBytes)).toBe(0)
      if (hasGetfattr || ci) {
        const mark = spawnSync('getfattr', ['--only-values', '-n', 'user.xdg.origin.url', path], { encoding: 'utf8' })
        expect(mark.stdout).toBe(originUrl)
      }
      expect(opened).toEqual([])
      await shot('attachment-saved')
      await page()
        .getByRole('button', { name: lang === 'de' ? 'Bescheid-2025.pdf öffnen' : 'Open Bescheid-2025.pdf' })
        .click()
      await expect.poll(() => opened.length).toBe(1)
    })

    it('signed only, with a hop without TLS that the policy forbids', async () => {
      await openMail('signed')
      await barShows('signed', t.signed)
      expect(await page().locator('[data-code=plaintext-hop]').count()).toBe(1)
      await page().click('.sp-bar-details')
      await expect.poll(() => page().locator('.sp-hop-plain').count()).toBe(1)
      expect(await page().locator('.sp-hop-plain').textContent()).toContain(t.plainHop)
      await shot('transport-trail')
    })

    it('a signature of another address is a caution, a changed body is not trustworthy', async () => {
      await openMail('mismatch')
      await barShows('mismatch', t.mismatch)
      await shot('mismatch')
      await openMail('invalid')
      await barShows('invalid', t.invalid)
      await shot('invalid')
    })

    it('S/MIME made by OpenSSL: encrypted, signed by a certificate of a trusted CA, not yet compared', async () => {
      await openMail('smime')
      await barShows('encrypted-unverified', t.smime)
      expect(await page().getByTestId('subject').textContent()).toContain('Lohnunterlagen März')
      expect(await page().getByTestId('text-part').textContent()).toContain('Lohnunterlagen')
      await page().click('.sp-bar-details')
      expect(await page().getByTestId('security-details').textContent()).toContain('S/MIME')
      await shot('smime')
    })

    it('encrypted without a signature, and encrypted by an unknown signer', async () => {
      await openMail('encryptedUnsigned')
      await barShows('encrypted-unsigned', t.encryptedUnsigned)
      await shot('encrypted-unsigned')
      await openMail('encryptedUnknownKey')
      await barShows('encrypted-unknown-key', t.encryptedUnknownKey)
      await shot('encrypted-unknown-key')
    })

    it('cannot decrypt: no content, and the details offer to restore a backup in the import wizard', async () => {
      await openMail('cannotDecrypt')
      await barShows('cannot-decrypt', t.cannot)
      expect(await page().getByTestId('text-part').count()).toBe(0)
      await shot('cannot-decrypt')
      await page().getByTestId('hidden-content').getByRole('button', { name: t.restore }).click()
      await expect.poll(() => page().locator('dialog[open]').count()).toBe(1)
      await shot('restore-backup')
      await page().keyboard.press('Escape')
      await expect.poll(() => page().locator('dialog[open]').count()).toBe(0)
    })

    it('partly protected: the unprotected text under the divider, the encrypted part left closed', async () => {
      await openMail('partly')
      await barShows('partly-protected', t.partly)
      expect(await page().getByTestId('unprotected-part').first().textContent()).toContain(t.divider)
      expect(await page().getByTestId('not-opened').count()).toBe(1)
      await shot('partly')
    })

    it('HTML: sanitized in a sandboxed frame, no request, no script, the bar stays on top and uncovered', async () => {
      hits = []
      await openMail('html')
      await barShows('plain', t.plain)
      const frame = page().getByTestId('mail-frame')
      await expect.poll(() => frame.count()).toBe(1)
      expect(await frame.getAttribute('sandbox')).toBe('')
      const srcdoc = (await frame.getAttribute('srcdoc')) ?? ''
      expect(srcdoc).toContain("default-src 'none'; img-src data:; style-src 'unsafe-inline'")
      expect(srcdoc).not.toMatch(/<script|onerror|javascript:|<iframe|<form|<svg|<link|http-equiv="refresh"/i)
      expect(srcdoc).not.toContain(hitUrl)
      expect(srcdoc).toContain('data:image/png;base64,')
      await page().waitForTimeout(1500)
      expect(hits).toEqual([])
      expect(
        await page().evaluate((marker) => (globalThis as Record<string, unknown>)[marker] ?? null, htmlMarker),
      ).toBeNull()
      // The frame's fixed-position overlay cannot reach the bar: the topmost element at its centre is the bar.
      const isBarOnTop = await page().evaluate(() => {
        const d = (
          globalThis as unknown as {
            document: {
              querySelector(s: string): {
                getBoundingClientRect(): { x: number; y: number; width: number; height: number }
                contains(n: unknown): boolean
              } | null
              elementFromPoint(x: number, y: number): unknown
            }
          }
        ).document
        const bar = d.querySelector('[data-testid=security-bar]')!
        const box = bar.getBoundingClientRect()
        return [0.1, 0.5, 0.9].every((fx) =>
          bar.contains(d.elementFromPoint(box.x + box.width * fx, box.y + box.height / 2)),
        )
      })
      expect(isBarOnTop).toBe(true)
      await shot('html')
    })

    it('a key attached to a mail opens the import wizard’s preview, nothing imported by itself', async () => {
      const keysBefore = (await openVault({ profileDir: profile, keySource: await e2eKeySource() })).contents.keys
        .length
      await openMail('offered')
      await barShows('signature-not-valid', t.notValid)
      await page().click('.sp-bar-details')
      // The reason is in the window's language, whichever language the message was opened in.
      expect(await page().locator('[data-testid=security-details] .sp-reason').allTextContents()).toContainEqual(
        expect.stringContaining(t.unknownKeyReason),
      )
      await page().getByRole('button', { name: t.importKey }).click()
      await expect.poll(() => page().locator('dialog[open]').count()).toBe(1)
      // The wizard starts with the key file already chosen; one step on is its preview.
      await page().locator('dialog[open] button.primary').click()
      await expect
        .poll(async () => (await page().locator('dialog[open]').textContent()) ?? '')
        .toContain('neu@steuer-neu.example')
      expect((await openVault({ profileDir: profile, keySource: await e2eKeySource() })).contents.keys.length).toBe(
        keysBefore,
      )
      await shot('offered-key')
      // Imported by the user's choice: the mail reads again as validly signed by a key not yet compared…
      await page().locator('dialog[open] button.primary').click()
      await expect.poll(() => page().locator('dialog[open] .result-cards').count(), { timeout: 10_000 }).toBe(1)
      await page().locator('dialog[open] .actions button').last().click()
      await barShows('signed', t.signed)
      await page().click('.sp-bar-details')
      expect(await page().getByTestId('security-details').textContent()).toContain(t.unverified)
      // …and the sender is verified from the popover with the key manager's comparison dialog.
      const beforeVerify = await page().getByTestId('read-view').getAttribute('data-reading')
      await page().getByRole('button', { name: t.verify }).click()
      await page().getByRole('button', { name: t.matches }).click()
      await expect.poll(() => page().locator('dialog[open]').count()).toBe(0)
      // The message is opened again as a new reading, now with the compared key.
      await expect
        .poll(() => page().getByTestId('read-view').getAttribute('data-reading'), { timeout: 10_000 })
        .not.toBe(beforeVerify)
      await barShows('signed', t.signed)
      await page().click('.sp-bar-details')
      await expect
        .poll(async () => (await page().getByTestId('security-details').textContent()) ?? '')
        .toContain(t.verifiedDetail)
      await shot('sender-verified')
    })

    it('a dropped .eml file opens the same way', async () => {
      const bytes = await readFile(fixtures.files.encrypted)
      const transfer = await page().evaluateHandle((data) => {
        const g = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } }
          File: new (parts: unknown[], name: string) => unknown
        }
        const dataTransfer = new g.DataTransfer()
        dataTransfer.items.add(new g.File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'bescheid.eml'))
        return dataTransfer
      }, bytes.toString('base64'))
      // Dragged anywhere over the window: the overlay says where it goes, and leaves with the drop.
      await page().dispatchEvent('[data-testid=read-pane]', 'dragenter', { dataTransfer: transfer })
      await expect.poll(() => page().getByTestId('eml-drop').textContent()).toBe(t.dropActive)
      await shot('drop')
      for (const type of ['dragover', 'drop'])
        await page().dispatchEvent('[data-testid=read-pane]', type, { dataTransfer: transfer })
      await expect.poll(() => page().getByTestId('eml-drop').count()).toBe(0)
      await expect
        .poll(() => page().getByTestId('subject').textContent(), { timeout: 20_000 })
        .toContain('Ihr Steuerbescheid 2025')
      await barShows('encrypted-verified', t.encrypted)
    })

    it('the personal security pattern is chosen in the settings and shown in the bar', async () => {
      await page().click('[data-section=settings]')
      await expect.poll(() => page().getByTestId('pattern-settings').count()).toBe(1)
      await page().locator('input[name=sp-pattern][value=waves]').check()
      await shot('pattern-settings')
      await page().click('[data-section=inbox]')
      await openMail('encrypted')
      await expect.poll(() => page().locator('.sp-bar .sp-pattern-waves').count()).toBe(1)
      // Expected noise only: Chromium checks the mail's inline handlers against the window's CSP while
      // DOMParser reads them (blocked; never run), and playwright's init scripts reach the sandboxed frame.
      const expected =
        /inline event handler violates the following Content Security Policy|document is sandboxed and lacks the 'allow-same-origin'/
      expect(harness.problems.filter((problem) => !expected.test(problem))).toEqual([])
    })

    it('keyboard only: open, the details and back, save the attachment', async () => {
      const active = () =>
        page().evaluate(() => {
          const el = (
            globalThis as unknown as {
              document: { activeElement: { getAttribute(n: string): string | null; textContent: string | null } | null }
            }
          ).document.activeElement
          return `${el?.getAttribute('data-testid') ?? ''}|${el?.getAttribute('aria-label') ?? el?.textContent ?? ''}`
        })
      await page().click('[data-section=inbox]')
      queue.push(fixtures.files.encrypted)
      await page().focus('[data-testid=open-eml]')
      await page().keyboard.press('Enter')
      await expect.poll(active, { timeout: 20_000 }).toMatch(/^subject\|/)
      await barShows('encrypted-verified', t.encrypted)
      for (let i = 0; i < 5 && !(await active()).includes(t.details); i++) await page().keyboard.press('Tab')
      expect(await active()).toContain(t.details)
      await page().keyboard.press('Enter')
      await expect.poll(active).toMatch(/^security-details\|/)
      await page().keyboard.press('Escape')
      await expect.poll(() => page().getByTestId('security-details').count()).toBe(0)
      expect(await active()).toContain(t.details)
      const saveName = lang === 'de' ? 'Bescheid-2025.pdf speichern' : 'Save Bescheid-2025.pdf'
      for (let i = 0; i < 10 && !(await active()).includes(saveName); i++) await page().keyboard.press('Tab')
      expect(await active()).toContain(saveName)
      const savedBefore = harness.saved.length
      await page().keyboard.press('Enter')
      await expect.poll(() => harness.saved.length).toBe(savedBefore + 1)
      await expect.poll(() => page().locator('.sp-att-saved').count(), { timeout: 10_000 }).toBe(1)
      expect(Buffer.compare(await readFile(harness.saved[savedBefore]!), pdfBytes)).toBe(0)
    })

    it('the advisor signs with a new key: the bar says so and asks to confirm it another way', async () => {
      await openMail('keyChanged')
      await barShows('key-changed', t.keyChanged)
      expect(await page().locator('[data-code=sender-key-changed]').count()).toBe(1)
      await page().click('.sp-bar-details')
      await expect.poll(() => page().getByTestId('security-details').textContent()).toContain(t.previousKey)
      await shot('key-changed')
    })

    it('no IPC answer carried the raw message, a private key or the PDF bytes', () => {
      const answers = JSON.stringify(harness.responses)
      expect(answers).not.toContain('BEGIN PGP MESSAGE')
      expect(answers).not.toContain('PRIVATE KEY')
      expect(answers).not.toContain(pdfBytes.subarray(0, 40).toString('base64'))
    })
  })
}
