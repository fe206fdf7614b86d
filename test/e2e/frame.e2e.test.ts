import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { sampleKey } from '../helpers/sample-key.ts'
import {
  chromiumPath,
  cspViolations,
  e2eAppInfo,
  e2eKeySource,
  errorText,
  type Harness,
  startHarness,
  t,
} from './harness.ts'

const screens = join(import.meta.dirname, '../../test-results/screens')
const skip = skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium')

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(screens, `${name}.png`), fullPage: true })
}

const sections = [
  'nav.inbox',
  'nav.compose',
  'nav.outbox',
  'nav.clients',
  'nav.keys',
  'nav.accounts',
  'nav.settings',
] as const
const navIn = (lang: 'de' | 'en') => sections.map((key) => t(lang, key))

async function navLabels(page: Page) {
  return page.locator('nav button').allTextContents()
}

describe.skipIf(skip)('app frame in Chromium with the real handler registry', () => {
  let dir: string
  let harness: Harness
  beforeAll(async () => {
    await mkdir(screens, { recursive: true })
    dir = await mkdtemp(join(tmpdir(), 'sp-e2e-'))
    const vault = await openVault({ profileDir: dir, keySource: await e2eKeySource() })
    await vault.update((draft) => void draft.keys.push(sampleKey()))
    harness = await startHarness({ profileDir: dir, keySource: e2eKeySource, appInfo: e2eAppInfo })
  })
  afterAll(async () => {
    await harness?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('starts in German with its sections', async () => {
    const { page, origin } = harness
    await page.goto(`${origin}/index.html`)
    await expect.poll(() => navLabels(page)).toEqual(navIn('de'))
    expect(await page.locator('h1').textContent()).toBe(t('de', 'inbox.title'))
    expect(await page.getAttribute('html', 'lang')).toBe('de')
    await shot(page, 'de-inbox')
    await page.click('[data-section=compose]')
    expect(await page.locator('h1').textContent()).toBe(t('de', 'compose.title'))
    await shot(page, 'de-compose')
  })

  it('lists the vault’s keys through window.siegelpost and the real registry', async () => {
    const { page } = harness
    await page.click('[data-section=keys]')
    await expect.poll(() => page.locator('.key-row').count()).toBe(1)
    const row = await page.locator('.key-row').first().textContent()
    expect(row).toContain('Anna Beraterin')
    expect(row).toContain('89AB CDEF 0123 4567')
    expect(row).toContain(t('de', 'keys.state.valid'))
    expect(await page.getByTestId('vault-line').textContent()).toBe(
      t('de', hasKeyringSession ? 'vault.protectedByKeychain' : 'vault.protectedByPassphrase'),
    )
    await shot(page, 'de-keys')
  })

  it('shows app and vault information in the settings', async () => {
    const { page } = harness
    await page.click('[data-section=settings]')
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe('0.1.0-e2e')
    expect(await page.locator('dd.mono').first().textContent()).toBe(join(dir, 'vault.sgpv'))
    await shot(page, 'de-settings')
  })

  it('switches to English, everywhere, and keeps the choice after a reload', async () => {
    const { page } = harness
    await page.getByLabel(t('en', 'settings.language.en')).check()
    await expect.poll(() => navLabels(page)).toEqual(navIn('en'))
    expect(await page.locator('h1').textContent()).toBe(t('en', 'settings.title'))
    expect(await page.getAttribute('html', 'lang')).toBe('en')
    await shot(page, 'en-settings')
    await page.reload()
    await expect.poll(() => navLabels(page)).toEqual(navIn('en'))
    await shot(page, 'en-inbox')
    await page.click('[data-section=compose]')
    await shot(page, 'en-compose')
    await page.click('[data-section=keys]')
    await expect.poll(() => page.locator('.key-row').first().textContent()).toContain(t('en', 'keys.state.valid'))
    await shot(page, 'en-keys')
  })

  it('exposes only the named contract functions, and nothing broke the CSP', async () => {
    const { page } = harness
    // These callbacks run in the page; the test's own types have no DOM, hence globalThis.
    type PageGlobals = { siegelpost: object; ipcRenderer?: unknown }
    const surface = await page.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).siegelpost).sort())
    const transport = [
      'accountsAdd',
      'accountsList',
      'accountsRemove',
      'accountsTest',
      'outboxDrop',
      'outboxList',
      'outboxRetry',
      'policyConsent',
      'policyDecide',
      'policyRule',
      'policySetRequiretls',
      'policyShow',
      'policyTlsException',
    ]
    const drafts = ['draftsList', 'keysChain', 'keysLookup', 'keysShareDraft']
    const reading = [
      'mailCancel',
      'mailClose',
      'mailExportEml',
      'mailExportPdf',
      'mailOfferedKey',
      'mailOpen',
      'mailOpenAttachment',
      'mailPrint',
      'mailProgress',
      'mailReply',
      'mailSaveAttachment',
    ]
    const mailbox = [
      'mailboxChanges',
      'mailboxDelete',
      'mailboxFlag',
      'mailboxFolders',
      'mailboxList',
      'mailboxSync',
      'mailboxSyncStatus',
    ]
    const composer = [
      'composeAttach',
      'composeDetach',
      'composePlan',
      'composeSend',
      'composeSetSignature',
      'composeSignature',
      'draftsDelete',
      'draftsLoad',
      'draftsSave',
    ]
    const clients = [
      'consentExport',
      'consentLetter',
      'consentList',
      'consentRecord',
      'containerChoose',
      'containerClose',
      'containerOpen',
      'containerSaveAttachment',
    ]
    // The password PDF: generated passwords after a send, a received one in the read view.
    const passwordPdf = [
      'composePasswordCopy',
      'composePasswordForget',
      'composePasswordLetter',
      'composePasswordShow',
      'mailContainerOpen',
      'mailContainerSave',
    ]
    expect(surface).toEqual(
      [
        'appInfo',
        'keysBackupCancel',
        'keysBackupSave',
        'keysBackupSheet',
        'keysBackupStart',
        'keysCopyPublic',
        'keysCsr',
        'keysDelete',
        'keysExportPublic',
        'keysGenerate',
        'keysImport',
        'keysInspect',
        'keysList',
        'keysRevocation',
        'keysVerify',
        'vaultStatus',
        ...transport,
        ...drafts,
        ...reading,
        ...mailbox,
        ...clients,
        ...composer,
        ...passwordPdf,
      ].sort(),
    )
    expect(
      await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals
        return 'ipcRenderer' in g || 'invoke' in g.siegelpost
      }),
    ).toBe(false)
    expect(await cspViolations(page)).toEqual([])
    expect(harness.problems).toEqual([])
  })
})

describe.skipIf(skip)('app frame when the keychain cannot be reached', () => {
  let harness: Harness
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-e2e-'))
    harness = await startHarness({
      profileDir: dir,
      keySource: async () => Promise.reject(new SiegelpostError('KEYCHAIN_UNAVAILABLE')),
      appInfo: e2eAppInfo,
    })
  })
  afterAll(async () => {
    await harness?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('says so in the user’s language, with the fix, and offers a retry', async () => {
    const { page, origin } = harness
    await page.goto(`${origin}/index.html`)
    await page.click('[data-section=keys]')
    const alert = page.getByRole('alert').first()
    await expect.poll(() => alert.textContent()).toContain(errorText('de', 'KEYCHAIN_UNAVAILABLE'))
    expect(await alert.getAttribute('data-code')).toBe('KEYCHAIN_UNAVAILABLE')
    expect(await page.getByRole('button', { name: t('de', 'error.retry') }).count()).toBeGreaterThan(0)
    await shot(page, 'de-keys-keychain-unavailable')
    expect(harness.problems).toEqual([])
  })
})
