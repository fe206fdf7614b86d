import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBody, parseMime, type MimePart } from '../../main/core/mime/parse.ts'
import {
  deliveredFiles,
  hasMailStack,
  mailStackFix,
  stackAccountArgs,
  writeStackPassword,
} from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import {
  accessibilityViolations,
  chromiumPath,
  e2eAppInfo,
  e2eKeySource,
  errorText,
  screensDir,
  startHarness,
  t,
  tMatch,
  type Harness,
} from './harness.ts'
import { openComposer } from './composer-page.ts'
import { forgetAccountPassword, keychainProfileCli } from './keychain-account.ts'

/**
 * The password PDF in the app, end to end: the composer's password panel for a client with container consent
 * (one without a standing password, one with), the send through the real Postfix and Dovecot, the generated
 * password shown once with the clipboard copy (cleared again) and the password letter, the received PDF opened
 * by qpdf with that password; then the received mail in the read view, its password PDF opened with a wrong
 * and with the right password and an enclosed file saved.
 */
const has = (tool: string, flag = '--version') => spawnSync(tool, [flag]).status === 0
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('qpdf and poppler', has('qpdf') && has('pdftotext', '-v'), 'apt-get install qpdf poppler-utils') ||
  skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix) ||
  skipUnless(
    'a keyring session (accounts keep their password in the OS keychain)',
    hasKeyringSession,
    'bash test/helpers/with-keyring.sh npx vitest run …',
  )

const standingPassword = 'Tannenbaum-Segelboot-Kompass'
const clearMs = 2000

/** The application/pdf part of a received carrier mail. */
function pdfOf(mail: Buffer): Buffer {
  const find = (part: MimePart): MimePart | null =>
    part.contentType.type === 'application/pdf' ? part : (part.children.map(find).find((p) => p !== null) ?? null)
  const part = find(parseMime(mail))
  if (!part) throw new Error('no PDF in the mail')
  return Buffer.from(decodeBody(part))
}

