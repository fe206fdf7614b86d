import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keychainService } from '../../main/core/keys/secret-store.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'
import { chromiumPath, e2eAppInfo, e2eKeySource, openApp, screensDir, startHarness, type Harness } from './harness.ts'

/**
 * 10,000 stored messages in the Posteingang while the server cannot be reached: the list stays
 * readable, renders only the rows in view, and the keyboard reaches the last message.
 */
const skip =
  skipUnless('Debian chromium', chromiumPath !== undefined, 'apt-get install chromium') ||
  skipUnless('a keyring session', hasKeyringSession, 'bash test/helpers/with-keyring.sh npx vitest run …')

const count = 10_000

interface TraceEvent {
  name: string
  tid: number
  dur?: number
  tdur?: number
  args?: { name?: string }
}

/** Chromium's trace of the page's main-thread tasks (RunTask: wall `dur`, thread time `tdur`, in µs). */
async function traceTasks(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  const events: TraceEvent[] = []
  cdp.on('Tracing.dataCollected', (data) => void events.push(...(data.value as unknown as TraceEvent[])))
  await cdp.send('Tracing.start', { categories: 'toplevel,disabled-by-default-devtools.timeline' })
  return {
    stop: async () => {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve))
      await cdp.send('Tracing.end')
      await complete
      const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')?.tid
      const tasks = events.filter((e) => e.name === 'RunTask' && e.tid === main && e.dur !== undefined)
      const byCpu = tasks.reduce<TraceEvent | null>((a, b) => ((b.tdur ?? 0) > (a?.tdur ?? 0) ? b : a), null)
      const byWall = tasks.reduce<TraceEvent | null>((a, b) => (b.dur! > (a?.dur ?? 0) ? b : a), null)
      const ms = (us: number | undefined) => (us ?? 0) / 1000
      return {
        longestCpuMs: ms(byCpu?.tdur),
        wallOfLongestCpuMs: ms(byCpu?.dur),
        longestWallMs: ms(byWall?.dur),
        cpuOfLongestWallMs: ms(byWall?.tdur),
      }
    },
  }
}

