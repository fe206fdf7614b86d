import { readFile, writeFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { appSession, chromiumPath, errorText, screenStep, t, tMatch } from './harness.ts'

const gpgPassphrase = 'Mandant-Passwort 2026'

const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('GnuPG', hasGpg, 'apt-get install gnupg')

describe.skipIf(skip)('key journeys with real OpenPGP keys (GnuPG-made) in Chromium', () => {
  let work: string
  let gpg: GpgHome
  let clientFingerprint: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sp-journeys-'))
    gpg = new GpgHome()
    clientFingerprint = gpg.generate('Bernd Mandant <bernd@mandant.test>', gpgPassphrase)
    await writeFile(join(work, 'bernd-public.asc'), gpg.ok(['--armor', '--export', clientFingerprint]).stdout)
    await writeFile(
      join(work, 'bernd-secret.asc'),
      gpg.ok(['--passphrase', gpgPassphrase, '--armor', '--export-secret-keys', clientFingerprint]).stdout,
    )
  })
  afterAll(async () => {
    gpg?.close()
    await rm(work, { recursive: true, force: true })
  })

  for (const lang of ['de', 'en'] as const) {
    const text = {
      import: t(lang, 'keys.import'),
      continue: t(lang, 'common.continue'),
      doImport: t(lang, 'import.doImport'),
      success: t(lang, 'import.success'),
      later: t(lang, 'import.verifyLater'),
      wrong: errorText(lang, 'KEY_PASSPHRASE_WRONG'),
      password: (name: string) => t(lang, 'import.passphraseFor', { name }),
      secretWarning: t(lang, 'import.secretWarning'),
      setupTitle: t(lang, 'setup.title'),
      name: t(lang, 'setup.name'),
      email: t(lang, 'setup.email'),
      create: t(lang, 'setup.create'),
      created: t(lang, 'setup.created'),
      backupNow: t(lang, 'setup.backupNow'),
      make: t(lang, 'backup.makeCode'),
      noted: t(lang, 'backup.writtenDown'),
      save: t(lang, 'backup.save'),
      saved: tMatch(lang, 'backup.done'),
      close: t(lang, 'common.close'),
      share: t(lang, 'setup.share'),
      finish: t(lang, 'setup.finish'),
      deleteAction: t(lang, 'keys.action.delete'),
      delete: t(lang, 'delete.confirm'),
      copyPublic: t(lang, 'keys.action.copyPublic'),
    }

    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const session = appSession(lang, 'sp-journey-', { firstStart: true })

      it('first start: creates a key, backs it up under the recovery code, saves the public key', async () => {
        const { page } = session.harness
        const dialog = page.getByRole('dialog').first()
        await dialog.getByRole('heading', { name: text.setupTitle }).waitFor()
        await dialog.getByRole('button', { name: text.continue }).click()
        await page.getByLabel(text.name).fill('Anna Beraterin')
        await page.getByLabel(text.email).fill('anna@kanzlei.test')
        await page.getByRole('button', { name: text.create }).click()
        await page.getByText(text.created).waitFor({ timeout: 30_000 })
        await screenStep(page, 'setup-created', lang)
        const [own] = await session.stored()
        expect(own).toMatchObject({ technology: 'openpgp', hasSecret: true, emails: ['anna@kanzlei.test'] })

        await page.getByRole('button', { name: text.backupNow }).click()
        await page.getByRole('button', { name: text.make }).click()
        const code = (await page.getByTestId('recovery-code').textContent())!.trim()
        await page.getByRole('button', { name: text.noted }).click()
        await page.getByRole('textbox').last().fill(code.toLowerCase().replace(/-/g, ' '))
        await page.getByRole('button', { name: text.save }).click()
        await page.getByText(text.saved).waitFor()
        await screenStep(page, 'backup-done', lang)
        await page.getByRole('button', { name: text.close }).click()

        // The backup is a passphrase-protected OpenPGP secret key: GnuPG can sign with it using the code, and only with it.
        const backupFile = session.harness.saved.find((path) => path.endsWith('.asc'))!
        const backup = await readFile(backupFile, 'utf8')
        expect(backup).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----')
        const check = new GpgHome()
        try {
          check.ok(['--import'], backup)
          expect(check.ok(['--with-colons', '--list-secret-keys']).stdout.toString()).toContain(own!.fingerprint)
          expect(
            check.run(['--passphrase', 'falsch', '--local-user', own!.fingerprint, '--sign'], 'probe').status,
          ).not.toBe(0)
          check.ok(['--passphrase', code, '--local-user', own!.fingerprint, '--sign'], 'probe')
        } finally {
          check.close()
        }

        await page.getByRole('button', { name: text.share }).click()
        await page.getByRole('button', { name: text.finish }).click()
        const publicFile = session.harness.saved.at(-1)!
        expect(await readFile(publicFile, 'utf8')).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----')
        expect(await readFile(publicFile, 'utf8')).not.toContain('PRIVATE KEY')

        // Delete the key, then restore it from the backup file with the code typed loosely.
        await page.click('[data-section=keys]')
        await page.locator('.key-row', { hasText: 'Anna Beraterin' }).click()
        await page.getByRole('button', { name: text.deleteAction }).click()
        await page.getByRole('button', { name: text.delete }).click()
        await expect.poll(async () => (await session.stored()).length).toBe(0)
        await page.getByRole('button', { name: text.import }).click()
        await page.locator('input[type=file]').setInputFiles(backupFile)
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByLabel(text.password(basename(backupFile))).fill(code.replace(/-/g, '').toLowerCase())
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        // One's own restored key is not offered for a fingerprint comparison.
        await page.getByTestId('result-own').waitFor()
        expect(await page.getByRole('dialog').getByRole('button', { name: text.later }).count()).toBe(0)
        await screenStep(page, 'restore-result', lang)
        await page.keyboard.press('Escape')
        const [restored] = await session.stored()
        expect(restored).toMatchObject({ fingerprint: own!.fingerprint, hasSecret: true })

        // No IPC answer after the code was shown carries the code, a passphrase or private key material.
        const answers = JSON.stringify(session.harness.responses)
        expect(answers.split(code).length - 1).toBe(1)
        expect(answers).not.toContain('PRIVATE KEY')
        expect(answers).not.toContain('"armored"')
      })

      it('imports a client’s public key and a password-protected secret key (wrong password first)', async () => {
        const { page } = session.harness
        await page.click('[data-section=keys]')
        await page.getByRole('button', { name: text.import }).click()
        await page.locator('input[type=file]').setInputFiles(join(work, 'bernd-public.asc'))
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).waitFor()
        expect(await page.getByRole('dialog').textContent()).toContain(
          clientFingerprint.match(/.{4}/g)!.slice(0, 5).join(' '),
        )
        await screenStep(page, 'import-preview', lang)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await screenStep(page, 'import-result', lang)
        await page.getByRole('button', { name: text.later }).click()
        expect((await session.stored()).find((k) => k.fingerprint === clientFingerprint)).toMatchObject({
          hasSecret: false,
          acceptance: 'unverified',
        })

        // Copy the public key: what lands on the clipboard is the key GnuPG knows, and nothing secret.
        await page.locator('.key-row', { hasText: 'Bernd Mandant' }).click()
        await page.getByRole('button', { name: text.copyPublic }).click()
        await expect.poll(() => session.harness.clipboard.length).toBe(1)
        expect(session.harness.clipboard[0]).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----')
        const fresh = new GpgHome()
        try {
          fresh.ok(['--import'], session.harness.clipboard[0])
          expect(fresh.fingerprintOf('bernd@mandant.test')).toBe(clientFingerprint)
        } finally {
          fresh.close()
        }

        await page.getByRole('button', { name: text.import }).click()
        await page.locator('input[type=file]').setInputFiles(join(work, 'bernd-secret.asc'))
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByLabel(text.password('bernd-secret.asc')).fill('falsch')
        await screenStep(page, 'import-password', lang)
        await page.getByRole('button', { name: text.continue }).click()
        await expect.poll(() => page.getByRole('alert').first().textContent()).toContain(text.wrong)
        await screenStep(page, 'import-wrong-password', lang)
        expect((await session.stored()).find((k) => k.fingerprint === clientFingerprint)!.hasSecret).toBe(false)
        await page.getByLabel(text.password('bernd-secret.asc')).fill(gpgPassphrase)
        await page.getByRole('button', { name: text.continue }).click()
        await expect.poll(() => page.getByRole('dialog').textContent()).toContain(text.secretWarning)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        expect((await session.stored()).find((k) => k.fingerprint === clientFingerprint)).toMatchObject({
          hasSecret: true,
        })
        expect(JSON.stringify(session.harness.responses)).not.toContain(gpgPassphrase)
      })
    })
  }
})
