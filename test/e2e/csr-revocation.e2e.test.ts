import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportKey, generateKey } from '../../main/core/keys/key-store.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { hasOpenssl, makeTestPki, openssl } from '../helpers/smime-pki.ts'
import { appSession, chromiumPath, e2eKeySource, screenStep, t, tMatch } from './harness.ts'

const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('openssl', hasOpenssl, 'apt-get install openssl') ||
  skipUnless('GnuPG', hasGpg, 'apt-get install gnupg')

describe.skipIf(skip)('certificate request and revocation certificate in Chromium', () => {
  let work: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sp-csr-ui-'))
    makeTestPki(work)
  })
  afterAll(() => rm(work, { recursive: true, force: true }))

  for (const lang of ['de', 'en'] as const) {
    const text = {
      csr: t(lang, 'keys.csr'),
      name: t(lang, 'csr.name'),
      email: t(lang, 'csr.email'),
      create: t(lang, 'csr.create'),
      done: tMatch(lang, 'csr.done'),
      close: t(lang, 'common.close'),
      import: t(lang, 'keys.import'),
      continue: t(lang, 'common.continue'),
      doImport: t(lang, 'import.doImport'),
      success: t(lang, 'import.success'),
      revocation: t(lang, 'keys.action.revocation'),
      revocationSaved: tMatch(lang, 'keys.revocationSaved'),
    }
    const email = `clara.${lang}@kanzlei.test`

    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const session = appSession(lang, 'sp-csr-journey-')

      it('writes a CSR OpenSSL verifies, and joins the issued certificate to the waiting key', async () => {
        const { page } = session.harness
        await page.getByRole('button', { name: text.csr }).click()
        await page.getByLabel(text.name).fill('Clara Steuer')
        await page.getByLabel(text.email).fill(email)
        await screenStep(page, 'csr', lang)
        await page.getByRole('button', { name: text.create }).click()
        await page.getByText(text.done).waitFor({ timeout: 30_000 })
        await screenStep(page, 'csr-done', lang)
        await page.getByRole('button', { name: text.close }).click()
        const csr = session.harness.saved.find((path) => path.endsWith('.csr'))!
        const details = execFileSync('openssl', ['req', '-in', csr, '-noout', '-verify', '-text'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        expect(details).toContain(`email:${email}`)
        expect(details).toContain('Clara Steuer')
        expect(await readFile(csr, 'utf8')).not.toContain('PRIVATE KEY')

        // The CA (OpenSSL) issues the certificate; importing it gives the waiting key its certificate.
        await writeFile(
          join(work, `clara-${lang}.ext`),
          `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:${email}\n`,
        )
        openssl(
          [
            'x509',
            '-req',
            '-in',
            csr,
            '-CA',
            'ca.pem',
            '-CAkey',
            'ca.key',
            '-CAcreateserial',
            '-days',
            '365',
            '-sha256',
            '-extfile',
            `clara-${lang}.ext`,
            '-out',
            `clara-${lang}.pem`,
          ],
          { cwd: work },
        )
        await page.getByRole('button', { name: text.import }).click()
        await page.locator('input[type=file]').setInputFiles(join(work, `clara-${lang}.pem`))
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        const clara = (await session.stored()).filter((key) => key.emails.includes(email))
        expect(clara).toHaveLength(1)
        expect(clara[0]).toMatchObject({ technology: 'smime', hasSecret: true })
      })

      it('saves a revocation certificate that GnuPG applies to the key', async () => {
        const { page } = session.harness
        const vault = await openVault({ profileDir: session.dir, keySource: await e2eKeySource() })
        const own = await generateKey(
          vault,
          keyTechnologies,
          'openpgp',
          { name: 'Dora Beraterin', email: `dora.${lang}@kanzlei.test`, algo: 'curve25519', expiresInYears: 0 },
          new Date(),
        )
        await page.reload()
        await page.click('[data-section=keys]')
        await page.locator('.key-row', { hasText: 'Dora Beraterin' }).click()
        await page.getByRole('button', { name: text.revocation }).click()
        await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(text.revocationSaved)
        const revocation = session.harness.saved.at(-1)!
        const gpg = new GpgHome()
        try {
          gpg.ok(
            ['--import'],
            Buffer.from(
              await exportKey(vault, keyTechnologies, own.fingerprint, {
                part: 'public',
                format: undefined,
                passphrase: null,
                compat: false,
              }),
            ),
          )
          expect(gpg.ok(['--with-colons', '--list-keys', own.fingerprint]).stdout.toString()).toMatch(/^pub:[-u]:/m)
          gpg.ok(['--import', revocation])
          expect(gpg.ok(['--with-colons', '--list-keys', own.fingerprint]).stdout.toString()).toMatch(/^pub:r:/m)
        } finally {
          gpg.close()
        }
      })
    })
  }
})