describe.skipIf(skip)('the Posteingang with 10,000 stored messages, offline', () => {
  let work: string
  let harness: Harness
  beforeAll(async () => {
    assertBuilt()
    work = await mkdtemp(join(tmpdir(), 'sp-e2e-scroll-'))
    const profile = join(work, 'profile')
    const vault = await openVault({ profileDir: profile, keySource: await e2eKeySource() })
    const store = new MailStore(profile, vault.deriveKey('messages'))
    const batch = store.batch()
    for (let i = 1; i <= count; i++) {
      const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()
      const raw = Buffer.from(
        `From: Kanzlei ${i % 37} <k${i % 37}@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: Beleg Nr. ${i}\r\nDate: ${date}\r\n\r\nText ${i}\r\n`,
      )
      batch.run(
        () => void store.add('kanzlei', 'INBOX', '1', i, raw, new Date(), { flags: i % 4 ? ['\\Seen'] : [] }),
        raw.length,
      )
    }
    batch.commit()
    store.close()
    await writeFile(join(work, 'pw'), 'pw\n')
    // A loopback port nothing listens on (taken and closed again): every sync is refused at once (offline).
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const run = runCli([
      'accounts',
      'add',
      'kanzlei',
      '--email',
      'advisor@kanzlei.test',
      '--user',
      'advisor@kanzlei.test',
      '--password-file',
      join(work, 'pw'),
      '--smtp',
      `127.0.0.1:${port}`,
      '--imap',
      `127.0.0.1:${port}`,
      '--smtp-security',
      'tls',
      '--imap-security',
      'tls',
      '--profile',
      profile,
    ])
    expect(run.status, run.stderr).toBe(0)
    harness = await startHarness({ profileDir: profile, keySource: e2eKeySource, appInfo: e2eAppInfo })
    await openApp(harness, 'de', { skipSetup: true })
  }, 240_000)
  afterAll(async () => {
    await harness?.close()
    await createOsKeychain()
      .delete(keychainService, `mail:${join(work, 'profile')}:kanzlei`)
      .catch(() => false)
    if (work) await rm(work, { recursive: true, force: true })
  })

  /** Rows in each `mailbox:list` answer the page got so far. */
  const listAnswerSizes = () =>
    harness.responses.flatMap((response) => {
      const value = (response as { ok?: boolean; value?: { rows?: unknown[]; all?: number } }).value
      return value && Array.isArray(value.rows) && typeof value.all === 'number' ? [value.rows.length] : []
    })

  it('lists all of them, renders only the rows in view, and End reaches the oldest', async () => {
    const page = harness.page
    const list = page.getByTestId('message-list')
    await expect.poll(() => list.getAttribute('data-count'), { timeout: 60_000 }).toBe(String(count))
    expect(await page.locator('[data-folder=INBOX]').getAttribute('data-unread')).toBe(String(count / 4))
    expect(await page.getByTestId('message-row').count()).toBeLessThan(40)
    // The window knows all 10,000 but has only the first page or two of them.
    expect(Math.max(...listAnswerSizes())).toBeLessThanOrEqual(200)
    // The longest main-thread task while the list scrolls (PerformanceObserver long tasks), for the report;
    // measured once the first sync (refused: offline) has ended and its reload is done.
    await expect
      .poll(() => page.getByTestId('sync-status').getAttribute('data-running'), { timeout: 30_000 })
      .toBe('false')
    await page.waitForTimeout(2000)
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        __longest: number
        __frameGap: number
        requestAnimationFrame: (callback: (time: number) => void) => void
        PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => {
          observe(options: { type: string }): void
        }
      }
      g.__longest = 0
      // Long tasks are reported from 50 ms on; the longest gap between two frames shows the work below that.
      g.__frameGap = 0
      let last = 0
      const frame = (time: number) => {
        if (last) g.__frameGap = Math.max(g.__frameGap, time - last)
        last = time
        g.requestAnimationFrame(frame)
      }
      g.requestAnimationFrame(frame)
      new g.PerformanceObserver((entries) => {
        for (const entry of entries.getEntries()) g.__longest = Math.max(g.__longest, entry.duration)
      }).observe({ type: 'longtask' })
    })
    // A trace of the renderer's tasks with their CPU time: on a loaded machine a task's wall time includes the
    // time the renderer waited for a core, its thread time does not.
    const trace = await traceTasks(page)
    await list.focus()
    for (let i = 0; i < 20; i++) await page.keyboard.press('PageDown')
    await page.mouse.move(600, 400)
    for (let i = 0; i < 40; i++) await page.mouse.wheel(0, 2000)
    await page.keyboard.press('End')
    await expect
      .poll(() => page.locator('[data-testid=message-row][aria-selected=true]').textContent())
      .toContain('Beleg Nr. 1')
    expect(await page.getByTestId('message-row').count()).toBeLessThan(40)
    // Up across a page boundary (100 rows a page): the selection is the row at its place, loaded on the way.
    for (let i = 0; i < 20; i++) await page.keyboard.press('PageUp')
    const selected = page.locator('[data-testid=message-row][aria-selected=true]')
    await expect.poll(() => selected.count()).toBe(1)
    const place = Number(await selected.getAttribute('aria-posinset'))
    expect(place).toBeLessThan(count - 100)
    expect(await selected.textContent()).toContain(`Beleg Nr. ${count + 1 - place}`)
    await page.keyboard.press('j')
    await expect.poll(() => selected.getAttribute('aria-posinset')).toBe(String(place + 1))
    expect(await selected.textContent()).toContain(`Beleg Nr. ${count - place}`)
    const tasks = await trace.stop()
    const { longest, frameGap } = await page.evaluate(() => {
      const g = globalThis as unknown as { __longest: number; __frameGap: number }
      return { longest: g.__longest, frameGap: g.__frameGap }
    })
    // The list asked main for windows of rows, never for the whole folder.
    const sizes = listAnswerSizes()
    expect(sizes.length).toBeGreaterThan(2)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500)
    console.log(
      `inbox scroll over ${count} rows: longest main-thread task ${Math.round(longest)} ms ` +
        `(0: none of 50 ms or more), longest frame gap ${Math.round(frameGap)} ms; ` +
        `longest task cpu ${tasks.longestCpuMs.toFixed(1)} ms (its wall ${tasks.wallOfLongestCpuMs.toFixed(1)} ms), ` +
        `longest task wall ${tasks.longestWallMs.toFixed(1)} ms (its cpu ${tasks.cpuOfLongestWallMs.toFixed(1)} ms); ` +
        `${sizes.length} list answers, largest list answer ${Math.max(...sizes)} rows`,
    )
    // The sync could not reach the server: it says so, and everything stored stays listed.
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-running')).toBe('false')
    expect(await page.locator('.sp-inbox-note-warning').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('sync-status').textContent()).toContain('gespeicherte Nachrichten bleiben lesbar')
    await mkdir(screensDir, { recursive: true })
    await page.screenshot({ path: join(screensDir, 'read-inbox-offline-de.png') })
  })

  it('offline, an unread message still opens; its "read" mark waits for the server, said in words', async () => {
    const page = harness.page
    await page.getByTestId('message-list').focus()
    await page.keyboard.press('Home')
    const newest = page.locator('[data-testid=message-row][aria-selected=true]')
    await expect.poll(() => newest.textContent()).toContain(`Beleg Nr. ${count}`)
    expect(await newest.getAttribute('data-unread')).toBe('true')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('subject').textContent(), { timeout: 20_000 }).toBe(`Beleg Nr. ${count}`)
    await expect
      .poll(() => page.getByTestId('inbox-note').textContent(), { timeout: 20_000 })
      .toContain('sobald die Verbindung wieder steht')
    const row = page.locator('[data-testid=message-row][aria-posinset="1"]')
    expect(await row.textContent()).toContain(`Beleg Nr. ${count}`)
    expect(await row.getAttribute('data-unread')).toBe('false')
    expect(await row.getAttribute('data-waiting')).toBe('seen')
    expect(await page.getByTestId('message-state').textContent()).toBe('gelesen · wartet auf den Server')
  })

  it('offline, a flag waits for the server too, and says so', async () => {
    const page = harness.page
    await page.getByTestId('toggle-flag').click()
    const newest = page.locator('[data-testid=message-row][aria-posinset="1"]')
    await expect.poll(() => newest.getAttribute('data-flagged'), { timeout: 20_000 }).toBe('true')
    expect(await newest.getAttribute('data-waiting')).toBe('seen flagged')
    expect(await page.locator('[data-code=MAILBOX_OFFLINE]').count()).toBe(0)
    expect(await page.getByTestId('message-state').textContent()).toBe('gelesen · markiert · wartet auf den Server')
  })

  it('the other order keeps the selected message selected and in view, 10,000 rows away', async () => {
    const page = harness.page
    const list = page.getByTestId('message-list')
    const chosen = await list.getAttribute('aria-activedescendant')
    expect(chosen).toMatch(/^sp-msg-/)
    await page.getByTestId('list-sort').selectOption('oldest')
    await expect
      .poll(() => page.locator('[data-testid=message-row][aria-selected=true]').getAttribute('aria-posinset'), {
        timeout: 20_000,
      })
      .toBe(String(count))
    expect(await list.getAttribute('aria-activedescendant')).toBe(chosen)
    const box = await page.locator(`#${chosen}`).boundingBox()
    const view = await list.boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(view!.y)
    expect(box!.y + box!.height).toBeLessThanOrEqual(view!.y + view!.height)
    // A search that does not find it leaves no selection; one that does finds it selected again.
    await page.getByTestId('inbox-search').fill('Beleg Nr. 1234')
    await expect.poll(() => list.getAttribute('data-count')).toBe('1')
    expect(await page.locator('[data-testid=message-row][aria-selected=true]').count()).toBe(0)
    await page.getByTestId('inbox-search').fill('')
    await page.getByTestId('list-sort').selectOption('newest')
    await expect.poll(() => list.getAttribute('data-count')).toBe(String(count))
    expect(await page.locator('[data-testid=message-row][aria-selected=true]').count()).toBe(0)
  })
})
