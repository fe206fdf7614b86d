import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { openVault, type VaultKeySource } from '../../main/core/keys/vault.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { hasKeyringSession } from '../helpers/needs.ts'
import { channels } from '../../preload/contract.ts'
import { buildSurface } from '../../preload/surface.ts'
import { createAppCore, type AppCoreOptions } from '../../main/app-core.ts'
import { serveAppFile } from '../../main/app-protocol.ts'
import { errorTable, formatMessage, type ErrorCode } from '../../main/core/errors/index.ts'
import { messages, translate, type Lang, type MessageKey } from '../../renderer/src/i18n/messages.ts'

type Params = Record<string, string | number>

/** The UI text of `key` in `lang` as the app shows it: from renderer/src/i18n/{de,en}.json, placeholders filled. */
export const t = (lang: Lang, key: MessageKey, params?: Params): string => translate(lang, key, params)

/** The text of an error from main's error table in `lang`, as the UI shows it. */
export const errorText = (lang: Lang, code: ErrorCode, params?: Params): string => formatMessage(code, lang, params)

/** Matches a text made from `template` whatever its {placeholders} were filled with. */
function templatePattern(template: string): RegExp {
  const parts = template.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(parts.join('.+?'))
}

/** Matches the UI text of `key` with any values in its placeholders (for names and counts a test does not set). */
export const tMatch = (lang: Lang, key: MessageKey): RegExp => templatePattern(messages[lang][key])

/** Matches the text of error `code` with any values in its placeholders. */
export const errorMatch = (lang: Lang, code: ErrorCode): RegExp => templatePattern(errorTable[code][lang])

/** Where every e2e test writes its full-window screenshots (not committed). */
export const screensDir = fileURLToPath(new URL('../../test-results/screens', import.meta.url))

/** What app:info answers in the UI tests. */
export const e2eAppInfo = {
  name: 'Siegelpost',
  version: '0.1.0-e2e',
  platform: 'linux',
  runtime: { node: process.versions.node, electron: null, chrome: null },
}

/** The real keychain when the tests run in a keyring session (npm test), else the explicit passphrase mode. */
export const e2eKeySource = async (): Promise<VaultKeySource> =>
  hasKeyringSession
    ? { mode: 'keychain', store: createOsKeychain() }
    : { mode: 'passphrase', passphrase: Buffer.from('e2e') }

/** A full-window screenshot `wizard-<step>-<lang>.png`, and axe-core must find nothing on that screen. */
export async function screenStep(page: Page, step: string, lang: string): Promise<void> {
  await mkdir(screensDir, { recursive: true })
  await page.screenshot({ path: join(screensDir, `wizard-${step}-${lang}.png`) })
  expect(await accessibilityViolations(page), `axe on ${step} (${lang})`).toEqual([])
}

/** Starts the app page in `lang`; with `skipSetup` the first-start setup counts as postponed. */
export async function openApp(
  harness: Harness,
  lang: 'de' | 'en',
  options: { skipSetup?: boolean } = {},
): Promise<void> {
  await harness.page.addInitScript(
    ({ l, skip }) => {
      const storage = (globalThis as unknown as { localStorage: Storage }).localStorage
      storage.setItem('siegelpost.lang', l)
      if (skip) storage.setItem('siegelpost.setup', 'later')
    },
    { l: lang, skip: Boolean(options.skipSetup) },
  )
  await harness.page.goto(`${harness.origin}/index.html`)
}

/**
 * One app session for a describe block: a fresh profile, the harness on it, the app open in `lang` —
 * on the key manager with the first-start setup postponed, or (`firstStart`) as a first start shows it.
 * Registers its own beforeAll/afterAll; `stored()` reads the vault as the app left it.
 */
export function appSession(lang: 'de' | 'en', prefix: string, options: { firstStart?: boolean } = {}) {
  const session = {
    dir: '',
    harness: undefined as unknown as Harness,
    stored: async () => (await openVault({ profileDir: session.dir, keySource: await e2eKeySource() })).contents.keys,
  }
  beforeAll(async () => {
    session.dir = await mkdtemp(join(tmpdir(), prefix))
    session.harness = await startHarness({ profileDir: session.dir, keySource: e2eKeySource, appInfo: e2eAppInfo })
    await openApp(session.harness, lang, { skipSetup: !options.firstStart })
    if (!options.firstStart) await session.harness.page.click('[data-section=keys]')
  })
  afterAll(async () => {
    await session.harness?.close()
    await rm(session.dir, { recursive: true, force: true })
  })
  return session
}

