import { readFile, writeFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../helpers/needs.ts'
import { exportAliceP12, hasOpenssl, makeTestPki } from '../helpers/smime-pki.ts'
import { appSession, chromiumPath, errorMatch, errorText, screenStep, t } from './harness.ts'

const p12Password = 'Kanzlei-Zertifikat 2026'

const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('openssl', hasOpenssl, 'apt-get install openssl')

describe.skipIf(skip)('S/MIME imports with OpenSSL-made files in Chromium', () => {
  let work: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sp-smime-ui-'))
    const pki = makeTestPki(work)
    // What an old CA portal or Windows export produces: RC2/3DES PBE (openssl -legacy).
    exportAliceP12(pki, join(work, 'alice-legacy.p12'), p12Password, ['-legacy', '-name', 'Alice'])
    const legacy = await readFile(join(work, 'alice-legacy.p12'))
    await writeFile(join(work, 'kaputt.p12'), legacy.subarray(0, Math.floor(legacy.length / 2)))
  })
  afterAll(() => rm(work, { recursive: true, force: true }))

  for (const lang of ['de', 'en'] as const) {
    const text = {
      import: t(lang, 'keys.import'),
      continue: t(lang, 'common.continue'),
      doImport: t(lang, 'import.doImport'),
      success: t(lang, 'import.success'),
      wrong: errorText(lang, 'KEY_PASSPHRASE_WRONG'),
      password: (name: string) => t(lang, 'import.passphraseFor', { name }),
      secretWarning: t(lang, 'import.secretWarning'),
      noSecret: t(lang, 'import.noSecret'),
      corrupt: errorMatch(lang, 'SMIME_MALFORMED'),
      cancel: t(lang, 'common.cancel'),
    }

    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const session = appSession(lang, 'sp-smime-journey-')

      const openFile = async (page: Page, file: string) => {
        await page.getByRole('button', { name: text.import }).click()
        await page.locator('input[type=file]').setInputFiles(join(work, file))
        await page.getByRole('button', { name: text.continue }).click()
      }

      it('says a damaged .p12 is damaged and stores nothing', async () => {
        const { page } = session.harness
        await openFile(page, 'kaputt.p12')
        // A cut-off file is recognised as damaged before any password is asked for.
        await page.getByRole('alert').first().waitFor()
        expect(await page.getByRole('alert').first().textContent()).toMatch(text.corrupt)
        await screenStep(page, 'import-corrupt', lang)
        await page.getByRole('dialog').getByRole('button', { name: text.cancel }).click()
        expect(await session.stored()).toEqual([])
      })

      it('imports a legacy .p12 after a wrong password, with its private key', async () => {
        const { page } = session.harness
        await openFile(page, 'alice-legacy.p12')
        await page.getByLabel(text.password('alice-legacy.p12')).fill('falsch')
        await page.getByRole('button', { name: text.continue }).click()
        await expect.poll(() => page.getByRole('alert').first().textContent()).toContain(text.wrong)
        expect(await session.stored()).toEqual([])
        await page.getByLabel(text.password('alice-legacy.p12')).fill(p12Password)
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).waitFor()
        expect(await page.getByRole('dialog').textContent()).toContain('Alice Beraterin')
        expect(await page.getByRole('dialog').textContent()).toContain(text.secretWarning)
        await screenStep(page, 'import-p12-preview', lang)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        const alice = (await session.stored()).find((key) => key.emails.includes('alice@example.org'))
        expect(alice).toMatchObject({ technology: 'smime', hasSecret: true })
        expect(JSON.stringify(session.harness.responses)).not.toContain(p12Password)
      })

      it('says a certificate file holds no private key', async () => {
        const { page } = session.harness
        await openFile(page, 'fran.pem')
        await page.getByTestId('no-secret').waitFor()
        expect(await page.getByTestId('no-secret').textContent()).toContain(text.noSecret)
        await screenStep(page, 'import-certificate', lang)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        expect((await session.stored()).find((key) => key.emails.includes('fran@example.org'))).toMatchObject({
          technology: 'smime',
          hasSecret: false,
        })
      })
    })
  }
})
