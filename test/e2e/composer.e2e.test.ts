import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aliceSender, type AliceSender } from '../helpers/alice-sender.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { deliveredMail, hasMailStack, mailStackFix } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'
import {
  accessibilityViolations,
  chromiumPath,
  e2eAppInfo,
  e2eKeySource,
  screensDir,
  startHarness,
  t,
  tMatch,
  type Harness,
} from './harness.ts'
import { openComposer } from './composer-page.ts'
import { forgetAccountPassword, keychainProfileCli } from './keychain-account.ts'

/**
 * The composer in Chromium with the real handler registry, the OS keychain of the test keyring
 * session, keys made by openssl and gpg, and the real Postfix and Dovecot: chips in every state the
 * core can decide, the resolver, autosave and restore after a reload, a mixed send whose copies
 * arrive in the mailboxes, a held copy in Postausgang, and a send done with the keyboard alone.
 */
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('openssl and gpg', hasOpenssl && hasGpg, 'apt-get install openssl gnupg') ||
  skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix) ||
  skipUnless(
    'a keyring session (accounts keep their password in the OS keychain)',
    hasKeyringSession,
    'bash test/helpers/with-keyring.sh npx vitest run …',
  )

describe.skipIf(skip)('the composer', () => {
  const suite = mailStackSuite('sp-e2e-composer-')
  let pki: TestPki
  let gpg: GpgHome
  let alice: AliceSender

  beforeAll(async () => {
    await mkdir(join(suite.work, 'pki'))
    pki = makeTestPki(join(suite.work, 'pki'))
    gpg = new GpgHome()
    gpg.generate('Max Mandant <max@mandant.test>', 'max-pass')
    gpg.generate('Kanzlei-Archiv <archiv@kanzlei.test>', 'archiv-pass')
    // A key that expired long ago: the chip says "check key" and the resolver shows it.
    gpg.ok([
      '--faked-system-time',
      '20200101T000000!',
      '--passphrase',
      '',
      '--quick-gen-key',
      'Alter Schlüssel <alt@mandant.test>',
      'ed25519',
      'sign,cert',
      '1y',
    ])
    gpg.ok([
      '--faked-system-time',
      '20200101T000000!',
      '--passphrase',
      '',
      '--quick-add-key',
      gpg.fingerprintOf('alt@mandant.test'),
      'cv25519',
      'encr',
      '1y',
    ])
    alice = aliceSender({
      stack: suite.stack,
      dir: suite.work,
      pki,
      gpg,
      openpgpRecipients: ['max@mandant.test', 'archiv@kanzlei.test', 'alt@mandant.test'],
      account: 'kanzlei',
      consentExtra: ['--note', 'Brief vom 1.11.2026'],
    })
    writeFileSync(
      join(suite.work, 'Jahresabschluss 2025.pdf'),
      Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300 * 1024)]),
    )
    writeFileSync(join(suite.work, 'Lohnliste.csv'), 'Name;Betrag\nMuster;1000\n')
  }, 180_000)
  afterAll(() => gpg?.close())

  for (const lang of ['de', 'en'] as const) {
    describe(lang === 'de' ? 'in German' : 'in English', () => {
      let harness: Harness
      let page: Page
      const profile = () => join(suite.work, `profile-${lang}`)
      const steps = new Set<string>()
      const screen = async (step: string) => {
        await mkdir(screensDir, { recursive: true })
        await page.screenshot({ path: join(screensDir, `compose-${step}-${lang}.png`) })
        steps.add(step)
        expect(await accessibilityViolations(page), `axe on ${step} (${lang})`).toEqual([])
      }
      const chip = (address: string) => page.locator(`[data-testid=chip][data-address="${address}"]:not(.chip-preview)`)
      const stateOf = async (address: string) => {
        await expect.poll(() => chip(address).getAttribute('data-state'), { timeout: 15_000 }).not.toBe('checking')
        return chip(address).getAttribute('data-state')
      }
      const typeInto = async (field: 'to' | 'cc' | 'bcc', address: string) => {
        await page.locator(`#compose-${field}`).fill(address)
        await page.locator(`#compose-${field}`).press('Enter')
      }

      beforeAll(async () => {
        const cli = keychainProfileCli(profile())
        for (const args of alice.runs) cli(args)
        const files: Record<string, string> = { 'Lohnliste.csv': join(suite.work, 'Lohnliste.csv') }
        harness = await startHarness({
          profileDir: profile(),
          keySource: e2eKeySource,
          appInfo: e2eAppInfo,
          chooseOpenPaths: async () => [join(suite.work, 'Jahresabschluss 2025.pdf')],
        })
        page = harness.page
        // Stands in for the preload's path of a dropped file (Electron's webUtils.getPathForFile).
        await page.addInitScript((paths) => {
          Object.defineProperty(globalThis, 'siegelpostFiles', {
            value: { pathFor: (file: { name: string }) => paths[file.name] ?? '' },
          })
        }, files)
        await openComposer(harness, lang)
      }, 180_000)
      afterAll(async () => {
        await harness?.close()
        await forgetAccountPassword(profile())
      })

      it("shows each recipient's protection on its chip while typing, and the summary", async () => {
        await screen('empty')
        // While typing: a preview chip with the state the typed address would get.
        await page.locator('#compose-to').fill('fran@example.org')
        await expect
          .poll(() => page.locator('.chip-preview').getAttribute('data-state'), { timeout: 15_000 })
          .toBe('smime')
        await screen('typing')
        await page.locator('#compose-to').press('Enter')
        await typeInto('to', 'max@mandant.test')
        expect(await stateOf('fran@example.org')).toBe('smime')
        expect(await stateOf('max@mandant.test')).toBe('openpgp')
        expect(await chip('max@mandant.test').textContent()).toContain(t(lang, 'chip.badge.openpgp'))
        await expect
          .poll(() => page.getByTestId('summary').textContent())
          .toContain(`1 × ${t(lang, 'summary.openpgp')}`)
        expect(await page.getByTestId('send').textContent()).toBe(t(lang, 'send.button.encrypted'))
        expect(await page.getByTestId('subject-hint').textContent()).toBe(t(lang, 'compose.subjectProtected'))
        await screen('end-to-end')

        await page.getByRole('button', { name: t(lang, 'compose.showCc') }).click()
        await typeInto('cc', 'client@mandant.test')
        await typeInto('cc', 'advisor@kanzlei.test')
        await typeInto('cc', 'alt@mandant.test')
        await typeInto('cc', 'falsch@')
        await typeInto('bcc', 'archiv@kanzlei.test')
        expect(await stateOf('client@mandant.test')).toBe('tls')
        expect(await stateOf('advisor@kanzlei.test')).toBe('blocked')
        expect(await stateOf('alt@mandant.test')).toBe('attention')
        expect(await stateOf('falsch@')).toBe('invalid')
        expect(await stateOf('archiv@kanzlei.test')).toBe('openpgp')
        expect(await chip('client@mandant.test').textContent()).toContain(t(lang, 'chip.badge.tls'))
        expect(await chip('advisor@kanzlei.test').textContent()).toContain(t(lang, 'chip.badge.blocked'))
        // Nothing can be sent while any recipient has no secure way; the button says so and the notice names them.
        expect(await page.getByTestId('send').textContent()).toBe(t(lang, 'send.button.blocked'))
        expect(await page.getByTestId('send').isDisabled()).toBe(true)
        expect(await page.getByTestId('blocked-notice').textContent()).toContain('advisor@kanzlei.test')
        // The fixed send bar names the next step too.
        expect(await page.getByTestId('blocked-next').textContent()).toContain(t(lang, 'summary.blockedNext'))
        // The subject travels in clear for the TLS recipient: said next to the subject.
        expect(await page.getByTestId('subject-hint').textContent()).toMatch(tMatch(lang, 'compose.subjectClear'))
        // Adding a TLS recipient to an end-to-end mail lowers protection: shown, and asked at send.
        expect(await page.getByTestId('downgrade-notice').textContent()).toContain('client@mandant.test')
        await page.locator('#compose-subject').fill('Jahresabschluss 2025')
        // The send bar sticks to the window's bottom edge: no scrolled content shows below it.
        const content = page.locator('.content')
        const overflows = await content.evaluate((element) => element.scrollHeight > element.clientHeight)
        const [pageBox, barBox] = [await content.boundingBox(), await page.locator('.send-panel').boundingBox()]
        expect(overflows).toBe(true)
        expect(Math.abs(barBox!.y + barBox!.height - (pageBox!.y + pageBox!.height))).toBeLessThan(1)
        await screen('all-states')
      })

      it('resolves recipients in the resolver: the expired key shown, consent recorded, a wrong address removed', async () => {
        await chip('alt@mandant.test').locator('.chip-main').click()
        const dialog = page.getByRole('dialog')
        await dialog.getByTestId('resolver-key').first().waitFor()
        expect(await dialog.getByTestId('resolver-key').first().textContent()).toContain(
          t(lang, 'resolver.status.expired'),
        )
        await screen('resolver-expired')
        await dialog.getByRole('button', { name: t(lang, 'resolver.remove') }).click()
        await expect.poll(() => chip('alt@mandant.test').count()).toBe(0)

        await chip('falsch@').locator('.chip-main').click()
        await page
          .getByRole('dialog')
          .getByRole('button', { name: t(lang, 'resolver.remove') })
          .click()

        await chip('advisor@kanzlei.test').locator('.chip-main').click()
        await page
          .getByRole('dialog')
          .getByRole('button', { name: t(lang, 'resolver.consent') })
          .click()
        await page.getByLabel(t(lang, 'resolver.consentBy')).fill('Anna Beraterin')
        await page.getByLabel(t(lang, 'resolver.consentNote')).fill('Telefonat vom 3.12.2026')
        await screen('resolver-consent')
        await page.getByRole('button', { name: t(lang, 'resolver.consentSave') }).click()
        await page.getByText(t(lang, 'resolver.consentRecorded')).waitFor()
        await page
          .getByRole('dialog')
          .getByRole('button', { name: t(lang, 'resolver.close') })
          .click()
        await expect
          .poll(() => chip('advisor@kanzlei.test').getAttribute('data-state'), { timeout: 15_000 })
          .toBe('tls')
        // The consent is in the register, documented with who and when.
        const policy = await page.evaluate(() =>
          (globalThis as unknown as { siegelpost: { policyShow(): Promise<unknown> } }).siegelpost.policyShow(),
        )
        expect(JSON.stringify(policy)).toContain('advisor@kanzlei.test')
        expect(await page.getByTestId('send').textContent()).toBe(t(lang, 'send.button.mixed'))
        expect(await page.getByTestId('summary').textContent()).toContain(
          `5 ${lang === 'de' ? 'Empfänger' : 'recipients'}`,
        )
        await screen('resolved')
      })

      it('adds attachments by chooser and by drop (copied by path, sealed), and autosaves the draft', async () => {
        await page.getByRole('button', { name: t(lang, 'compose.attach') }).click()
        await page.locator('.composer [data-testid=attachment]').first().waitFor()
        expect(await page.locator('.composer [data-testid=attachment]').first().textContent()).toContain(
          'Jahresabschluss 2025.pdf',
        )
        const dropped = await page.evaluateHandle(() => {
          const dom = globalThis as unknown as {
            DataTransfer: new () => { items: { add(file: unknown): void } }
            File: new (parts: string[], name: string) => unknown
          }
          const transfer = new dom.DataTransfer()
          transfer.items.add(new dom.File(['nicht diese Bytes'], 'Lohnliste.csv'))
          return transfer
        })
        await page.dispatchEvent('[data-testid=attachments]', 'drop', { dataTransfer: dropped })
        await expect
          .poll(() => page.locator('.composer [data-testid=attachment]').allTextContents())
          .toEqual([expect.stringContaining('Jahresabschluss 2025.pdf'), expect.stringContaining('Lohnliste.csv')])
        // The file's bytes never crossed IPC: only names and sizes came back.
        const pdf = readFileSync(join(suite.work, 'Jahresabschluss 2025.pdf'))
        expect(JSON.stringify(harness.responses)).not.toContain(pdf.subarray(100, 160).toString('base64'))
        await page.locator('#compose-body').fill(`Guten Tag,\nanbei der Jahresabschluss 2025 (${lang}).\n`)
        await page
          .getByTestId('autosave')
          .filter({ hasText: tMatch(lang, 'compose.savedAt') })
          .waitFor({ timeout: 15_000 })
        // The autosave (every few seconds) has the text in the sealed draft.
        const savedBody = () =>
          page.evaluate(async () => {
            const api = (
              globalThis as unknown as {
                siegelpost: { draftsList(): Promise<{ ok: boolean; value?: { body: string }[] }> }
              }
            ).siegelpost
            return ((await api.draftsList()).value ?? []).map((d) => d.body).join('|')
          })
        await expect.poll(savedBody, { timeout: 15_000 }).toContain('anbei der Jahresabschluss 2025')
        await screen('attachments')
      })

      it('restores the draft after a reload', async () => {
        await page.reload()
        await page.click('[data-section=compose]')
        await chip('fran@example.org').waitFor()
        expect(await page.locator('#compose-subject').inputValue()).toBe('Jahresabschluss 2025')
        expect(await page.locator('#compose-body').inputValue()).toContain('anbei der Jahresabschluss 2025')
        expect(await page.locator('.composer [data-testid=attachment]').count()).toBe(2)
        expect(await stateOf('archiv@kanzlei.test')).toBe('openpgp')
        await screen('restored')
      })

      it('sends the mixed mail through Postfix after the summary: each mailbox gets its copy', async () => {
        const before = Object.fromEntries(
          [
            'fran@example.org',
            'max@mandant.test',
            'client@mandant.test',
            'advisor@kanzlei.test',
            'archiv@kanzlei.test',
          ].map((a) => [a, deliveredMail(suite.stack, a).length]),
        )
        await page.getByTestId('send').click()
        const dialog = page.getByRole('dialog')
        await dialog.getByTestId('confirm-send').waitFor()
        expect(await dialog.textContent()).toContain(t(lang, 'summary.tls'))
        await screen('confirm')
        await dialog.getByTestId('confirm-send').click()
        await page.getByTestId('send-result').waitFor({ timeout: 60_000 })
        expect(await page.getByTestId('send-result').textContent()).toMatch(tMatch(lang, 'send.resultSent'))
        await screen('sent')
        for (const address of Object.keys(before))
          await expect
            .poll(() => deliveredMail(suite.stack, address).length, { timeout: 20_000 })
            .toBe(before[address]! + 1)
        const latest = (address: string) =>
          deliveredMail(suite.stack, address)
            .at(-1)!
            .toString('latin1')
            .replace(/\r?\n[ \t]+/g, ' ')
        expect(latest('fran@example.org')).toMatch(/^Content-Type: application\/pkcs7-mime/im)
        expect(latest('max@mandant.test')).toMatch(/^Content-Type: multipart\/encrypted/m)
        expect(latest('client@mandant.test')).toContain('Jahresabschluss 2025')
        expect(latest('client@mandant.test')).toMatch(/protocol="application\/pkcs7-signature"/)
        // The Bcc address appears in no other copy.
        for (const address of ['fran@example.org', 'max@mandant.test', 'client@mandant.test', 'advisor@kanzlei.test'])
          expect(latest(address)).not.toContain('archiv@')
        // The sent draft is gone from the drafts.
        expect(await page.locator('[data-testid=draft]').count()).toBe(0)
      })

      it('shows a held copy in Postausgang with its reason', async () => {
        // REQUIRETLS required: the test Postfix does not offer it, so the copy is held before any byte is sent.
        await page.evaluate(() =>
          (
            globalThis as unknown as { siegelpost: { policySetRequiretls(r: unknown): Promise<unknown> } }
          ).siegelpost.policySetRequiretls({ value: 'require' }),
        )
        try {
          await page.getByRole('button', { name: t(lang, 'compose.new') }).click()
          await typeInto('to', 'max@mandant.test')
          expect(await stateOf('max@mandant.test')).toBe('openpgp')
          await page.locator('#compose-subject').fill('Rückfrage')
          await page.getByTestId('send').click()
          await page.getByTestId('send-result').waitFor({ timeout: 60_000 })
          expect(await page.getByTestId('send-result').textContent()).toMatch(tMatch(lang, 'send.resultHeldOne'))
          await screen('held')
          await page.getByRole('button', { name: t(lang, 'send.toOutbox') }).click()
          await page
            .getByText(/REQUIRETLS/)
            .first()
            .waitFor()
          await screen('outbox')
        } finally {
          await page.evaluate(() =>
            (
              globalThis as unknown as { siegelpost: { policySetRequiretls(r: unknown): Promise<unknown> } }
            ).siegelpost.policySetRequiretls({ value: 'request' }),
          )
        }
      })

      it('sends with the keyboard alone', async () => {
        const before = deliveredMail(suite.stack, 'fran@example.org').length
        const tabTo = async (matches: string) => {
          for (let i = 0; i < 60; i++) {
            await page.keyboard.press('Tab')
            const focused = await page.evaluate((selector) => {
              const dom = globalThis as unknown as {
                document: { activeElement: { matches(s: string): boolean } | null }
              }
              return dom.document.activeElement?.matches(selector) ?? false
            }, matches)
            if (focused) return
          }
          throw new Error(`focus never reached ${matches}`)
        }
        await tabTo('[data-section=compose]')
        await page.keyboard.press('Enter')
        await tabTo('#compose-to')
        await page.keyboard.type('fran@example.org')
        await page.keyboard.press('Enter')
        await expect.poll(() => stateOf('fran@example.org')).toBe('smime')
        await tabTo('#compose-subject')
        await page.keyboard.type('Per Tastatur')
        await tabTo('#compose-body')
        await page.keyboard.type('Nur mit der Tastatur geschrieben.')
        await tabTo('[data-testid=send]')
        await screen('keyboard')
        await page.keyboard.press('Enter')
        await page.getByTestId('send-result').waitFor({ timeout: 60_000 })
        await expect
          .poll(() => deliveredMail(suite.stack, 'fran@example.org').length, { timeout: 20_000 })
          .toBe(before + 1)
        expect(steps.size).toBeGreaterThanOrEqual(10)
        expect(harness.problems).toEqual([])
      })
    })
  }
})