export const chromiumPath = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((path) => existsSync(path))
const rendererRoot = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface Harness {
  page: Page
  /** Files the app saved through the (stand-in) save dialog, in order. */
  saved: string[]
  /** What the app put on the (stand-in) clipboard, in order. */
  clipboard: string[]
  /** Every IPC response the page received, for checks that nothing secret crossed. */
  responses: unknown[]
  downloads: string
  context: BrowserContext
  origin: string
  /** CSP violations and page errors seen so far; a clean run has none. */
  problems: string[]
  close: () => Promise<void>
}

/**
 * The UI as the app runs it, without the Electron binary: the built renderer served with the
 * app's own CSP headers on loopback, Debian Chromium driven by playwright-core, and in place of
 * the preload the same surface (buildSurface) wired through a binding to the *real* dispatcher,
 * handler registry and vault. The binding passes the calling frame, so sender checks apply.
 */
export async function startHarness(
  core: Omit<AppCoreOptions, 'trustedOrigins' | 'chooseSavePath' | 'writeClipboard' | 'clearClipboard'> &
    Partial<Pick<AppCoreOptions, 'chooseSavePath'>>,
): Promise<Harness> {
  if (!existsSync(`${rendererRoot}/index.html`))
    throw new Error('out/renderer is missing: run "npm run build" first (npm test does)')
  const server: Server = createServer((request, response) => {
    if (request.url === '/favicon.ico') return void response.writeHead(204).end()
    void serveAppFile(rendererRoot, request.method ?? 'GET', request.url ?? '/').then((answer) => {
      response.writeHead(answer.status, answer.headers)
      response.end(answer.body ?? undefined)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Stands in for the OS save dialog: the user "chooses" the suggested name in a downloads folder.
  const downloads = await mkdtemp(join(tmpdir(), 'sp-downloads-'))
  const saved: string[] = []
  const chooseSavePath =
    core.chooseSavePath ??
    (async ({ suggestedName }: { suggestedName: string }) => {
      const path = join(downloads, suggestedName)
      saved.push(path)
      return path
    })
  const responses: unknown[] = []
  // Stands in for the OS clipboard.
  const clipboard: string[] = []
  const writeClipboard = async (text: string) => void clipboard.push(text)
  // Emptied (an empty entry) only while it still holds that text, as Electron's clipboard is in the app.
  const clearClipboard = async (text: string) => void (clipboard.at(-1) === text && clipboard.push(''))
  const { dispatch: realDispatch, stop: stopCore } = createAppCore({
    ...core,
    chooseSavePath,
    writeClipboard,
    clearClipboard,
    trustedOrigins: [origin],
  })
  const dispatch: typeof realDispatch = async (channel, sender, payload) => {
    const response = await realDispatch(channel, sender, payload)
    responses.push(response)
    return response
  }

  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' })
  await context.exposeBinding('__siegelpostInvoke', ({ frame, page }, channel: string, payload: unknown) =>
    dispatch(channel, { url: frame.url(), isMainFrame: frame === page.mainFrame() }, payload),
  )
  await context.addInitScript({
    content: `(() => {
      const invoke = window.__siegelpostInvoke;
      const surface = (${buildSurface.toString()})(${JSON.stringify(channels)}, (channel, request) => invoke(channel, request));
      Object.defineProperty(window, 'siegelpost', { value: surface, writable: false, configurable: false, enumerable: true });
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    })()`,
  })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  return {
    page,
    context,
    origin,
    problems,
    saved,
    clipboard,
    responses,
    downloads,
    close: async () => {
      await browser.close()
      await stopCore()
      await new Promise((resolve) => server.close(resolve))
      await rm(downloads, { recursive: true, force: true })
    },
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** WCAG 2 A/AA violations axe-core finds on the page as it is now (rule id: affected nodes). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>
        }
      }
    ).axe
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  })
  return violations
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations)
}
