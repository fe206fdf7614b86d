import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault } from '../../main/core/keys/vault.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { asStackUser, hasMailStack, mailStackFix, type MailStack } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { hasOpenssl } from '../helpers/smime-pki.ts'
import { accessibilityViolations, chromiumPath, e2eKeySource, screensDir, type Harness } from './harness.ts'
import { startInboxApp, type InboxApp } from './inbox-app.ts'
import { makeReadFixtures, type ReadFixtures } from './read-fixtures.ts'

/**
 * The Posteingang in Chromium with the real handler registry, the OS keychain of the test keyring session
 * and the real Dovecot: the app syncs a small mailbox (plain, PGP/MIME by gpg, S/MIME by openssl, signed,
 * HTML), lists it with unread in bold, and is used with the keyboard alone — j/k move, Enter opens (the
 * message is marked read on the server), Delete moves it to Trash on the server, Ctrl+F narrows the list.
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

const users = { de: 'advisor@kanzlei.test', en: 'client@mandant.test' } as const
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')
const plain = (subject: string, from: string) =>
  Buffer.from(
    crlf(
      `From: ${from}\nTo: Mia Mandant <mia@mandant.example>\nSubject: ${subject}\nDate: ${new Date(Date.now() - 86_400_000).toUTCString()}\nMessage-ID: <${Math.random().toString(36).slice(2)}@x.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nGuten Tag, ${subject}.\n`,
    ),
  )

const imap = asStackUser

/** The server's folder: subject → flags. */
async function serverFolder(stack: MailStack, user: string, folder: string): Promise<Map<string, string[]>> {
  return imap(stack, user, async (client) => {
    const out = new Map<string, string[]>()
    const exists = (await client.list()).some((f) => f.path === folder)
    if (!exists) return out
    const lock = await client.getMailboxLock(folder, { readOnly: true })
    try {
      if (client.mailbox && client.mailbox.exists > 0)
        for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true }))
          out.set(
            m.envelope?.subject ?? '',
            [...(m.flags ?? [])].filter((f) => f !== '\\Recent'),
          )
    } finally {
      lock.release()
    }
    return out
  })
}

