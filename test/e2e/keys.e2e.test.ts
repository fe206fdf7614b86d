import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault } from '../../main/core/keys/vault.ts'
import { skipUnless } from '../helpers/needs.ts'
import { sampleKey } from '../helpers/sample-key.ts'
import {
  chromiumPath,
  cspViolations,
  e2eAppInfo,
  e2eKeySource,
  errorText,
  type Harness,
  screenStep,
  startHarness,
  t,
} from './harness.ts'

const day = 86_400_000
const own = sampleKey({ name: 'Anna Beraterin', emails: ['anna@kanzlei.test'], acceptance: 'verified' })
const client = sampleKey({
  id: 'C1C1C1C1C1C1C1C1',
  fingerprint: 'C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1',
  name: 'Bernd Mandant',
  emails: ['bernd@mandant.test'],
  hasSecret: false,
  acceptance: 'unverified',
  expires: new Date(Date.now() + 10 * day).toISOString(),
  usage: ['encrypt', 'sign'],
})
const certificate = sampleKey({
  id: '5A5A5A5A5A5A5A5A',
  fingerprint: '5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A',
  technology: 'smime',
  name: 'Carla Steuer GmbH',
  emails: ['carla@steuer.test'],
  hasSecret: false,
  acceptance: 'unverified',
  expires: '2025-01-01T00:00:00.000Z',
  usage: ['sign', 'encrypt'],
})

