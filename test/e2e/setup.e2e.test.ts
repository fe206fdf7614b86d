import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { VaultKeySource } from '../../main/core/keys/vault.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { accessibilityViolations, chromiumPath, startHarness, type Harness } from './harness.ts'

const screens = join(import.meta.dirname, '../../test-results/screens')
const appInfo = { name: 'Siegelpost', version: '0.1.0-e2e', platform: 'linux', runtime: { node: process.versions.node, electron: null, chrome: null } }
const keySource = async (): Promise<VaultKeySource> =>
  hasKeyringSession ? { mode: 'keychain', store: createOsKeychain() } : { mode: 'passphrase', passphrase: Buffer.from('e2e') }

async function screen(page: Page, step: string, lang: string) {
  await page.screenshot({ path: join(screens, `wizard-${step}-${lang}.png`) })
  expect(await accessibilityViolations(page), `axe on ${step} (${lang})`).toEqual([])
}

describe.skipIf(skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium'))('first-start setup in Chromium', () => {
  let dir: string
  let harness: Harness
  beforeAll(() => mkdir(screens, { recursive: true }))
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-e2e-setup-'))
    harness = await startHarness({ profileDir: dir, keySource, appInfo })
  })
  afterEach(async () => {
    await harness.close()
    await rm(dir, { recursive: true, force: true })
  })

  for (const lang of ['de', 'en'] as const) {
    const text =
      lang === 'de'
        ? { title: 'Willkommen bei Siegelpost', create: 'Neuen OpenPGP-Schlüssel erzeugen', importCert: 'Vorhandenes Zertifikat importieren (.p12 / .pfx)', later: 'Später einrichten', laterConfirm: 'Ja, später einrichten', consequence: 'Passwort-PDF', continue: 'Fortfahren', generateTitle: 'OpenPGP-Schlüssel erzeugen', importTitle: 'Schlüssel oder Zertifikat importieren', back: 'Zurück' }
        : { title: 'Welcome to Siegelpost', create: 'Create a new OpenPGP key', importCert: 'Import an existing certificate (.p12 / .pfx)', later: 'Set up later', laterConfirm: 'Yes, set up later', consequence: 'password PDF', continue: 'Continue', generateTitle: 'Create OpenPGP key', importTitle: 'Import key or certificate', back: 'Back' }

    it(`offers create, import and later on a first start, and “later” says what it means and sticks (${lang})`, async () => {
      const { page, origin } = harness
      await page.addInitScript((l) => (globalThis as unknown as { localStorage: Storage }).localStorage.setItem('siegelpost.lang', l), lang)
      await page.goto(`${origin}/index.html`)
      const dialog = page.getByRole('dialog')
      await dialog.getByRole('heading', { name: text.title }).waitFor()
      expect(await dialog.getByRole('radio', { name: text.create }).isChecked()).toBe(true)
      await screen(page, 'setup-choose', lang)

      await dialog.getByRole('button', { name: text.continue }).click()
      await dialog.getByRole('heading', { name: text.generateTitle }).waitFor()
      await screen(page, 'setup-generate', lang)
      await dialog.getByRole('button', { name: text.back }).click()

      await dialog.getByRole('radio', { name: text.importCert }).check()
      await dialog.getByRole('button', { name: text.continue }).click()
      await page.getByRole('heading', { name: text.importTitle }).waitFor()
      await page.keyboard.press('Escape')
      // Escape closes only the top dialog: the setup choice is still there.
      await expect.poll(() => page.getByRole('heading', { name: text.importTitle }).count()).toBe(0)
      expect(await dialog.getByRole('heading', { name: text.title }).count()).toBe(1)

      await dialog.getByRole('button', { name: text.later, exact: true }).click()
      expect(await dialog.textContent()).toContain(text.consequence)
      await screen(page, 'setup-later', lang)
      await dialog.getByRole('button', { name: text.laterConfirm }).click()
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
      await page.reload()
      await page.locator('nav button').first().waitFor()
      await page.waitForTimeout(300) // the first-start check is one IPC round trip
      expect(await page.getByRole('dialog').count()).toBe(0)
    })
  }
})
