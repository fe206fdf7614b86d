import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newMailNotifier } from '../../main/platform/desktop-shell.ts'
import { doveadm } from '../helpers/mailbox-corpus.ts'
import { hasMailStack, mailStackFix } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { accessibilityViolations, chromiumPath, screensDir, type Harness } from './harness.ts'
import { startInboxApp, type InboxApp } from './inbox-app.ts'

/**
 * New mail while the window shows the Posteingang, in Chromium with the real handler registry, the OS
 * keychain of the test keyring session and the real Postfix + Dovecot: an encrypted mail delivered by SMTP
 * appears in the list without "Jetzt abrufen", the unread count beside INBOX rises, the selection stays,
 * and neither the OS notification nor the window's announcement names its subject or its sender.
 */
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix) ||
  skipUnless(
    'a keyring session (accounts keep their password in the OS keychain)',
    hasKeyringSession,
    'bash test/helpers/with-keyring.sh npx vitest run …',
  )

const users = { de: 'advisor@kanzlei.test', en: 'client@mandant.test' } as const
const subject = 'Bescheid über Einkommensteuer 2025'
const senderName = 'Finanzamt Musterstadt'
const senderAddress = 'poststelle@finanzamt.example'
const announced = { de: 'Neue verschlüsselte Nachricht eingegangen', en: 'New encrypted message received' } as const
const notified = { de: 'Neue verschlüsselte Nachricht', en: 'New encrypted message' } as const

const plainMail = (from: string, subject: string, date: Date) =>
  `From: ${from}\r\nSubject: ${subject}\r\nDate: ${date.toUTCString()}\r\n\r\nGuten Tag.\r\n`
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000)

const encryptedMail = (to: string) =>
  Buffer.from(
    [
      `From: ${senderName} <${senderAddress}>`,
      `To: ${to}`,
      `Subject: ${subject}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <new-mail-${Date.now()}@finanzamt.example>`,
      'MIME-Version: 1.0',
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
      'Content-Disposition: attachment; filename=smime.p7m',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('opaque CMS stand-in').toString('base64'),
      '',
    ].join('\r\n'),
  )

