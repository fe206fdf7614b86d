import { readFile, writeFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DraftStore } from '../../main/core/drafts/draft-store.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { exportAliceP12, hasOpenssl, makeIntermediateChain, makeTestPki, opensslText } from '../helpers/smime-pki.ts'
import { appSession, chromiumPath, e2eKeySource, errorMatch, errorText, screenStep, t, tMatch } from './harness.ts'

const p12Password = 'Kanzlei-Zertifikat 2026'
const gpgPassphrase = 'Mandant-Passwort 2026'
const grouped = (fingerprint: string) => fingerprint.match(/.{1,4}/g)!.join(' ')

const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('openssl', hasOpenssl, 'apt-get install openssl') ||
  skipUnless('GnuPG', hasGpg, 'apt-get install gnupg')

/**
 * A real drop in Chromium: a DataTransfer made in the page, carrying File objects with the bytes of
 * `files`, and dragenter/dragover/drop dispatched on `selector` (what the OS does when a user drops).
 */
async function dropFiles(
  page: Page,
  selector: string,
  files: { name: string; bytes: Buffer }[],
  events = ['dragenter', 'dragover', 'drop'],
) {
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const g = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: unknown[], name: string) => unknown
      }
      const transfer = new g.DataTransfer()
      for (const file of list)
        transfer.items.add(new g.File([Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0))], file.name))
      return transfer
    },
    files.map((file) => ({ name: file.name, data: file.bytes.toString('base64') })),
  )
  for (const type of events) await page.dispatchEvent(selector, type, { dataTransfer })
}