describe.skipIf(skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium'))(
  'key manager in Chromium',
  () => {
    let dir: string
    let harness: Harness
    const storedFingerprints = async () =>
      (await openVault({ profileDir: dir, keySource: await e2eKeySource() })).contents.keys.map((k) => [
        k.fingerprint,
        k.acceptance,
      ])

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sp-e2e-keys-'))
      const vault = await openVault({ profileDir: dir, keySource: await e2eKeySource() })
      await vault.update((draft) => void draft.keys.push(own, client, certificate))
      harness = await startHarness({ profileDir: dir, keySource: e2eKeySource, appInfo: e2eAppInfo })
    })
    afterAll(async () => {
      await harness?.close()
      await rm(dir, { recursive: true, force: true })
    })

    for (const lang of ['de', 'en'] as const) {
      const text = {
        settings: t(lang, 'nav.settings'),
        keys: t(lang, 'nav.keys'),
        lang: t(lang, `settings.language.${lang}`),
        expiresSoon: t(lang, 'keys.state.expiresSoon'),
        expired: t(lang, 'keys.state.expired'),
        unverified: t(lang, 'keys.acceptance.unverified'),
        own: t(lang, 'keys.filter.own'),
        import: t(lang, 'keys.import'),
        matches: t(lang, 'verify.matches'),
        differs: t(lang, 'verify.differs'),
        delete: t(lang, 'delete.confirm'),
        paste: t(lang, 'import.tab.text'),
        noKey: errorText(lang, 'KEY_TEXT_UNKNOWN'),
        cancel: t(lang, 'common.cancel'),
        verify: t(lang, 'keys.action.verify'),
        deleteAction: t(lang, 'keys.action.delete'),
        continue: t(lang, 'common.continue'),
        backup: t(lang, 'keys.action.backup'),
        make: t(lang, 'backup.makeCode'),
        sheet: t(lang, 'backup.saveSheet'),
        noted: t(lang, 'backup.writtenDown'),
        save: t(lang, 'backup.save'),
        mismatch: errorText(lang, 'BACKUP_CODE_MISMATCH'),
      }

      describe(`in ${lang === 'de' ? 'German' : 'English'}`, () => {
        beforeAll(async () => {
          const { page, origin } = harness
          await page.goto(`${origin}/index.html`)
          await page.click('[data-section=settings]')
          await page.getByLabel(text.lang).check()
          await page.click('[data-section=keys]')
          await page.locator('.key-row').first().waitFor()
        })

        it('lists all keys with status words and symbols, searches and filters', async () => {
          const { page } = harness
          const rows = page.locator('.key-row')
          expect(await rows.count()).toBeGreaterThanOrEqual(lang === 'de' ? 3 : 2)
          const clientRow = rows.filter({ hasText: 'Bernd Mandant' })
          expect(await clientRow.textContent()).toContain(text.expiresSoon)
          expect(await clientRow.textContent()).toContain(text.unverified)
          // The German run deletes the certificate at its end; the English run sees the rest.
          if (lang === 'de')
            expect(await rows.filter({ hasText: 'Carla Steuer GmbH' }).textContent()).toContain(text.expired)
          await screenStep(page, 'manager', lang)
          await page.getByRole('searchbox').fill('mandant.test')
          expect(await rows.count()).toBe(1)
          await page.getByRole('searchbox').fill('')
          await page.getByRole('combobox').selectOption('own')
          expect(await rows.allTextContents()).toEqual([expect.stringContaining('Anna Beraterin')])
          await page.getByRole('combobox').selectOption('all')
        })

        it('shows details and verifies a fingerprint only on “matches”', async () => {
          const { page } = harness
          await page.locator('.key-row', { hasText: 'Bernd Mandant' }).click()
          expect(await page.locator('.details').textContent()).toContain('C1C1 C1C1')
          await screenStep(page, 'details', lang)
          await page.getByRole('button', { name: text.verify }).click()
          await screenStep(page, 'verify', lang)
          if (lang === 'de') {
            await page.getByRole('button', { name: text.differs }).click()
            // "Does not match" says the key is still used, and offers deleting it as the next step.
            expect(await page.getByRole('alert').textContent()).toContain('bernd@mandant.test')
            expect(
              await page
                .getByRole('dialog')
                .getByRole('button', { name: t(lang, 'verify.deleteKey') })
                .count(),
            ).toBe(1)
            await screenStep(page, 'verify-differs', lang)
            await page.getByRole('dialog').getByRole('button').first().click()
            expect(await storedFingerprints()).toContainEqual([client.fingerprint, 'unverified'])
          } else {
            await page.getByRole('button', { name: text.matches }).click()
            await expect.poll(() => storedFingerprints()).toContainEqual([client.fingerprint, 'verified'])
            await expect.poll(() => page.locator('.details').textContent()).not.toContain(text.unverified)
          }
        })

        it('imports nothing from text that holds no key, and says so', async () => {
          const { page } = harness
          await page.getByRole('button', { name: text.import }).click()
          await screenStep(page, 'import-file', lang)
          await page.getByRole('tab', { name: text.paste }).click()
          await page.getByRole('textbox').fill('Hallo, anbei mein Schlüssel!')
          await screenStep(page, 'import-text', lang)
          await page.getByRole('button', { name: text.continue }).click()
          await expect.poll(() => page.getByRole('alert').first().textContent()).toContain(text.noKey)
          await screenStep(page, 'import-error', lang)
          await page.getByRole('dialog').getByRole('button', { name: text.cancel }).click()
        })

        it('backs up: shows the recovery code once, saves a readable sheet, refuses a wrong code', async () => {
          const { page } = harness
          await page.locator('.key-row', { hasText: own.name }).click()
          await page.getByRole('button', { name: text.backup }).click()
          await screenStep(page, 'backup-start', lang)
          await page.getByRole('button', { name: text.make }).click()
          const code = (await page.getByTestId('recovery-code').textContent())!.trim()
          expect(code).toMatch(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/)
          await page.getByRole('button', { name: text.sheet }).click()
          await expect
            .poll(() => harness.saved.at(-1) ?? '')
            .toMatch(lang === 'de' ? /wiederherstellungsbeleg\.pdf$/ : /recovery-sheet\.pdf$/)
          await expect.poll(() => page.getByRole('status').last().textContent()).toContain('.pdf')
          await screenStep(page, 'backup-code', lang)
          const responsesBefore = harness.responses.length
          await page.getByRole('button', { name: text.noted }).click()
          expect(await page.content()).not.toContain(code)
          await page.getByRole('textbox').fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF')
          await page.getByRole('button', { name: text.save }).click()
          await expect.poll(() => page.getByRole('alert').first().textContent()).toContain(text.mismatch)
          await screenStep(page, 'backup-confirm', lang)
          // After the step that showed it, no IPC response carries the code again.
          expect(JSON.stringify(harness.responses.slice(responsesBefore))).not.toContain(code)
          await page.getByRole('dialog').getByRole('button', { name: text.cancel }).click()
        })

        it('deletes only after a confirmation that says what stops working', async () => {
          const { page } = harness
          const victim = lang === 'de' ? certificate : client
          await page.locator('.key-row', { hasText: victim.name }).click()
          await page.getByRole('button', { name: text.deleteAction }).click()
          expect(await page.getByRole('dialog').textContent()).toContain(victim.name)
          await screenStep(page, 'delete', lang)
          await page.getByRole('button', { name: text.delete }).click()
          await expect
            .poll(async () => (await storedFingerprints()).map(([fingerprint]) => fingerprint))
            .not.toContain(victim.fingerprint)
          await expect.poll(() => page.locator('.key-row', { hasText: victim.name }).count()).toBe(0)
        })
      })
    }

    it('kept the CSP and produced no page errors', async () => {
      expect(await cspViolations(harness.page)).toEqual([])
      expect(harness.problems).toEqual([])
    })
  },
)
