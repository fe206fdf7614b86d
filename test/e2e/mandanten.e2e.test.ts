import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContainer } from '../../main/core/container/build.ts'
import { checkStandingPassword } from '../../main/core/container/password.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { ClientPasswordStore } from '../../main/core/policy/client-passwords.ts'
import { PolicyStore } from '../../main/core/policy/policy-settings.ts'
import { skipUnless } from '../helpers/needs.ts'
import {
  accessibilityViolations,
  chromiumPath,
  e2eAppInfo,
  e2eKeySource,
  errorText,
  type Harness,
  openApp,
  screensDir,
  startHarness,
  t,
} from './harness.ts'

/**
 * The Mandanten page in Chromium through the real handler registry and vault: a consent recorded with a
 * standing password (a weak one refused with its reason), changed (the history keeps the old entry), the
 * letter and the register saved through main and read back with pdftotext; and a received password PDF
 * opened with a wrong, then the right password, an attachment saved byte for byte.
 */
const hasPoppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('poppler-utils', hasPoppler, 'apt-get install poppler-utils')

/** A full-window screenshot `<name>-<lang>.png`, and axe-core must find nothing on that screen. */
async function shot(page: Page, name: string, lang: string) {
  await page.screenshot({ path: join(screensDir, `${name}-${lang}.png`) })
  expect(await accessibilityViolations(page), `axe on ${name} (${lang})`).toEqual([])
}

const pdfText = (path: string, password?: string) =>
  execFileSync('pdftotext', [...(password ? ['-upw', password] : []), '-layout', path, '-'], { encoding: 'utf8' })

const weak = 'Mueller12.05.1985'
const strong = 'Kompass-Rotkehlchen-Wanderweg-Ofen'
const containerPassword = 'tk7m-9wqa-hz3e-c8ur-x2pn-df6b'
/** A real one-page PDF, so the container also appends its page after the cover. */
async function payrollPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  page.drawText('Lohnabrechnung November 2026 - Bernd Mandant', {
    x: 60,
    y: 760,
    size: 16,
    font: await doc.embedFont(StandardFonts.Helvetica),
  })
  return Buffer.from(await doc.save())
}
const notes = Buffer.from('Kontoauszüge 2026: bitte bis 31.01. nachreichen.\n', 'utf8')