describe.skipIf(skip)('several files, dropped files, missing intermediates and sharing as a draft, in Chromium', () => {
  let work: string
  let gpg: GpgHome
  let berndFingerprint: string
  const certFingerprint = (file: string) =>
    opensslText(['x509', '-in', file, '-noout', '-fingerprint', '-sha256'], work).split('=')[1]!.replace(/[:\s]/g, '')
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sp-files-ui-'))
    const pki = makeTestPki(work)
    makeIntermediateChain(work, p12Password)
    exportAliceP12(pki, join(work, 'alice.p12'), p12Password, ['-name', 'Alice'])
    const p12 = await readFile(join(work, 'alice.p12'))
    await writeFile(join(work, 'kaputt.p12'), p12.subarray(0, Math.floor(p12.length / 2)))
    gpg = new GpgHome()
    berndFingerprint = gpg.generate('Bernd Mandant <bernd@mandant.test>', gpgPassphrase)
    await writeFile(join(work, 'bernd-public.asc'), gpg.ok(['--armor', '--export', berndFingerprint]).stdout)
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
      password: (name: string) => t(lang, 'import.passphraseFor', { name }),
      wrong: errorText(lang, 'KEY_PASSPHRASE_WRONG'),
      corrupt: errorMatch(lang, 'SMIME_MALFORMED'),
      chosen: t(lang, 'import.chosenCount', { count: 3 }),
      include: t(lang, 'import.includeFile', { name: 'fran.pem' }),
      dropZone: t(lang, 'import.dropZoneLabel'),
      missing: t(lang, 'import.missingIntermediate.title'),
      fix: tMatch(lang, 'import.missingIntermediate.text'),
      share: t(lang, 'keys.action.shareDraft'),
      partial: t(lang, 'import.partial', { done: 2, total: 3 }),
      release: t(lang, 'keys.dropToImport'),
      noRecipient: t(lang, 'compose.noRecipient'),
      subject: lang === 'de' ? 'Mein öffentlicher Schlüssel' : 'My public key',
      phone: lang === 'de' ? 'telefonisch' : 'by phone',
    }

    describe(lang === 'de' ? 'in German' : 'in English', () => {
      const session = appSession(lang, 'sp-files-journey-')

      it('imports several files at once: a password only for the .p12, the damaged file’s error next to it, the rest imported', async () => {
        const { page } = session.harness
        await page.getByRole('button', { name: text.import }).click()
        await page
          .locator('input[type=file]')
          .setInputFiles(['bernd-public.asc', 'alice.p12', 'kaputt.p12'].map((file) => join(work, file)))
        await page.getByRole('heading', { name: text.chosen }).waitFor()
        await screenStep(page, 'import-files-chosen', lang)
        await page.getByRole('button', { name: text.continue }).click()
        // Exactly one password field: for the .p12; the public key and the damaged file need none.
        await page.getByLabel(text.password('alice.p12')).waitFor()
        expect(await page.locator('input[type=password]').count()).toBe(1)
        await screenStep(page, 'import-files-password', lang)
        // A wrong password keeps that one file waiting, with the error next to its field.
        await page.getByLabel(text.password('alice.p12')).fill('falsch')
        await page.getByRole('button', { name: text.continue }).click()
        await expect.poll(() => page.locator('.file-passphrase').getByRole('alert').count()).toBe(1)
        expect(await page.locator('.file-passphrase').getByRole('alert').textContent()).toContain(text.wrong)
        expect(await session.stored()).toEqual([])
        await page.getByLabel(text.password('alice.p12')).fill(p12Password)
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).waitFor()
        const group = (file: string) => page.locator(`[data-file="${file}"]`)
        expect(await group('bernd-public.asc').textContent()).toContain(grouped(berndFingerprint))
        expect(await group('alice.p12').textContent()).toContain(grouped(certFingerprint('alice.pem')))
        expect(await group('kaputt.p12').getByRole('alert').textContent()).toMatch(text.corrupt)
        expect(await page.getByTestId('some-failed').textContent()).toContain('kaputt.p12')
        await screenStep(page, 'import-files-preview', lang)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.partial).waitFor()
        await screenStep(page, 'import-files-result', lang)
        await page.keyboard.press('Escape')
        const keys = await session.stored()
        expect(keys.find((key) => key.fingerprint === berndFingerprint)).toMatchObject({
          technology: 'openpgp',
          hasSecret: false,
        })
        expect(keys.find((key) => key.fingerprint === certFingerprint('alice.pem'))).toMatchObject({
          technology: 'smime',
          hasSecret: true,
        })
        expect(keys.some((key) => key.name === 'Test CA')).toBe(true)
        expect(JSON.stringify(session.harness.responses)).not.toContain(p12Password)
      })

      it('takes files dropped on the import wizard, shows their fingerprints and imports only the ticked ones', async () => {
        const { page } = session.harness
        await page.getByRole('button', { name: text.import }).click()
        const zone = page.getByRole('group', { name: text.dropZone })
        await zone.waitFor()
        // The drop zone is not the only way in: its file chooser is reached with the keyboard.
        const fileInputFocused = () =>
          page.evaluate(
            () =>
              (globalThis as unknown as { document: { activeElement: { type?: string } | null } }).document
                .activeElement?.type === 'file',
          )
        for (let i = 0; i < 8 && !(await fileInputFocused()); i++) await page.keyboard.press('Tab')
        expect(await fileInputFocused()).toBe(true)
        await dropFiles(page, '[data-testid=dropzone]', [
          { name: 'fran.pem', bytes: await readFile(join(work, 'fran.pem')) },
          { name: 'bernd-public.asc', bytes: await readFile(join(work, 'bernd-public.asc')) },
        ])
        await page.getByText('fran.pem', { exact: true }).waitFor()
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).waitFor()
        expect(await page.locator('[data-file="fran.pem"]').textContent()).toContain(
          grouped(certFingerprint('fran.pem')),
        )
        expect(await page.locator('[data-file="bernd-public.asc"]').textContent()).toContain(grouped(berndFingerprint))
        await page.getByRole('checkbox', { name: text.include }).uncheck()
        await screenStep(page, 'import-drop-preview', lang)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        expect((await session.stored()).some((key) => key.emails.includes('fran@example.org'))).toBe(false)
      })

      it('says an intermediate certificate is missing, with the fix, until the chain from the CA is imported', async () => {
        const { page } = session.harness
        // Dropped on the key manager itself: the wizard opens with the file.
        const leaf = [{ name: 'chain-leaf.p12', bytes: await readFile(join(work, 'chain-leaf.p12')) }]
        await dropFiles(page, '[data-testid=keys-drop]', leaf, ['dragenter', 'dragover'])
        await page.getByText(text.release).waitFor()
        await screenStep(page, 'keys-drop-active', lang)
        await dropFiles(page, '[data-testid=keys-drop]', leaf)
        await page.getByText('chain-leaf.p12', { exact: true }).waitFor()
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByLabel(text.password('chain-leaf.p12')).fill(p12Password)
        await page.getByRole('button', { name: text.continue }).click()
        const warning = page.getByTestId('missing-intermediate')
        await warning.waitFor()
        expect(await warning.textContent()).toContain(text.missing)
        expect(await warning.textContent()).toContain('Test Mail CA 2026')
        expect(await warning.textContent()).toMatch(text.fix)
        await screenStep(page, 'import-missing-intermediate', lang)
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        await page.locator('.key-row', { hasText: 'Lena Lohnbuchhaltung' }).click()
        await page.locator('.details').getByTestId('missing-intermediate').waitFor()
        // While the chain is missing, the status never reads plainly "valid".
        await page.locator('.details .badge-incomplete').waitFor()
        await screenStep(page, 'details-missing-intermediate', lang)
        // The CA's chain (.p7b) completes it.
        await page.getByRole('button', { name: text.import }).click()
        await page.locator('input[type=file]').setInputFiles(join(work, 'chain.p7b'))
        await page.getByRole('button', { name: text.continue }).click()
        await page.getByRole('button', { name: text.doImport, exact: true }).click()
        await page.getByText(text.success).waitFor()
        await page.keyboard.press('Escape')
        await page.locator('.key-row', { hasText: 'Lena Lohnbuchhaltung' }).click()
        await expect.poll(() => page.locator('.details').getByTestId('missing-intermediate').count()).toBe(0)
        await expect.poll(() => page.locator('.details .badge-incomplete').count()).toBe(0)
      })

      it('shares the own public key as a new mail draft with the key attached', async () => {
        const { page } = session.harness
        const created = await page.evaluate(() =>
          (
            globalThis as unknown as {
              siegelpost: { keysGenerate(r: unknown): Promise<{ ok: boolean; value: { fingerprint: string } }> }
            }
          ).siegelpost.keysGenerate({
            name: 'Anna Beraterin',
            email: 'anna@kanzlei.test',
            algo: 'curve25519',
            expiresInYears: 2,
          }),
        )
        expect(created.ok).toBe(true)
        await page.click('[data-section=inbox]')
        await page.click('[data-section=keys]')
        await page.locator('.key-row', { hasText: 'Anna Beraterin' }).click()
        await page.getByRole('button', { name: text.share }).click()
        const draft = page.getByTestId('draft')
        await draft.waitFor()
        expect(await page.locator('[data-section=compose]').getAttribute('aria-current')).toBe('page')
        expect(await draft.textContent()).toContain(text.subject)
        expect(await draft.textContent()).toContain(text.noRecipient)
        expect(await draft.textContent()).toContain(text.phone)
        expect(await draft.textContent()).toContain(grouped(created.value.fingerprint))
        // The draft as stored: sealed in the profile, its attachment the public key gpg reads as Anna's.
        const store = async () =>
          new DraftStore(
            session.dir,
            await openVault({ profileDir: session.dir, keySource: await e2eKeySource() }),
            () => new Date(),
          )
        const [stored] = await (await store()).list()
        const attachment = await (await store()).readAttachment(stored!, stored!.attachments[0]!.id)
        expect(attachment.toString()).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----')
        expect(attachment.toString()).not.toContain('PRIVATE')
        // The renderer got the draft's text and the attachment's name and size, never its bytes.
        expect(JSON.stringify(session.harness.responses)).not.toContain(attachment.toString('base64').slice(0, 40))
        const shown = gpg.ok(['--with-colons', '--show-keys'], attachment).stdout.toString()
        expect(shown).toContain(`fpr:::::::::${created.value.fingerprint}:`)
        const chip = draft.getByTestId('attachment')
        // The shared draft is open in the composer, the key attached there too.
        await expect.poll(() => page.locator('#compose-subject').inputValue()).toContain(text.subject)
        expect(await page.getByTestId('attachments').getByTestId('attachment').textContent()).toContain(
          stored!.attachments[0]!.fileName,
        )
        expect(await chip.textContent()).toContain(stored!.attachments[0]!.fileName)
        expect(await chip.textContent()).toContain(`${attachment.length} B`)
        await screenStep(page, 'share-draft', lang)
        // Someone else's key is not "my public key": no button, and the channel refuses it.
        await page.click('[data-section=keys]')
        await page.locator('.key-row', { hasText: 'Bernd Mandant' }).click()
        await page.locator('.details').getByText('Bernd Mandant').waitFor()
        expect(await page.getByRole('button', { name: text.share }).count()).toBe(0)
        const refused = await page.evaluate(
          (id) =>
            (
              globalThis as unknown as {
                siegelpost: { keysShareDraft(r: unknown): Promise<{ ok: boolean; error?: { code: string } }> }
              }
            ).siegelpost.keysShareDraft({ id }),
          berndFingerprint,
        )
        expect(refused).toMatchObject({ ok: false, error: { code: 'DRAFT_ONLY_OWN_KEY' } })
        expect(await (await store()).list()).toHaveLength(1)
        expect(session.harness.problems).toEqual([])
      })
    })
  }
})
