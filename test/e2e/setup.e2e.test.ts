import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { skipUnless } from '../helpers/needs.ts'
import {
  chromiumPath,
  e2eAppInfo,
  e2eKeySource,
  type Harness,
  openApp,
  screenStep,
  startHarness,
  t,
} from './harness.ts'

describe.skipIf(skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium'))(
  'first-start setup in Chromium',
  () => {
    let dir: string
    let harness: Harness
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sp-e2e-setup-'))
      harness = await startHarness({ profileDir: dir, keySource: e2eKeySource, appInfo: e2eAppInfo })
    })
    afterEach(async () => {
      await harness.close()
      await rm(dir, { recursive: true, force: true })
    })

    for (const lang of ['de', 'en'] as const) {
      const text = {
        title: t(lang, 'setup.title'),
        create: t(lang, 'setup.choice.create'),
        importCert: t(lang, 'setup.choice.importCert'),
        later: t(lang, 'setup.later'),
        laterConfirm: t(lang, 'setup.laterConfirm'),
        consequence: t(lang, 'setup.laterConsequence'),
        continue: t(lang, 'common.continue'),
        generateTitle: t(lang, 'setup.generateTitle'),
        importTitle: t(lang, 'import.title'),
        back: t(lang, 'common.back'),
      }

      it(`offers create, import and later on a first start, and “later” says what it means and sticks (${lang})`, async () => {
        const { page } = harness
        await openApp(harness, lang)
        const dialog = page.getByRole('dialog')
        await dialog.getByRole('heading', { name: text.title }).waitFor()
        expect(await dialog.getByRole('radio', { name: text.create }).isChecked()).toBe(true)
        await screenStep(page, 'setup-choose', lang)

        await dialog.getByRole('button', { name: text.continue }).click()
        await dialog.getByRole('heading', { name: text.generateTitle }).waitFor()
        await screenStep(page, 'setup-generate', lang)
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
        await screenStep(page, 'setup-later', lang)
        await dialog.getByRole('button', { name: text.laterConfirm }).click()
        await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
        await page.reload()
        await page.locator('nav button').first().waitFor()
        await page.waitForTimeout(300) // the first-start check is one IPC round trip
        expect(await page.getByRole('dialog').count()).toBe(0)
      })
    }
  },
)