for (const lang of ['de', 'en'] as const) {
  describe.skipIf(skip)(`the Mandanten page and the password PDF (${lang})`, () => {
    let dir: string
    let harness: Harness
    let containerPath: string
    /** What the stand-in for main's open dialog answers next. */
    let nextOpen = ''
    let payroll: Buffer
    const client = `bernd.${lang}@mandant.test`
    const profileDir = () => join(dir, 'profile')

    beforeAll(async () => {
      await mkdir(screensDir, { recursive: true })
      dir = await mkdtemp(join(tmpdir(), `sp-e2e-clients-${lang}-`))
      containerPath = join(dir, 'Vertrauliche-Nachricht-2026-12-04.pdf')
      payroll = await payrollPdf()
      const container = await buildContainer(
        {
          from: 'Anna Beraterin <anna@kanzlei.test>',
          date: new Date('2026-12-04T09:30:00Z'),
          subject: 'Lohnabrechnung November',
          text:
            'Guten Tag Herr Bernd,\n\nanbei die Lohnabrechnung für November und ein Hinweis zu den Kontoauszügen.' +
            '\n\nMit freundlichen Grüßen\nAnna Beraterin',
          files: [
            { fileName: 'Lohnabrechnung-2026-11.pdf', contentType: 'application/pdf', bytes: payroll },
            { fileName: 'Hinweis.txt', contentType: 'text/plain', bytes: notes },
          ],
        },
        containerPassword,
      )
      await writeFile(containerPath, container)
      // The cover page as a client's reader shows it.
      const prefix = join(dir, 'cover')
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '80',
        '-f',
        '1',
        '-l',
        '1',
        '-upw',
        containerPassword,
        containerPath,
        prefix,
      ])
      const [page] = (await import('node:fs'))
        .readdirSync(dir)
        .filter((name) => name.startsWith('cover') && name.endsWith('.png'))
      await rename(join(dir, page!), join(screensDir, `container-cover-${lang}.png`))

      harness = await startHarness({
        profileDir: profileDir(),
        keySource: e2eKeySource,
        appInfo: e2eAppInfo,
        chooseOpenPath: async () => nextOpen,
      })
      await openApp(harness, lang, { skipSetup: true })
      await harness.page.click('[data-section=clients]')
    })
    afterAll(async () => {
      await harness?.close()
      await rm(dir, { recursive: true, force: true })
    })

    it('records a consent with a standing password; a weak one is refused with its reason', async () => {
      const { page } = harness
      await expect.poll(() => page.locator('.empty').textContent()).toBe(t(lang, 'clients.empty'))
      await shot(page, 'consent-empty', lang)

      await page.getByRole('button', { name: t(lang, 'clients.record') }).click()
      await page.getByLabel(t(lang, 'clients.field.target'), { exact: true }).fill(client)
      await page.getByLabel(t(lang, 'clients.channel.container')).check()
      await page.getByLabel(t(lang, 'clients.password.new')).fill(weak)
      await page.getByLabel(t(lang, 'clients.password.repeat')).fill(`${weak}x`)
      await page.getByLabel(t(lang, 'clients.transmitted.how')).selectOption('post')
      await page.getByLabel(t(lang, 'clients.transmitted.on')).fill('2026-12-01')
      await page.getByLabel(t(lang, 'clients.field.by')).fill('Anna Beraterin')
      await page.getByLabel(t(lang, 'clients.field.expires')).fill('2027-12-31')
      await page.getByLabel(t(lang, 'clients.field.note')).fill('Schriftlich unterschrieben am 01.12.2026')
      await shot(page, 'consent-record-form', lang)
      await page.getByRole('button', { name: t(lang, 'clients.save') }).click()
      expect(await page.getByTestId('password-mismatch').textContent()).toContain(t(lang, 'clients.password.mismatch'))

      // Typed twice the same, but built around a birthdate: the core refuses it and the page says why.
      expect(checkStandingPassword(weak)).toBe('contains-date')
      await page.getByLabel(t(lang, 'clients.password.new')).fill(weak)
      await page.getByLabel(t(lang, 'clients.password.repeat')).fill(weak)
      await page.getByRole('button', { name: t(lang, 'clients.save') }).click()
      const refused = page.getByTestId('password-refused')
      await expect.poll(() => refused.textContent()).toContain(t(lang, 'clients.password.containsDate'))
      expect(await refused.getAttribute('data-code')).toBe('contains-date')
      expect(await page.getByLabel(t(lang, 'clients.password.new')).inputValue()).toBe('')
      await shot(page, 'consent-weak-password', lang)

      await page.getByLabel(t(lang, 'clients.password.new')).fill(strong)
      await page.getByLabel(t(lang, 'clients.password.repeat')).fill(strong)
      await page.getByRole('button', { name: t(lang, 'clients.save') }).click()
      await expect
        .poll(() => page.locator('.notice-ok').textContent())
        .toContain(t(lang, 'clients.saved', { target: client }))
      const card = page.getByTestId(`client-${client}`)
      expect(await card.textContent()).toContain(t(lang, 'clients.channel.container'))
      // Dates entered as days read back as those days (not shifted by the time zone).
      expect(await card.getByTestId('standing-password').textContent()).toBe(
        t(lang, 'clients.password.keptTransmittedOn', {
          how: t(lang, 'clients.transmitted.post'),
          date: lang === 'de' ? '01.12.2026' : '1 Dec 2026',
        }),
      )
      expect(await card.textContent()).toContain(lang === 'de' ? '31.12.2027' : '31 Dec 2027')
      await shot(page, 'consent-recorded', lang)

      const vault = await openVault({ profileDir: profileDir(), keySource: await e2eKeySource() })
      const settings = await new PolicyStore(profileDir(), vault).load()
      expect(settings.consents).toMatchObject([
        {
          address: client,
          channel: 'container',
          by: 'Anna Beraterin',
          hasPassword: true,
          transmitted: 'post',
          current: true,
          expires: '2027-12-31T23:59:59.999Z',
        },
      ])
      expect(await new ClientPasswordStore(profileDir(), vault).get(client)).toBe(strong)
    })

    it('changes the consent to transport only and keeps the earlier entry in the history', async () => {
      const { page } = harness
      const card = page.getByTestId(`client-${client}`)
      await card.getByRole('button', { name: t(lang, 'clients.change') }).click()
      await page.getByLabel(t(lang, 'clients.channel.tls')).check()
      expect(await page.locator('dialog .notice-warning').textContent()).toContain(t(lang, 'clients.channel.readable'))
      expect(await page.getByTestId('password-will-delete').textContent()).toContain(
        t(lang, 'clients.password.willDelete'),
      )
      await page.getByLabel(t(lang, 'clients.field.by')).fill('Carla Büro')
      await shot(page, 'consent-change-form', lang)
      await page.getByRole('button', { name: t(lang, 'clients.save') }).click()
      await expect.poll(() => card.locator('.consent-channel').textContent()).toContain(t(lang, 'clients.channel.tls'))
      // The search narrows the list (and says so for screen readers).
      await page.getByLabel(t(lang, 'clients.search')).fill('nobody.test')
      await expect
        .poll(() => page.locator('.count').textContent())
        .toBe(t(lang, 'clients.count', { shown: 0, total: 1 }))
      await page.getByLabel(t(lang, 'clients.search')).fill(lang === 'de' ? 'transportverschl' : 'transport encryption')
      await expect
        .poll(() => page.locator('.count').textContent())
        .toBe(t(lang, 'clients.count', { shown: 1, total: 1 }))
      await page.getByLabel(t(lang, 'clients.search')).fill('')
      await card.getByText(t(lang, 'clients.history', { count: 2 })).click()
      const history = card.locator('.consent-history li')
      expect(await history.count()).toBe(2)
      expect(await history.nth(0).textContent()).toContain(t(lang, 'clients.history.current'))
      expect(await history.nth(1).textContent()).toContain(t(lang, 'clients.channel.container'))
      expect(await history.nth(1).textContent()).toContain(t(lang, 'clients.history.superseded'))
      await shot(page, 'consent-history', lang)
      // Transport only: the standing password is no longer kept.
      const vault = await openVault({ profileDir: profileDir(), keySource: await e2eKeySource() })
      expect(await new ClientPasswordStore(profileDir(), vault).get(client)).toBeNull()
    })

    it('saves the agreement letter, the CSV and the PDF report through main', async () => {
      const { page } = harness
      const card = page.getByTestId(`client-${client}`)
      await card.getByRole('button', { name: t(lang, 'clients.letter') }).click()
      await expect
        .poll(() => page.locator('.notice-ok').textContent())
        .toContain(t(lang, 'clients.savedFile', { name: `Einwilligung-${client}.pdf` }))
      const letter = pdfText(harness.saved.at(-1)!)
      expect(letter).toContain(client)
      expect(letter).toMatch(/\[X\]\s+ohne Ende-zu-Ende-Verschlüsselung, nur transportverschlüsselt \(TLS\)/)
      expect(letter).toMatch(/\[X\]\s+without end-to-end encryption, encrypted in transport only \(TLS\)/)
      expect(letter).not.toMatch(/\[X\]\s+als Passwort-PDF/)

      await page.getByRole('button', { name: t(lang, 'clients.export.csv') }).click()
      const register = lang === 'de' ? 'Einwilligungsregister' : 'Consent-register'
      await expect.poll(() => page.locator('.notice-ok').textContent()).toMatch(new RegExp(`${register}-[\\d-]+\\.csv`))
      const csv = (await readFile(harness.saved.at(-1)!, 'utf8')).replace(/^\uFEFF/, '')
      expect(
        csv
          .split('\r\n')
          .filter((line) => line.startsWith(client))
          .map((line) => line.split(';').slice(1, 3)),
      ).toEqual([
        ['container', 'Anna Beraterin'],
        ['tls', 'Carla Büro'],
      ])
      await page.getByRole('button', { name: t(lang, 'clients.export.pdf') }).click()
      await expect.poll(() => page.locator('.notice-ok').textContent()).toMatch(new RegExp(`${register}-[\\d-]+\\.pdf`))
      const report = pdfText(harness.saved.at(-1)!)
      expect(report).toContain(client)
      expect(report).toContain(lang === 'de' ? 'ersetzt' : 'superseded')
      expect(report).toContain(lang === 'de' ? 'gültig bis 31.12.2027' : 'expires 31/12/2027')
      expect(report).toMatch(lang === 'de' ? /per Brief 0?1\.12\.2026/ : /by letter 0?1\/12\/2026/)
      await shot(page, 'consent-exported', lang)
    })

    it('opens a received password PDF: a wrong password refused, the right one shows text and files', async () => {
      const { page } = harness
      await page.getByRole('button', { name: t(lang, 'container.openButton') }).click()
      await shot(page, 'container-start', lang)
      // First an ordinary PDF: it is not a password PDF, and the dialog says to open it with the usual reader.
      nextOpen = join(dir, 'Rechnung.pdf')
      await writeFile(nextOpen, payroll)
      await page.getByRole('button', { name: t(lang, 'container.choose') }).click()
      await page.getByLabel(t(lang, 'container.password'), { exact: true }).fill('irgendein-passwort')
      await page.getByRole('button', { name: t(lang, 'container.open'), exact: true }).click()
      await expect
        .poll(() => page.locator('dialog [data-code=CONTAINER_NOT_SIEGELPOST]').textContent(), { timeout: 20_000 })
        .toContain(errorText(lang, 'CONTAINER_NOT_SIEGELPOST'))
      nextOpen = containerPath
      await page.getByRole('button', { name: t(lang, 'container.chooseOther') }).click()
      await expect
        .poll(() => page.getByTestId('container-file').textContent())
        .toBe(t(lang, 'container.chosen', { name: 'Vertrauliche-Nachricht-2026-12-04.pdf' }))
      await page.getByLabel(t(lang, 'container.password'), { exact: true }).fill('tk7m-9wqa-hz3e-c8ur-x2pn-dfXX')
      await shot(page, 'container-chosen', lang)
      await page.getByRole('button', { name: t(lang, 'container.open'), exact: true }).click()
      const refused = page.locator('dialog [data-code=CONTAINER_WRONG_PASSWORD]')
      await expect
        .poll(() => refused.textContent(), { timeout: 20_000 })
        .toContain(errorText(lang, 'CONTAINER_WRONG_PASSWORD'))
      await shot(page, 'container-wrong-password', lang)

      await page.getByLabel(t(lang, 'container.password.show')).check()
      await page.getByLabel(t(lang, 'container.password'), { exact: true }).fill(containerPassword)
      await page.getByRole('button', { name: t(lang, 'container.open'), exact: true }).click()
      const opened = page.getByTestId('container-opened')
      await expect.poll(() => opened.isVisible(), { timeout: 20_000 }).toBe(true)
      const text = (await opened.textContent()) ?? ''
      expect(text).toContain('Lohnabrechnung November')
      expect(text).toContain('Anna Beraterin <anna@kanzlei.test>')
      expect(await page.getByTestId('container-text').textContent()).toContain('anbei die Lohnabrechnung für November')
      const sha = createHash('sha256').update(payroll).digest('hex')
      expect(text).toContain(sha)
      expect(text).toContain('Hinweis.txt')
      // Opened is not signed: the dialog says the sender is not confirmed.
      expect(await page.getByTestId('container-unsigned').textContent()).toContain(t(lang, 'mailpdf.unsigned'))
      await shot(page, 'container-opened', lang)

      await page
        .getByRole('button', { name: t(lang, 'container.saveNamed', { name: 'Lohnabrechnung-2026-11.pdf' }) })
        .click()
      await expect
        .poll(() => page.getByTestId('container-saved').textContent())
        .toContain(t(lang, 'container.saved', { name: 'Lohnabrechnung-2026-11.pdf' }))
      expect(await readFile(harness.saved.at(-1)!)).toEqual(payroll)
      await shot(page, 'container-saved', lang)
      await page.getByRole('button', { name: t(lang, 'container.close') }).click()
      expect(await page.locator('dialog[open]').count()).toBe(0)
    })

    it('says at the client when a rule requiring end-to-end encryption beats the consent', async () => {
      const { page } = harness
      const rule = await page.evaluate(
        (target) =>
          (
            globalThis as unknown as { siegelpost: { policyRule: (r: unknown) => Promise<{ ok: boolean }> } }
          ).siegelpost.policyRule({ target, require: 'e2e', by: 'Datenschutz' }),
        'mandant.test',
      )
      expect(rule.ok).toBe(true)
      await page.click('[data-section=outbox]')
      await page.click('[data-section=clients]')
      const notice = page.getByTestId(`client-${client}`).getByTestId('e2e-rule')
      await expect.poll(() => notice.textContent()).toContain(t(lang, 'clients.e2eRule'))
      await shot(page, 'consent-e2e-rule', lang)
    })

    it('never sent a password or attachment bytes to the page, and ran without page errors', () => {
      const seen = JSON.stringify(harness.responses)
      for (const secret of [strong, weak, containerPassword]) expect(seen).not.toContain(secret)
      expect(seen).not.toContain(payroll.toString('base64').slice(0, 60))
      expect(seen).not.toContain(notes.toString('base64').slice(0, 40))
      expect(seen).not.toContain('bitte bis 31.01. nachreichen')
      expect(harness.problems).toEqual([])
    })
  })
}