describe.skipIf(skip)('the password PDF in the app', () => {
  const suite = mailStackSuite('sp-e2e-container-')
  let passwordFile: string

  beforeAll(() => {
    writeFileSync(join(suite.work, 'Lohnliste 2025.csv'), 'Name;Betrag\nMuster;1000\n')
    passwordFile = writeStackPassword(suite.work, 'alice@example.org')
    writeFileSync(join(suite.work, 'standing-pw'), standingPassword)
  })

  for (const lang of ['de', 'en'] as const) {
    describe(lang === 'de' ? 'in German' : 'in English', () => {
      let harness: Harness
      let page: Page
      let shownPassword = ''
      const profile = () => join(suite.work, `profile-${lang}`)
      const generatedFor = 'max@mandant.test'
      const standingFor = 'client@mandant.test'
      const viaResolver = 'advisor@kanzlei.test'
      const openQueue: string[] = []
      /** The window scrolls inside: `focus` is scrolled into view first, then the window is shot as the user sees it. */
      const screen = async (name: string, focus?: Locator) => {
        await mkdir(screensDir, { recursive: true })
        await focus?.evaluate((node) =>
          (node as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'nearest' }),
        )
        await page.screenshot({ path: join(screensDir, `${name}-${lang}.png`) })
        expect(await accessibilityViolations(page), `axe on ${name} (${lang})`).toEqual([])
      }
      const chip = (address: string) => page.locator(`[data-testid=chip][data-address="${address}"]:not(.chip-preview)`)
      const typeTo = async (address: string) => {
        await page.locator('#compose-to').fill(address)
        await page.locator('#compose-to').press('Enter')
      }

      beforeAll(async () => {
        const cli = keychainProfileCli(profile())
        cli(['keys', 'generate', '--name', 'Alice Beraterin', '--email', 'alice@example.org'])
        cli(['policy', 'consent', generatedFor, '--channel', 'container', '--by', 'Anna Beraterin'])
        cli([
          'policy',
          'consent',
          standingFor,
          '--channel',
          'container',
          '--by',
          'Anna Beraterin',
          '--password-file',
          join(suite.work, 'standing-pw'),
          '--transmitted',
          'post',
          '--transmitted-on',
          '2026-11-02',
        ])
        cli(stackAccountArgs(suite.stack, 'kanzlei', 'alice@example.org', passwordFile))
        harness = await startHarness({
          profileDir: profile(),
          keySource: e2eKeySource,
          appInfo: e2eAppInfo,
          chooseOpenPaths: async () => [join(suite.work, 'Lohnliste 2025.csv')],
          clipboardClearMs: clearMs,
          mailShell: {
            chooseMessageFile: async () => openQueue.shift() ?? null,
            openPath: async () => undefined,
          },
        })
        page = harness.page
        await page.setViewportSize({ width: 1280, height: 1000 })
        await openComposer(harness, lang)
      }, 180_000)
      afterAll(async () => {
        await harness?.close()
        await forgetAccountPassword(profile())
      })

      it('records the consent to the password PDF from the resolver', async () => {
        await typeTo(viaResolver)
        await expect.poll(() => chip(viaResolver).getAttribute('data-state'), { timeout: 15_000 }).toBe('blocked')
        await chip(viaResolver).locator('.chip-main').click()
        const dialog = page.getByRole('dialog')
        await dialog.getByRole('button', { name: t(lang, 'resolver.container') }).click()
        expect(await dialog.textContent()).toContain(t(lang, 'resolver.containerExplain'))
        await dialog.getByLabel(t(lang, 'resolver.consentBy')).fill('Anna Beraterin')
        await dialog.getByRole('button', { name: t(lang, 'resolver.consentSave') }).click()
        await dialog.getByText(t(lang, 'resolver.consentRecorded')).waitFor()
        await dialog.getByRole('button', { name: t(lang, 'resolver.close') }).click()
        await expect.poll(() => chip(viaResolver).getAttribute('data-state'), { timeout: 15_000 }).toBe('container')
      })

      it('offers a generated or the standing password per container recipient in the panel', async () => {
        await typeTo(generatedFor)
        await typeTo(standingFor)
        for (const address of [generatedFor, standingFor])
          await expect.poll(() => chip(address).getAttribute('data-state'), { timeout: 15_000 }).toBe('container')
        const panel = page.getByTestId('password-panel')
        await panel.waitFor()
        const choice = (address: string) => panel.locator(`[data-testid=password-choice][data-address="${address}"]`)
        const radio = (address: string, label: 'pwpanel.generate' | 'pwpanel.standing') =>
          choice(address).getByRole('radio', { name: t(lang, label) })
        // No standing password: only the generated one can be chosen, and the panel says where to record one.
        expect(await radio(generatedFor, 'pwpanel.generate').isChecked()).toBe(true)
        expect(await radio(generatedFor, 'pwpanel.standing').isDisabled()).toBe(true)
        expect(await choice(generatedFor).textContent()).toContain(t(lang, 'pwpanel.standingNone'))
        // A standing password is the default where one is kept, with how it was handed over.
        expect(await radio(standingFor, 'pwpanel.standing').isChecked()).toBe(true)
        expect(await choice(standingFor).textContent()).toContain(t(lang, 'pwpanel.how.post'))
        expect(await panel.textContent()).toContain(t(lang, 'pwpanel.never'))
        expect(await page.getByTestId('send').textContent()).toBe(t(lang, 'send.button.container'))
        await page.locator('#compose-subject').fill('Lohnabrechnung Dezember')
        await page.locator('#compose-body').fill(`Guten Tag,\nanbei die Lohnliste (${lang}).\n`)
        await page.getByRole('button', { name: t(lang, 'compose.attach') }).click()
        await page.locator('.composer [data-testid=attachment]').first().waitFor()
        await page
          .locator('.composer')
          .evaluate((node) =>
            (node as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'start' }),
          )
        await screen('container-panel')
      })

      it('sends, shows the generated password once, copies it (cleared again) and prints the letter', async () => {
        const before = {
          generated: deliveredFiles(suite.stack, generatedFor).length,
          standing: deliveredFiles(suite.stack, standingFor).length,
        }
        await page.getByTestId('send').click()
        const dialog = page.getByRole('dialog')
        await dialog.getByTestId('confirm-send').waitFor()
        expect(await dialog.textContent()).toContain(t(lang, 'send.containerNote'))
        await dialog.getByTestId('confirm-send').click()
        await page.getByTestId('send-result').waitFor({ timeout: 90_000 })
        const shown = page.locator(`[data-testid=generated-password][data-recipient="${generatedFor}"]`)
        await shown.waitFor()
        // Only the recipients without a standing password get a generated one, each their own.
        expect(
          await page
            .getByTestId('generated-password')
            .evaluateAll((nodes) =>
              nodes.map((n) => (n as unknown as { dataset: { recipient: string } }).dataset.recipient).sort(),
            ),
        ).toEqual([viaResolver, generatedFor].sort())
        shownPassword = (await shown.getByTestId('password-value').textContent()) ?? ''
        expect(shownPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){5}$/)
        expect(await shown.textContent()).toContain(t(lang, 'pwshown.once'))
        expect(await page.getByTestId('standing-used').textContent()).toContain(standingFor)
        await screen('container-password-shown')

        // A second ask is refused: main shows a generated password once.
        const passwordId = harness.responses
          .map((r) => (r as { value?: { messages?: { passwordId?: string | null }[] } }).value?.messages)
          .flatMap((messages) => messages ?? [])
          .map((m) => m.passwordId)
          .find((id) => typeof id === 'string')
        expect(passwordId).toBeDefined()
        const again = await page.evaluate(
          (id) =>
            (
              globalThis as unknown as { siegelpost: { composePasswordShow(r: unknown): Promise<unknown> } }
            ).siegelpost.composePasswordShow({ passwordId: id }),
          passwordId,
        )
        expect(again).toMatchObject({ ok: false, error: { code: 'COMPOSE_PASSWORD_GONE' } })
        const showResponses = harness.responses.filter((r) => JSON.stringify(r).includes(shownPassword))
        expect(showResponses).toHaveLength(1)

        await shown.getByRole('button', { name: t(lang, 'pwshown.copy') }).click()
        await shown.getByTestId('password-note').waitFor()
        expect(await shown.getByTestId('password-note').textContent()).toContain(
          t(lang, 'pwshown.copied', { seconds: clearMs / 1000 }),
        )
        expect(harness.clipboard.at(-1)).toBe(shownPassword)
        await expect.poll(() => harness.clipboard.at(-1), { timeout: clearMs + 5000 }).toBe('')

        await shown.getByRole('button', { name: t(lang, 'pwshown.letter') }).click()
        await shown
          .getByTestId('password-note')
          .filter({ hasText: tMatch(lang, 'pwshown.letterSaved') })
          .waitFor()
        expect(harness.saved.at(-1)).toMatch(/Passwortbrief-.*\.pdf$/)
        const letter = spawnSync('pdftotext', ['-layout', harness.saved.at(-1)!, '-'], { encoding: 'utf8' }).stdout
        expect(letter).toContain(shownPassword)
        expect(letter).toContain(generatedFor)
        expect(letter).not.toContain('Lohnabrechnung')

        // Each mailbox got its carrier mail; the PDFs open in qpdf with the shown and with the standing password.
        await expect
          .poll(() => deliveredFiles(suite.stack, generatedFor).length, { timeout: 30_000 })
          .toBe(before.generated + 1)
        await expect
          .poll(() => deliveredFiles(suite.stack, standingFor).length, { timeout: 30_000 })
          .toBe(before.standing + 1)
        const received = readFileSync(deliveredFiles(suite.stack, generatedFor).at(-1)!)
        expect(received.toString('latin1')).not.toContain(shownPassword)
        expect(received.toString('latin1')).not.toContain('Lohnabrechnung')
        const pdfPath = join(suite.work, `received-${lang}.pdf`)
        writeFileSync(pdfPath, pdfOf(received))
        const qpdf = (password: string, path = pdfPath) =>
          spawnSync('qpdf', [`--password=${password}`, '--decrypt', path, join(suite.work, `plain-${lang}.pdf`)])
        expect(qpdf(shownPassword).status).toBe(0)
        expect(qpdf('falsch-falsch').status).toBe(2)
        const listed = spawnSync('qpdf', ['--list-attachments', join(suite.work, `plain-${lang}.pdf`)], {
          encoding: 'utf8',
        })
        expect(listed.stdout).toContain('Lohnliste 2025.csv')
        const standingPdf = join(suite.work, `standing-${lang}.pdf`)
        writeFileSync(standingPdf, pdfOf(readFileSync(deliveredFiles(suite.stack, standingFor).at(-1)!)))
        expect(qpdf(standingPassword, standingPdf).status).toBe(0)
        // Neither password is anywhere in the profile (drafts, Outbox, Sent, register): sealed or never kept.
        const files = (await readdir(profile(), { recursive: true, withFileTypes: true })).filter((f) => f.isFile())
        for (const file of files) {
          const bytes = await readFile(join(file.parentPath, file.name))
          expect(bytes.includes(shownPassword), file.name).toBe(false)
          expect(bytes.includes(standingPassword), file.name).toBe(false)
        }

        await shown.getByRole('button', { name: t(lang, 'pwshown.done') }).click()
        await page.getByTestId('password-forgotten').waitFor()
        expect(await shown.getByTestId('password-value').count()).toBe(0)
      })

      it('opens the received password PDF in the read view: a wrong password changes nothing, the right one opens it', async () => {
        openQueue.push(deliveredFiles(suite.stack, generatedFor).at(-1)!)
        await page.click('[data-section=inbox]')
        await page.getByTestId('open-eml').click()
        const offer = page.getByTestId('password-pdf')
        await offer.waitFor({ timeout: 20_000 }).catch(async (error: unknown) => {
          await page.screenshot({ path: join(screensDir, `debug-read-${lang}.png`), fullPage: true })
          throw error
        })
        await offer.getByRole('button', { name: t(lang, 'mailpdf.open') }).click()
        const field = offer.getByLabel(t(lang, 'container.password'), { exact: true })
        await field.fill('abcd-efgh-jkmn-pqrs-tuvw-xyz2')
        await offer
          .locator('form')
          .getByRole('button', { name: t(lang, 'mailpdf.open') })
          .click()
        await offer.getByText(errorText(lang, 'CONTAINER_WRONG_PASSWORD')).waitFor({ timeout: 20_000 })
        expect(await offer.getByTestId('container-opened').count()).toBe(0)
        expect(await field.inputValue()).toBe('abcd-efgh-jkmn-pqrs-tuvw-xyz2')
        await screen('container-open-wrong', offer)

        await field.fill(shownPassword)
        await offer
          .locator('form')
          .getByRole('button', { name: t(lang, 'mailpdf.open') })
          .click()
        await offer.getByTestId('container-opened').waitFor({ timeout: 20_000 })
        expect(await offer.getByTestId('container-text').textContent()).toContain(`anbei die Lohnliste (${lang})`)
        expect(await offer.textContent()).toContain('Lohnabrechnung Dezember')
        expect(await offer.textContent()).toContain(t(lang, 'mailpdf.unsigned'))
        await offer
          .getByRole('button', { name: t(lang, 'container.saveNamed', { name: 'Lohnliste 2025.csv' }) })
          .click()
        await offer.getByTestId('container-saved').waitFor()
        expect(readFileSync(harness.saved.at(-1)!)).toEqual(readFileSync(join(suite.work, 'Lohnliste 2025.csv')))
        await screen('container-open', offer)
        expect(harness.problems).toEqual([])
      })
    })
  }
})
