import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault } from '../../main/core/keys/vault.ts'
import { originUrl } from '../../main/core/reading/download-mark.ts'
import { startStreamWorker } from '../../main/workers/start-worker.ts'
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
import { makeReadFixtures, type ReadFixtures } from './read-fixtures.ts'

/**
 * Print and archive from the read view, and opening a large message with progress and cancel: in
 * Chromium with the real registry, vault and worker threads behind the window.
 */
const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0 && spawnSync('pdftoppm', ['-v']).status === 0
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('GnuPG', hasGpg, 'apt-get install gnupg') ||
  skipUnless('openssl', hasOpenssl, 'apt-get install openssl') ||
  skipUnless('poppler', hasPoppler, 'apt-get install poppler-utils')
const hasGetfattr = spawnSync('getfattr', ['--version']).status === 0
const ci = process.env.CI === 'true'

let fixtures: ReadFixtures
let work = ''
let large = ''

beforeAll(async () => {
  if (skip) return
  work = await mkdtemp(join(tmpdir(), 'sp-export-'))
  fixtures = await makeReadFixtures(join(work, 'mails'), 'http://127.0.0.1:9')
  // 16 MiB of PDF in base64 inside ASCII armor: a message of about 30 MB.
  large = fixtures.makeLarge(16)
}, 240_000)
afterAll(async () => {
  fixtures?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

const words = {
  de: {
    verdict: 'Verschlüsselt – Absender bestätigt',
    confidentiality: 'Ende-zu-Ende-verschlüsselt',
    authenticity: 'Gültige Signatur, Fingerabdruck des Absenders abgeglichen',
    firstContact: 'Erster Kontakt',
    hop: 'Station 1 von mail.kanzlei-berger.example an mx.kanzlei-berger.example',
    tls: 'verschlüsselt (TLS 1.3)',
    emlSaved: 'Originalnachricht gespeichert als',
    pdfSaved: 'Nachrichtenprotokoll gespeichert als',
    printed: 'an den Drucker übergeben',
    cancelled: 'Öffnen abgebrochen',
    progress: 'Große Nachricht wird entschlüsselt',
    verdictTitle: 'Absender bestätigt',
    smimeVerdict: 'Absender noch nicht abgeglichen',
    opening: 'Wird geöffnet …',
  },
  en: {
    verdict: 'Encrypted – sender verified',
    confidentiality: 'End-to-end encrypted',
    authenticity: 'Valid signature, sender fingerprint compared',
    firstContact: 'First contact',
    hop: 'Step 1 from mail.kanzlei-berger.example to mx.kanzlei-berger.example',
    tls: 'encrypted (TLS 1.3)',
    emlSaved: 'Original message saved as',
    pdfSaved: 'Message record saved as',
    printed: 'sent to the printer',
    cancelled: 'Opening cancelled',
    progress: 'Decrypting a large message',
    verdictTitle: 'sender verified',
    smimeVerdict: 'sender not yet verified',
    opening: 'Opening …',
  },
}

for (const lang of ['de', 'en'] as const) {
  describe.skipIf(skip)(`print, archive and large mail in the read view (${lang})`, () => {
    const t = words[lang]
    let harness: Harness
    let profile: string
    let spoolDir: string
    const queue: string[] = []
    const printed: { html: string; title: string }[] = []
    /** Every worker thread the app started, and whether it still runs. */
    const workers: { isRunning: boolean }[] = []
    beforeAll(async () => {
      profile = await mkdtemp(join(tmpdir(), `sp-export-${lang}-`))
      spoolDir = await mkdtemp(join(tmpdir(), `sp-export-spool-${lang}-`))
      await fixtures.fillVault(await openVault({ profileDir: profile, keySource: await e2eKeySource() }))
      harness = await startHarness({
        profileDir: profile,
        keySource: e2eKeySource,
        appInfo: e2eAppInfo,
        mailShell: {
          chooseMessageFile: async () => queue.shift() ?? null,
          openPath: async () => undefined,
          print: async (page) => (printed.push(page), true),
        },
        startWorker: (name) => {
          const worker = startStreamWorker(name)
          const entry = { isRunning: true }
          worker.once('exit', () => (entry.isRunning = false))
          workers.push(entry)
          return worker
        },
        tempDir: spoolDir,
      })
      await openApp(harness, lang, { skipSetup: true })
      await mkdir(screensDir, { recursive: true })
    }, 120_000)
    afterAll(async () => {
      await harness?.close()
      for (const dir of [profile, spoolDir]) if (dir) await rm(dir, { recursive: true, force: true })
    })

    const page = () => harness.page
    async function shot(name: string) {
      await page().screenshot({ path: join(screensDir, `${name}-${lang}.png`) })
      expect(await accessibilityViolations(page()), `axe on ${name} (${lang})`).toEqual([])
    }
    /** Waits (checking every frame) until main reported the first decrypted bytes. */
    const progressStarted = () =>
      page().waitForFunction(
        () => {
          const d = (globalThis as unknown as { document: { querySelector(s: string): Element | null } }).document
          return Number(d.querySelector('[data-testid=open-progress]')?.getAttribute('data-done') ?? 0) > 0
        },
        undefined,
        { polling: 'raf', timeout: 60_000 },
      )
    interface Element {
      getAttribute(name: string): string | null
    }
    /** The read pane shows the neutral opening state only: no message's bar, headers or content. */
    async function expectOnlyOpening() {
      expect(await page().getByTestId('read-view').count()).toBe(0)
      expect(await page().getByTestId('security-bar').count()).toBe(0)
      expect(await page().getByTestId('subject').count()).toBe(0)
      const pane = (await page().getByTestId('read-pane').textContent()) ?? ''
      for (const verdict of [t.verdictTitle, t.smimeVerdict]) expect(pane).not.toContain(verdict)
      expect(await page().getByTestId('opening-bar').textContent()).toContain(t.opening)
      expect(await page().getByTestId('opening-bar').isVisible()).toBe(true)
    }
    async function open(path: string) {
      queue.push(path)
      await page().click('[data-testid=open-eml]')
    }

    it('saves the original .eml byte for byte, still encrypted, with the download mark', async () => {
      await open(fixtures.files.encrypted)
      await expect
        .poll(() => page().getByTestId('security-bar').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('encrypted-verified')
      const before = harness.saved.length
      await page().getByTestId('export-eml').click()
      await expect.poll(() => page().getByTestId('export-done').textContent()).toContain(t.emlSaved)
      const path = harness.saved[before]!
      expect(path.endsWith('.eml')).toBe(true)
      // The subject was not protected in this mail: the name carries date and subject.
      expect(path).toMatch(/\d{4}-\d{2}-\d{2} Ihr Steuerbescheid 2025\.eml$/)
      expect(Buffer.compare(await readFile(path), await readFile(fixtures.files.encrypted))).toBe(0)
      expect((await readFile(path, 'utf8')).includes('BEGIN PGP MESSAGE')).toBe(true)
      if (hasGetfattr || ci) {
        const mark = spawnSync('getfattr', ['--only-values', '-n', 'user.xdg.origin.url', path], { encoding: 'utf8' })
        expect(mark.stdout).toBe(originUrl)
      }
    })

    it('exports the PDF record: the verdict in words, the real From address, the trail, the text', async () => {
      const before = harness.saved.length
      await page().getByTestId('export-pdf').click()
      await expect.poll(() => page().getByTestId('export-done').textContent()).toContain(t.pdfSaved)
      const path = harness.saved[before]!
      expect(path.endsWith('.pdf')).toBe(true)
      const text = spawnSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).stdout.replace(
        /\s+/g,
        ' ',
      )
      for (const expected of [t.verdict, t.confidentiality, t.authenticity, t.firstContact, t.hop, t.tls])
        expect(text).toContain(expected)
      expect(text).toContain('Kanzlei Berger <info@kanzlei-berger.example>')
      expect(text).toContain('Einkommensteuerbescheid 2025')
      expect(text).toContain('Bescheid-2025.pdf')
      await shot('read-export')
      const pdfPage = join(screensDir, `read-export-pdf-${lang}`)
      const render = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', path, pdfPage])
      expect(render.status, render.stderr?.toString()).toBe(0)
    })

    it('prints that same record through main’s print page', async () => {
      await page().getByTestId('print').click()
      await expect.poll(() => page().getByTestId('export-done').textContent()).toContain(t.printed)
      const html = printed.at(-1)!.html
      expect(html).toContain(t.verdict)
      expect(html).toContain('&lt;info@kanzlei-berger.example&gt;')
      // What the printer gets, as Chromium lays it out for print.
      const preview = await harness.context.newPage()
      await preview.setContent(html)
      await preview.emulateMedia({ media: 'print' })
      await preview.screenshot({ path: join(screensDir, `read-print-${lang}.png`), fullPage: true })
      await preview.close()
    })

    it('a large message: progress arrives from the worker, Cancel stops it and nothing of it is shown', async () => {
      expect(await page().getByTestId('security-bar').textContent()).toContain(t.verdictTitle)
      await open(large)
      await progressStarted()
      expect(await page().getByTestId('open-progress').textContent()).toContain(t.progress)
      // While it opens, nothing of the message shown before stands beside the progress: no bar, no headers.
      await expectOnlyOpening()
      await page().getByTestId('open-cancel').click()
      await expect.poll(() => page().getByTestId('open-cancelled').count(), { timeout: 20_000 }).toBe(1)
      expect(await page().getByTestId('open-cancelled').textContent()).toContain(t.cancelled)
      // Cancelled: the pane shows that note alone. The message read before was closed when the other one was
      // asked for (it opens again from where it came); the large one never appears; no decrypted spool is left.
      expect(await page().getByTestId('read-view').count()).toBe(0)
      expect(await page().getByTestId('security-bar').count()).toBe(0)
      expect(await page().getByTestId('subject').count()).toBe(0)
      expect(await page().getByTestId('read-opening').count()).toBe(0)
      await expect.poll(() => readdir(spoolDir), { timeout: 10_000 }).toEqual([])
      // The decryption really stopped: its worker thread is gone.
      expect(workers.length).toBeGreaterThan(0)
      await expect.poll(() => workers.filter((worker) => worker.isRunning).length, { timeout: 10_000 }).toBe(0)
      await shot('read-large-cancelled')
    })

    it('a validly signed S/MIME mail leaves its signer’s certificate in the vault for the reply', async () => {
      const stored = async () =>
        (await openVault({ profileDir: profile, keySource: await e2eKeySource() })).contents.keys.filter((key) =>
          key.emails.includes('alice@example.org'),
        )
      expect(await stored()).toEqual([])
      await open(fixtures.files.smime)
      await expect
        .poll(() => page().getByTestId('security-bar').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('encrypted-unverified')
      const kept = await stored()
      expect(kept.map(({ technology, hasSecret, acceptance }) => ({ technology, hasSecret, acceptance }))).toEqual([
        { technology: 'smime', hasSecret: false, acceptance: 'unverified' },
      ])
    })

    it('a large message opened to the end: progress on the way, then the verified mail', async () => {
      const before = harness.responses.length
      expect(await page().getByTestId('security-bar').getAttribute('data-state')).toBe('encrypted-unverified')
      await open(large)
      await progressStarted()
      await expectOnlyOpening()
      await shot('read-large-progress')
      await expect
        .poll(() => page().getByTestId('subject').textContent(), { timeout: 120_000 })
        .toContain('Jahresabschluss 2025')
      expect(await page().getByTestId('security-bar').getAttribute('data-state')).toBe('encrypted-verified')
      expect(await page().getByTestId('attachment-row').textContent()).toContain('Jahresabschluss-2025.pdf')
      const progress = harness.responses.slice(before).flatMap((response) => {
        const value = (response as { ok: boolean; value?: { state?: string; done?: number; total?: number } }).value
        return value?.state === 'running' && (value.total ?? 0) > 0 ? [value] : []
      })
      // Several distinct steps, never past the total.
      expect(new Set(progress.map((p) => p.done)).size).toBeGreaterThan(1)
      expect(progress.every((p) => p.done! <= p.total!)).toBe(true)
      expect(await page().getByTestId('open-progress').count()).toBe(0)
    }, 180_000)

    it('no IPC answer carried the message’s bytes: exports and the record stay in main', async () => {
      const answers = JSON.stringify(harness.responses)
      expect(answers).not.toContain('BEGIN PGP MESSAGE')
      expect(answers).not.toContain('%PDF-')
      expect(answers).not.toContain((await readFile(fixtures.files.encrypted)).subarray(-400, -200).toString('base64'))
    })
  })
}
