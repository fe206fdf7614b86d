import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asStackUser, hasMailStack, mailStackFix, type MailStack } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { doveadm } from '../helpers/mailbox-corpus.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { accessibilityViolations, chromiumPath, screensDir, type Harness } from './harness.ts'
import { startInboxApp, type InboxApp } from './inbox-app.ts'

/**
 * Read/unread and flags in the Posteingang against the real Dovecot: the read pane's buttons and the keys
 * (Shift+U, S) change the server's flags first (read back here with imapflow), then the list, which shows a
 * flagged message with an icon and the word, never a colour alone. Offline (Dovecot stopped) a flag waits,
 * said in words, and the next sync writes it to the server.
 */
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix) ||
  skipUnless('a keyring session', hasKeyringSession, 'bash test/helpers/with-keyring.sh npx vitest run …')

const users = { de: 'advisor@kanzlei.test', en: 'client@mandant.test' } as const
const plain = (subject: string, hoursAgo: number) =>
  Buffer.from(
    `From: Kanzlei Berger <info@kanzlei-berger.example>\r\nTo: Mia Mandant <mia@mandant.example>\r\n` +
      `Subject: ${subject}\r\nDate: ${new Date(Date.now() - hoursAgo * 3_600_000).toUTCString()}\r\n` +
      `Message-ID: <${Math.random().toString(36).slice(2)}@x.example>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag, ${subject}.\r\n`,
  )

const imap = asStackUser

/** Dovecot goes away (its sessions first), and comes back as mailstack.sh starts it. */
const stopDovecot = (stack: MailStack, user: string) => {
  try {
    doveadm(stack, ['kick', user])
  } catch {
    // no session to kick
  }
  doveadm(stack, ['stop'])
}
const startDovecot = (stack: MailStack) =>
  execFileSync('dovecot', ['-c', join(stack.root, 'dovecot', 'dovecot.conf')], { stdio: 'ignore' })

/** The server's flags of the INBOX message with `subject` (without \Recent). */
const serverFlags = (stack: MailStack, user: string, subject: string) =>
  imap(stack, user, async (client) => {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true })
    try {
      for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true }))
        if (m.envelope?.subject === subject) return [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort()
      return null
    } finally {
      lock.release()
    }
  })