describe.skipIf(skip)('the Posteingang with the real Dovecot', () => {
  const suite = mailStackSuite('sp-e2e-inbox-')
  let fixtures: ReadFixtures

  beforeAll(async () => {
    fixtures = await makeReadFixtures(join(suite.work, 'mails'), 'http://127.0.0.1:9')
    // The list, newest first: encrypted, signed (same Date, lower UID), HTML, S/MIME, the two plain ones.
    for (const user of Object.values(users))
      await imap(suite.stack, user, async (client) => {
        await client.append('INBOX', plain('Termin Jahresgespräch', 'Kanzlei Berger <info@kanzlei-berger.example>'))
        await client.append('INBOX', plain('Rückfrage Umsatzsteuer', 'Buchhaltung <buchhaltung@mandant.example>'), [
          '\\Seen',
        ])
        await client.append('INBOX', readFileSync(fixtures.files.html), ['\\Seen'])
        // OpenSSL writes no Date: the list takes the server's arrival time, an hour before the others here.
        await client.append('INBOX', readFileSync(fixtures.files.smime), [], new Date(Date.now() - 3_600_000))
        await client.append('INBOX', readFileSync(fixtures.files.signed))
        await client.append('INBOX', readFileSync(fixtures.files.encrypted))
      })
  }, 240_000)
  afterAll(() => fixtures?.close())

  for (const lang of ['de', 'en'] as const) {
    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const user = users[lang]
      const profile = () => join(suite.work, `profile-${lang}`)
      let app: InboxApp
      let harness: Harness
      let page: Page
      const shot = async (step: string) => {
        await mkdir(screensDir, { recursive: true })
        await page.screenshot({ path: join(screensDir, `read-${step}-${lang}.png`) })
        expect(await accessibilityViolations(page), `axe on ${step} (${lang})`).toEqual([])
      }
      const count = async () => Number(await page.getByTestId('message-list').getAttribute('data-count'))
      const selected = () => page.locator('[data-testid=message-row][aria-selected=true]').getAttribute('data-id')
      const rowIds = () =>
        page.locator('[data-testid=message-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))
      const barState = () => page.getByTestId('security-bar').getAttribute('data-state')
      const active = () =>
        page.evaluate(
          () =>
            (
              globalThis as unknown as {
                document: { activeElement: { getAttribute(n: string): string | null } | null }
              }
            ).document.activeElement?.getAttribute('data-testid') ?? '',
        )

      beforeAll(async () => {
        await fixtures.fillVault(await openVault({ profileDir: profile(), keySource: await e2eKeySource() }))
        app = await startInboxApp(suite.stack, { user, profileDir: profile(), lang })
        ;({ harness, page } = app)
      }, 120_000)
      afterAll(() => app?.close())

      it('syncs the mailbox on first showing: six messages, four unread in bold, the count beside INBOX', async () => {
        await expect.poll(count, { timeout: 60_000 }).toBe(6)
        await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-running')).toBe('false')
        // The counts come in their own answer after the sync's end (the list's rows in another).
        await expect.poll(() => page.locator('[data-folder=INBOX]').getAttribute('data-unread')).toBe('4')
        const weights = await page
          .locator('[data-testid=message-row]')
          .evaluateAll((rows) =>
            rows.map((r) => [
              r.getAttribute('data-unread'),
              (globalThis as unknown as { getComputedStyle(e: unknown): { fontWeight: string } }).getComputedStyle(
                r.querySelector('.sp-row-from'),
              ).fontWeight,
            ]),
          )
        expect(weights.filter(([unread]) => unread === 'true').map(([, w]) => w)).toEqual(['700', '700', '700', '700'])
        expect(weights.filter(([unread]) => unread === 'false').map(([, w]) => w)).toEqual(['400', '400'])
        // The compact security icon of each row says in words what the outer header shows.
        expect(await page.locator('[data-protection=enc]').count()).toBe(2)
        expect(await page.locator('[data-protection=sig]').count()).toBe(1)
        await shot('inbox')
      })

      it('keyboard only: j/k move, Enter opens with the right security bar and marks it read on the server', async () => {
        await page.focus('[data-testid=message-list]')
        const ids = await rowIds()
        await expect.poll(selected).toBe(ids[0])
        await page.keyboard.press('j')
        await expect.poll(selected).toBe(ids[1])
        await page.keyboard.press('k')
        await expect.poll(selected).toBe(ids[0])
        await page.keyboard.press('Enter')
        await expect.poll(barState, { timeout: 30_000 }).toBe('encrypted-verified')
        expect(await page.getByTestId('subject').textContent()).toContain('Ihr Steuerbescheid 2025')
        expect(await page.locator('[data-code=date-gap]').count()).toBe(0)
        await expect
          .poll(() => page.locator(`[data-id="${ids[0]}"]`).getAttribute('data-unread'), { timeout: 10_000 })
          .toBe('false')
        expect((await serverFolder(suite.stack, user, 'INBOX')).get('Ihr Steuerbescheid 2025')).toContain('\\Seen')
        expect(await page.locator('[data-folder=INBOX]').getAttribute('data-unread')).toBe('3')
        await shot('inbox-open')
        // From the read view, j goes on in the list; Enter opens the signed-only mail.
        await page.keyboard.press('j')
        await expect.poll(active).toBe('message-list')
        await expect.poll(selected).toBe(ids[1])
        await page.keyboard.press('Enter')
        await expect.poll(barState, { timeout: 30_000 }).toBe('signed')
        await page.keyboard.press('j')
        await page.keyboard.press('j')
        await page.keyboard.press('Enter')
        await expect.poll(barState, { timeout: 30_000 }).toBe('encrypted-unverified')
        expect(await page.getByTestId('subject').textContent()).toContain('Lohnunterlagen März')
      })

      it('Delete moves the open message to Trash on the server and in the list', async () => {
        const before = await count()
        await page.keyboard.press('Delete')
        await expect.poll(count, { timeout: 20_000 }).toBe(before - 1)
        const inbox = await serverFolder(suite.stack, user, 'INBOX')
        const trash = await serverFolder(suite.stack, user, 'Trash')
        expect([...inbox.keys()]).not.toContain('Lohnunterlagen März')
        expect([...trash.keys()]).toContain('Lohnunterlagen März')
        expect(inbox.size).toBe(5)
        await expect.poll(() => page.locator('[data-folder=Trash]').count()).toBe(1)
        expect(await page.getByTestId('read-view').count()).toBe(0)
        expect(await active()).toBe('message-list')
      })

      it('Ctrl+F focuses the search and narrows the list to matching senders and subjects', async () => {
        await page.keyboard.press('Control+f')
        await expect.poll(active).toBe('inbox-search')
        await page.keyboard.type('steuer')
        await expect.poll(count).toBe(3)
        await page.keyboard.press('Backspace')
        await page.keyboard.type('bescheid')
        await expect.poll(count).toBe(0)
        await page.keyboard.press('Control+a')
        await page.keyboard.type('buchhaltung@')
        // The address of the sender, and the Cc of the advisor's mails, both count.
        await expect.poll(count).toBe(4)
        await page.keyboard.press('Control+a')
        await page.keyboard.type('Steuerbescheid')
        await expect.poll(count).toBe(1)
        await page.keyboard.press('Enter')
        await expect.poll(active).toBe('message-list')
        await shot('inbox-search')
        await page.getByTestId('inbox-search').focus()
        await page.keyboard.press('Escape')
        await expect.poll(count).toBe(5)
      })

      it('a new search or order keeps the selected message selected while it is in the result', async () => {
        const list = page.getByTestId('message-list')
        await page.locator('[data-testid=message-row]', { hasText: 'Rückfrage Umsatzsteuer' }).click()
        const id = await selected()
        expect(id).not.toBeNull()
        const position = await page.locator(`[data-id="${id}"]`).getAttribute('aria-posinset')
        await page.getByTestId('list-sort').selectOption('oldest')
        await expect.poll(() => page.locator(`[data-id="${id}"]`).getAttribute('aria-posinset')).not.toBe(position)
        expect(await selected()).toBe(id)
        expect(await list.getAttribute('aria-activedescendant')).toBe(`sp-msg-${id}`)
        await page.getByTestId('inbox-search').fill('Rückfrage')
        await expect
          .poll(() => page.locator('[data-testid=message-row]').allTextContents())
          .toEqual([expect.stringContaining('Rückfrage Umsatzsteuer')])
        expect(await selected()).toBe(id)
        await shot('inbox-search-kept')
        // The read pane stays on it all along.
        expect(await page.getByTestId('subject').textContent()).toBe('Rückfrage Umsatzsteuer')
        await page.getByTestId('inbox-search').fill('Jahresgespräch')
        await expect
          .poll(() => page.locator('[data-testid=message-row]').allTextContents())
          .toEqual([expect.stringContaining('Termin Jahresgespräch')])
        expect(await page.locator('[data-testid=message-row][aria-selected=true]').count()).toBe(0)
        await page.getByTestId('inbox-search').fill('')
        await page.getByTestId('list-sort').selectOption('newest')
        await expect.poll(count).toBe(5)
      })

      it('"fetch now" brings a new message in and says how many', async () => {
        await imap(suite.stack, user, (client) =>
          client.append('INBOX', plain('Neue Belegliste', 'Kanzlei Berger <info@kanzlei-berger.example>')),
        )
        await page.getByTestId('sync-now').click()
        await expect.poll(count, { timeout: 30_000 }).toBe(6)
        // Unread now: the plain "Termin Jahresgespräch" and the new one (the opened ones were marked read).
        await expect.poll(() => page.locator('[data-folder=INBOX]').getAttribute('data-unread')).toBe('2')
        expect(await page.getByTestId('sync-status').textContent()).toMatch(lang === 'de' ? /1 neue/ : /1 new/)
      })

      it('no IPC answer carried the raw message or key material', () => {
        const answers = JSON.stringify(harness.responses)
        expect(answers).not.toContain('BEGIN PGP MESSAGE')
        expect(answers).not.toContain('PRIVATE KEY')
        expect(answers).not.toContain('application/pkcs7-mime')
        expect(harness.problems).toEqual([])
      })
    })
  }
})