describe.skipIf(skip)('new mail while the Posteingang is open', () => {
  const suite = mailStackSuite('sp-e2e-new-mail-')

  beforeAll(() => {
    for (const user of Object.values(users))
      doveadm(
        suite.stack,
        ['save', '-u', user, '-m', 'INBOX'],
        plainMail('Kanzlei Berger <info@kanzlei-berger.example>', 'Termin Jahresgespräch', daysAgo(1)),
      )
  })

  for (const lang of ['de', 'en'] as const) {
    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const user = users[lang]
      const profile = () => join(suite.work, `profile-${lang}`)
      const notices: { title: string; body: string }[] = []
      let app: InboxApp
      let harness: Harness
      let page: Page
      const count = async () => Number(await page.getByTestId('message-list').getAttribute('data-count'))
      const unread = () => page.locator('[data-folder=INBOX]').getAttribute('data-unread')
      const selected = () => page.locator('[data-testid=message-row][aria-selected=true]').getAttribute('data-id')
      /** Whether main's watch of the account is up, from the window's last `mailbox:changes` answer. */
      /** The click handlers of the notifications shown so far. */
      const clicks: (() => void)[] = []
      const isWatching = () =>
        harness.responses.some(
          (r) => (r as { value?: { watching?: { state: string }[] } }).value?.watching?.[0]?.state === 'watching',
        )

      beforeAll(async () => {
        app = await startInboxApp(
          suite.stack,
          { user, profileDir: profile(), lang },
          {
            watchMail: true,
            // The app's notifier (desktop-shell.ts) with the OS notification and the window standing in: a
            // click asks the page to show the Posteingang, as the preload's `siegelpostShell` passes it on.
            notify: newMailNotifier({
              isSupported: () => true,
              create: (notice) => ({ onClick: (run) => void clicks.push(run), show: () => void notices.push(notice) }),
              window: () => ({
                isMinimized: () => false,
                restore: () => undefined,
                focus: () => undefined,
                show: (section) =>
                  void page.evaluate(
                    (s) => (globalThis as unknown as { __showSection?: (s: string) => void }).__showSection?.(s),
                    section,
                  ),
              }),
            }),
          },
        )
        ;({ harness, page } = app)
      }, 120_000)
      afterAll(() => app?.close())

      it('shows new encrypted mail without "fetch now", selection kept, no subject or sender told', async () => {
        await expect.poll(count, { timeout: 60_000 }).toBe(1)
        await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-running')).toBe('false')
        await expect.poll(isWatching, { timeout: 30_000 }).toBe(true)
        expect(await unread()).toBe('1')
        await page.focus('[data-testid=message-list]')
        const first = await page.locator('[data-testid=message-row]').first().getAttribute('data-id')
        await expect.poll(selected).toBe(first)
        const smtp = createTransport({
          host: suite.stack.host,
          port: suite.stack.ports.submissions,
          secure: true,
          tls: { ca: readFileSync(suite.stack.caPath) },
          auth: { user: 'archiv@kanzlei.test', pass: 'archiv-pw' },
        })
        await smtp.sendMail({ envelope: { from: 'archiv@kanzlei.test', to: [user] }, raw: encryptedMail(user) })
        smtp.close()

        await expect.poll(count, { timeout: 30_000 }).toBe(2)
        await expect.poll(unread).toBe('2')
        // The new one is on top, encrypted; the row the user had chosen is still chosen.
        const top = page.locator('[data-testid=message-row]').first()
        expect(await top.locator('[data-protection=enc]').count()).toBe(1)
        expect(await top.textContent()).toContain(subject)
        expect(await selected()).toBe(first)

        const note = page.getByTestId('new-mail-announcement')
        await expect.poll(() => note.textContent()).toBe(announced[lang])
        expect(await note.getAttribute('aria-live')).toBe('polite')
        await expect.poll(() => notices.length).toBe(1)
        expect(notices[0]).toEqual({ title: 'Siegelpost – kanzlei', body: notified[lang] })
        for (const text of [await note.textContent(), notices[0]!.title, notices[0]!.body]) {
          for (const secret of [subject, 'Einkommensteuer', senderName, senderAddress, 'finanzamt'])
            expect(text ?? '').not.toContain(secret)
        }

        await mkdir(screensDir, { recursive: true })
        await page.screenshot({ path: join(screensDir, `read-new-mail-${lang}.png`) })
        expect(await accessibilityViolations(page), `axe on new mail (${lang})`).toEqual([])
        expect(harness.problems).toEqual([])
      }, 120_000)

      it('a list scrolled down stays on the same message when new mail comes in above it', async () => {
        for (let k = 0; k < 30; k++)
          doveadm(
            suite.stack,
            ['save', '-u', user, '-m', 'INBOX'],
            plainMail(`Mandant ${k} <m${k}@mandant.example>`, `Beleg ${k}`, daysAgo(k + 2)),
          )
        await expect.poll(count, { timeout: 30_000 }).toBe(32)
        const list = page.getByTestId('message-list')
        await list.evaluate((element) => (element.scrollTop = 10 * 58))
        /** The id of the row at the top of the visible part of the list. */
        const topRow = () =>
          list.evaluate((element) => {
            const index = Math.floor(element.scrollTop / 58)
            return (
              [...element.querySelectorAll('[data-testid=message-row]')]
                .find((row) => row.getAttribute('aria-posinset') === String(index + 1))
                ?.getAttribute('data-id') ?? null
            )
          })
        await expect.poll(topRow).not.toBeNull()
        const before = await topRow()
        // The chosen row is out of view (not rendered): the list names it in aria-activedescendant.
        const chosen = await list.getAttribute('aria-activedescendant')
        expect(chosen).toMatch(/^sp-msg-/)
        doveadm(
          suite.stack,
          ['save', '-u', user, '-m', 'INBOX'],
          plainMail('Kanzlei Berger <info@kanzlei-berger.example>', 'Nachtrag', new Date()),
        )
        await expect.poll(count, { timeout: 30_000 }).toBe(33)
        expect(await list.evaluate((element) => element.scrollTop)).toBe(11 * 58)
        expect(await topRow()).toBe(before)
        expect(await list.getAttribute('aria-activedescendant')).toBe(chosen)
      }, 120_000)

      it('offline: the window says so, the list stays readable, and the watch comes back with the server', async () => {
        const before = await count()
        // Back to the top, where the chosen row is rendered (aria-activedescendant names a present row).
        await page.getByTestId('message-list').evaluate((element) => (element.scrollTop = 0))
        const hint = page.getByTestId('watch-offline')
        expect(await hint.textContent()).toBe('')
        doveadm(suite.stack, ['kick', user])
        doveadm(suite.stack, ['stop'])
        try {
          await expect.poll(() => hint.textContent(), { timeout: 30_000 }).toContain('kanzlei')
          expect(await count()).toBe(before)
          await mkdir(screensDir, { recursive: true })
          await page.screenshot({ path: join(screensDir, `read-new-mail-offline-${lang}.png`) })
          expect(await accessibilityViolations(page), `axe offline (${lang})`).toEqual([])
        } finally {
          execFileSync('dovecot', ['-c', join(suite.stack.root, 'dovecot', 'dovecot.conf')], { stdio: 'ignore' })
        }
        await expect.poll(() => hint.textContent(), { timeout: 40_000, interval: 500 }).toBe('')
        doveadm(
          suite.stack,
          ['save', '-u', user, '-m', 'INBOX'],
          plainMail('a@b.example', 'Wieder verbunden', new Date()),
        )
        await expect.poll(count, { timeout: 30_000 }).toBe(before + 1)
      }, 120_000)

      it('a click on the new-mail notification opens the Posteingang from another section', async () => {
        // Stands in for the preload's `siegelpostShell` (Electron's IPC from main to the page).
        await page.addInitScript(() => {
          const shell = {
            onShowSection: (run: (section: string) => void) => {
              ;(globalThis as unknown as { __showSection?: (s: string) => void }).__showSection = run
              return () => undefined
            },
          }
          Object.defineProperty(globalThis, 'siegelpostShell', { value: shell })
        })
        await page.reload()
        await page.getByTestId('inbox').waitFor()
        await page.click('[data-section=compose]')
        await page.locator('#compose-to').waitFor()
        expect(await page.getByTestId('inbox').count()).toBe(0)
        expect(clicks.length).toBeGreaterThan(0)
        clicks.at(-1)!()
        await expect.poll(() => page.locator('[data-section=inbox]').getAttribute('aria-current')).toBe('page')
        await page.getByTestId('inbox').waitFor()
        expect(await page.locator('[data-section=compose]').getAttribute('aria-current')).toBeNull()
      }, 60_000)
    })
  }
})