describe.skipIf(skip)('read/unread and flags with the real Dovecot', () => {
  const suite = mailStackSuite('sp-e2e-flags-')
  beforeAll(async () => {
    for (const user of Object.values(users))
      await imap(suite.stack, user, async (client) => {
        await client.append('INBOX', plain('Jahresabschluss 2025', 3), ['\\Seen'])
        await client.append('INBOX', plain('Lohnunterlagen Mai', 2))
        await client.append('INBOX', plain('Steuerbescheid 2025', 1))
      })
  }, 240_000)

  for (const lang of ['de', 'en'] as const) {
    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const user = users[lang]
      const profile = () => join(suite.work, `profile-${lang}`)
      let app: InboxApp
      let harness: Harness
      let page: Page
      const row = (subject: string) => page.locator('[data-testid=message-row]', { hasText: subject })
      const flags = (subject: string) => serverFlags(suite.stack, user, subject)

      beforeAll(async () => {
        app = await startInboxApp(suite.stack, { user, profileDir: profile(), lang })
        ;({ harness, page } = app)
      }, 120_000)
      afterAll(() => app?.close())

      it('the read pane marks the opened message unread again and flags it, on the server first', async () => {
        await expect
          .poll(() => page.getByTestId('message-list').getAttribute('data-count'), { timeout: 60_000 })
          .toBe('3')
        await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-running')).toBe('false')
        await row('Steuerbescheid 2025').click()
        await expect
          .poll(() => page.getByTestId('subject').textContent(), { timeout: 30_000 })
          .toBe('Steuerbescheid 2025')
        await expect.poll(() => flags('Steuerbescheid 2025'), { timeout: 10_000 }).toEqual(['\\Seen'])
        await expect.poll(() => row('Steuerbescheid 2025').getAttribute('data-unread')).toBe('false')
        expect(await page.locator('[data-folder=INBOX]').getAttribute('data-unread')).toBe('1')

        await page.getByTestId('toggle-read').click()
        await expect.poll(() => row('Steuerbescheid 2025').getAttribute('data-unread')).toBe('true')
        expect(await flags('Steuerbescheid 2025')).toEqual([])
        await expect.poll(() => page.locator('[data-folder=INBOX]').getAttribute('data-unread')).toBe('2')
        expect((await page.getByTestId('toggle-read').textContent())?.trim()).toBe(
          lang === 'de' ? 'Als gelesen markieren' : 'Mark as read',
        )

        await page.getByTestId('toggle-flag').click()
        await expect.poll(() => row('Steuerbescheid 2025').getAttribute('data-flagged')).toBe('true')
        expect(await flags('Steuerbescheid 2025')).toEqual(['\\Flagged'])
        // The flag is an icon with its word (title and the row's text for screen readers), not a colour.
        const marker = row('Steuerbescheid 2025').getByTestId('row-flag')
        expect(await marker.getAttribute('title')).toBe(lang === 'de' ? 'markiert' : 'flagged')
        expect(await row('Steuerbescheid 2025').textContent()).toContain(lang === 'de' ? '· markiert' : '· flagged')
        expect(await page.getByTestId('message-state').textContent()).toBe(
          lang === 'de' ? 'ungelesen · markiert' : 'unread · flagged',
        )
        expect(await page.locator('[data-testid=message-row][data-flagged=true]').count()).toBe(1)
        await mkdir(screensDir, { recursive: true })
        await page.screenshot({ path: join(screensDir, `read-flagged-${lang}.png`) })
        expect(await accessibilityViolations(page), `axe (${lang})`).toEqual([])
      })

      it('keys: S flags and Shift+U toggles read on the selected row, from the list and from the read pane', async () => {
        await page.getByTestId('message-list').focus()
        await page.keyboard.press('Home')
        await page.keyboard.press('j')
        await expect
          .poll(() => page.locator('[data-testid=message-row][aria-selected=true]').textContent())
          .toContain('Lohnunterlagen Mai')
        await page.keyboard.press('s')
        await expect.poll(() => row('Lohnunterlagen Mai').getAttribute('data-flagged')).toBe('true')
        expect(await flags('Lohnunterlagen Mai')).toEqual(['\\Flagged'])
        await page.keyboard.press('Shift+U')
        await expect.poll(() => row('Lohnunterlagen Mai').getAttribute('data-unread')).toBe('false')
        expect(await flags('Lohnunterlagen Mai')).toEqual(['\\Flagged', '\\Seen'])
        // A plain "u" or "S" is no shortcut.
        await page.keyboard.press('u')
        await page.keyboard.press('Shift+S')
        await page.waitForTimeout(300)
        expect(await flags('Lohnunterlagen Mai')).toEqual(['\\Flagged', '\\Seen'])
        await page.keyboard.press('s')
        await expect.poll(() => row('Lohnunterlagen Mai').getAttribute('data-flagged')).toBe('false')
        expect(await flags('Lohnunterlagen Mai')).toEqual(['\\Seen'])
        // From the read pane the keys act on the opened message.
        await page.keyboard.press('Enter')
        await expect
          .poll(() => page.getByTestId('subject').textContent(), { timeout: 30_000 })
          .toBe('Lohnunterlagen Mai')
        await page.getByTestId('subject').focus()
        await page.keyboard.press('Shift+U')
        await expect.poll(() => page.getByTestId('toggle-read').getAttribute('data-unread')).toBe('true')
        expect(await flags('Lohnunterlagen Mai')).toEqual([])
        expect(await row('Lohnunterlagen Mai').getAttribute('data-unread')).toBe('true')
        expect(harness.problems).toEqual([])
      })

      it('offline a flag waits, shown in words, and is written to the server when it is back', async () => {
        await row('Jahresabschluss 2025').click()
        await expect
          .poll(() => page.getByTestId('subject').textContent(), { timeout: 30_000 })
          .toBe('Jahresabschluss 2025')
        expect(await flags('Jahresabschluss 2025')).toEqual(['\\Seen'])
        stopDovecot(suite.stack, user)
        try {
          await page.getByTestId('toggle-flag').click()
          await expect.poll(() => row('Jahresabschluss 2025').getAttribute('data-waiting')).toBe('flagged')
          expect(await row('Jahresabschluss 2025').getAttribute('data-flagged')).toBe('true')
          const waiting = lang === 'de' ? 'wartet auf den Server' : 'waiting for the server'
          expect(await row('Jahresabschluss 2025').getByTestId('row-waiting').getAttribute('title')).toBe(waiting)
          expect(await row('Jahresabschluss 2025').textContent()).toContain(`· ${waiting}`)
          expect(await page.getByTestId('message-state').textContent()).toBe(
            lang === 'de' ? `gelesen · markiert · ${waiting}` : `read · flagged · ${waiting}`,
          )
          expect(await page.getByTestId('inbox-note').textContent()).toContain(
            lang === 'de' ? 'sobald die Verbindung wieder steht' : 'once the connection is back',
          )
          expect(await page.getByTestId('toggle-flag').textContent()).toContain(
            lang === 'de' ? 'Markierung entfernen' : 'Remove flag',
          )
          await mkdir(screensDir, { recursive: true })
          await page.screenshot({ path: join(screensDir, `read-flag-waiting-${lang}.png`) })
          expect(await accessibilityViolations(page), `axe waiting (${lang})`).toEqual([])
          // Delete waits too: the message stays, marked, until the server takes it into Trash.
          await page.getByTestId('message-list').focus()
          await page.keyboard.press('k')
          await expect.poll(() => row('Lohnunterlagen Mai').getAttribute('aria-selected')).toBe('true')
          await page.keyboard.press('Delete')
          await expect.poll(() => row('Lohnunterlagen Mai').getAttribute('data-waiting')).toBe('trash')
          const trashWords =
            lang === 'de'
              ? 'kommt in den Papierkorb, sobald der Server erreichbar ist'
              : 'goes to the Trash once the server can be reached'
          expect(await row('Lohnunterlagen Mai').textContent()).toContain(`· ${trashWords}`)
          expect(await page.getByTestId('inbox-note').textContent()).toContain(
            lang === 'de' ? 'in den Papierkorb gelegt, sobald' : 'will go to the Trash once',
          )
          expect(await page.locator('[data-testid=message-row]').count()).toBe(3)
          await page.screenshot({ path: join(screensDir, `read-delete-waiting-${lang}.png`) })
          expect(await accessibilityViolations(page), `axe delete waiting (${lang})`).toEqual([])
        } finally {
          startDovecot(suite.stack)
        }
        await page.getByTestId('sync-now').click()
        await expect.poll(() => row('Jahresabschluss 2025').getAttribute('data-waiting'), { timeout: 30_000 }).toBe('')
        expect(await flags('Jahresabschluss 2025')).toEqual(['\\Flagged', '\\Seen'])
        expect(await row('Jahresabschluss 2025').getAttribute('data-flagged')).toBe('true')
        await expect.poll(() => row('Lohnunterlagen Mai').count()).toBe(0)
        expect(await flags('Lohnunterlagen Mai')).toBeNull()
        await expect.poll(() => page.locator('[data-folder=Trash]').count()).toBe(1)
        expect(await page.getByTestId('message-state').textContent()).toBe(
          lang === 'de' ? 'gelesen · markiert' : 'read · flagged',
        )
      }, 90_000)
    })
  }
})
