import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault } from '../../main/core/keys/vault.ts'
import { skipUnless } from '../helpers/needs.ts'
import { sampleKey } from '../helpers/sample-key.ts'
import { chromiumPath, e2eAppInfo, e2eKeySource, type Harness, startHarness, t } from './harness.ts'

/** Presses Tab until the focused element's text or label is `name` (at most 60 presses): proof it is reachable by keyboard. */
async function tabTo(page: Page, name: string | RegExp): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      const element = (
        globalThis as unknown as {
          document: { activeElement: { textContent: string | null; getAttribute(n: string): string | null } | null }
        }
      ).document.activeElement
      return `${element?.getAttribute('aria-label') ?? ''}${element?.textContent ?? ''}`.trim()
    })
    if (typeof name === 'string' ? focused === name : name.test(focused)) return
  }
  throw new Error(`could not reach "${String(name)}" with the Tab key`)
}

describe.skipIf(skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium'))(
  'keyboard-only operation',
  () => {
    let dir: string
    let harness: Harness
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sp-e2e-keyboard-'))
      const vault = await openVault({ profileDir: dir, keySource: await e2eKeySource() })
      await vault.update((draft) => void draft.keys.push(sampleKey({ acceptance: 'unverified' })))
      harness = await startHarness({ profileDir: dir, keySource: e2eKeySource, appInfo: e2eAppInfo })
    })
    afterAll(async () => {
      await harness?.close()
      await rm(dir, { recursive: true, force: true })
    })

    it('reaches the key manager, the import wizard, the details and the verification without a mouse', async () => {
      const { page, origin } = harness
      await page.goto(`${origin}/index.html`)
      await page.locator('nav button').first().waitFor()
      await tabTo(page, t('de', 'nav.keys'))
      await page.keyboard.press('Enter')
      await page.locator('.key-row').first().waitFor()

      await tabTo(page, t('de', 'keys.import'))
      await page.keyboard.press('Enter')
      await tabTo(page, t('de', 'import.tab.text'))
      await page.keyboard.press('Enter')
      await page.keyboard.press('Tab') // the text area follows the tabs
      await page.keyboard.type('kein Schlüssel')
      expect(await page.getByRole('textbox').inputValue()).toBe('kein Schlüssel')
      await tabTo(page, t('de', 'common.continue'))
      await page.keyboard.press('Enter')
      await page.getByRole('alert').first().waitFor()
      await page.keyboard.press('Escape')
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0)

      await tabTo(page, /Anna Beraterin/)
      await page.keyboard.press('Enter')
      await tabTo(page, t('de', 'keys.action.verify'))
      await page.keyboard.press('Enter')
      await tabTo(page, t('de', 'verify.matches'))
      await page.keyboard.press('Enter')
      await expect
        .poll(
          async () =>
            (await openVault({ profileDir: dir, keySource: await e2eKeySource() })).contents.keys[0]!.acceptance,
        )
        .toBe('verified')
    })
  },
)
