import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { keychainService } from '../../main/core/keys/secret-store.ts'
import { openVault } from '../../main/core/keys/vault.ts'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { e2eAppInfo, e2eKeySource, openApp, startHarness, type Harness } from '../e2e/harness.ts'
import { hasMailStack, startMailStack, stackAccountArgs, type MailStack } from '../helpers/mail-stack.ts'
import { runCli } from '../helpers/run-cli.ts'
import type { Outcome, Row } from './report-table.ts'

/**
 * The window's longest main-thread task (Chromium's long tasks, PerformanceObserver) while it works: while a
 * large encrypted mail opens in the read view, while the composer sends one through the test stack's Postfix,
 * and the time from navigation to the first folder's rows on screen. The real handler registry, vault
 * (OS keychain: run under test/helpers/with-keyring.sh) and worker threads are behind the window
 * (test/e2e/harness.ts). Used by test/e2e/window-tasks.e2e.test.ts and `npm run bench`; a measurement, never
 * asserted as a timing.
 */

/** Long tasks of one phase: the longest (ms), how many, and the phase's wall time. */
export interface TaskFigures {
  longestMs: number
  count: number
  /** The three longest, for a quick look at the shape. */
  top: number[]
  seconds: number
}

export interface OpenFigures extends TaskFigures {
  attachmentMiB: number
  messageBytes: number
  /** The security bar's state once opened (the mail really opened). */
  state: string | null
}

export interface SendFigures extends TaskFigures {
  attachmentMiB: number
  /** The send result's text (sent or held). */
  result: string
}

export interface StartFigures {
  rows: number
  /** From navigation start to the first folder's rows in the list (ms, the page's own clock). */
  firstFolderMs: number
  /** The longest task on the way there. */
  longestMs: number
}

/** Records every long task from the page's start, with its start time, for `tasksSince`. */
const observeLongTasks = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
})()`

type Win = { __longTasks: [number, number][]; performance: { now(): number } }
const now = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).performance.now())

/**
 * With WINDOW_PROFILE=1, the renderer's CPU profile of a phase (Chrome DevTools protocol), summed by
 * function self time: printed, to see what a long task is made of.
 */
async function profiled<T>(page: Page, what: string, phase: () => Promise<T>): Promise<T> {
  if (process.env.WINDOW_PROFILE !== '1') return phase()
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
  await cdp.send('Profiler.start')
  const browser = page.context().browser()!
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'v8', 'blink'] })
  const result = await phase()
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as {
    traceEvents: { name: string; ph: string; dur?: number; tid: number; args?: { name?: string } }[]
  }
  const main = trace.traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')?.tid
  const byName = new Map<string, number>()
  for (const event of trace.traceEvents)
    if (event.ph === 'X' && event.tid === main && event.dur)
      byName.set(event.name, (byName.get(event.name) ?? 0) + event.dur / 1000)
  const events = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12)
  console.log(
    `trace of ${what}:\n${events.map(([name, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${name}`).join('\n')}`,
  )
  const { profile } = await cdp.send('Profiler.stop')
  const self = new Map<string, number>()
  const gaps = profile.timeDeltas ?? []
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  ;(profile.samples ?? []).forEach((id, i) => {
    const frame = byId.get(id)!.callFrame
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber}`
    self.set(name, (self.get(name) ?? 0) + (gaps[i] ?? 0) / 1000)
  })
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)
  console.log(
    `profile of ${what}:\n${top.map(([name, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${name}`).join('\n')}`,
  )
  await cdp.detach()
  return result
}

async function tasksSince(page: Page, since: number, seconds: number): Promise<TaskFigures> {
  const durations = await page.evaluate(
    (from) =>
      (globalThis as unknown as Win).__longTasks.filter(([start]) => start >= from).map(([, duration]) => duration),
    since,
  )
  durations.sort((a, b) => b - a)
  return {
    longestMs: Math.round(durations[0] ?? 0),
    count: durations.length,
    top: durations.slice(0, 3).map(Math.round),
    seconds,
  }
}

/** Waits until the read view shows the mail with `subject`; an error notice instead ends the wait at once. */
async function opened(page: Page, subject: string) {
  const view = page.getByTestId('subject').filter({ hasText: subject })
  const failed = page.locator('.sp-reader .notice-error')
  await Promise.race([view.waitFor({ timeout: 600_000 }), failed.waitFor({ timeout: 600_000 })])
  if (await failed.isVisible()) throw new Error(`opening "${subject}" failed: ${await failed.textContent()}`)
}

const cliOk = (args: string[], profile: string) => {
  const run = runCli([...args, '--profile', profile])
  if (run.status !== 0) throw new Error(`siegelpost ${args.join(' ')} failed (${run.status}): ${run.stderr}`)
  return run
}

/** A loopback port nothing listens on: a sync is refused at once (offline). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Navigation to the Posteingang of an offline account with `rows` stored mails, until its rows show. */
export async function measureStart(rows: number): Promise<StartFigures> {
  const work = await mkdtemp(join(tmpdir(), 'sp-window-start-'))
  const profile = join(work, 'profile')
  let harness: Harness | undefined
  try {
    const vault = await openVault({ profileDir: profile, keySource: await e2eKeySource() })
    const store = new MailStore(profile, vault.deriveKey('messages'))
    store.transaction(() => {
      for (let i = 1; i <= rows; i++) {
        const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()
        const raw = `From: Kanzlei <k@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: Beleg ${i}\r\nDate: ${date}\r\n\r\nText\r\n`
        store.add('kanzlei', 'INBOX', '1', i, Buffer.from(raw), new Date())
      }
    })
    store.close()
    await writeFile(join(work, 'pw'), 'pw\n')
    const port = `127.0.0.1:${await closedPort()}`
    const account = ['accounts', 'add', 'kanzlei', '--email', 'a@kanzlei.test', '--user', 'a@kanzlei.test']
    cliOk(
      [...account, '--password-file', join(work, 'pw'), '--smtp', port, '--imap', port].concat([
        '--smtp-security',
        'tls',
        '--imap-security',
        'tls',
      ]),
      profile,
    )
    harness = await startHarness({ profileDir: profile, keySource: e2eKeySource, appInfo: e2eAppInfo })
    await harness.context.addInitScript({ content: observeLongTasks })
    const page = harness.page
    const firstFolderMs = await profiled(page, 'the start', async () => {
      await openApp(harness!, 'de', { skipSetup: true })
      return page
        .waitForFunction(
          (count) => {
            const list = (
              globalThis as unknown as { document: { querySelector(s: string): Element | null } }
            ).document.querySelector('[data-testid=message-list]')
            return list?.getAttribute('data-count') === String(count) && list.querySelector('[data-testid=message-row]')
              ? (globalThis as unknown as Win).performance.now()
              : false
          },
          rows,
          { polling: 'raf', timeout: 120_000 },
        )
        .then((handle) => handle.jsonValue() as Promise<number>)
    })
    const tasks = await tasksSince(page, 0, firstFolderMs / 1000)
    return { rows, firstFolderMs: Math.round(firstFolderMs), longestMs: tasks.longestMs }
  } finally {
    await harness?.close()
    await createOsKeychain()
      .delete(keychainService, `mail:${profile}:kanzlei`)
      .catch(() => false)
    await rm(work, { recursive: true, force: true })
  }
}

interface Element {
  getAttribute(name: string): string | null
  querySelector(s: string): Element | null
}

/**
 * Opens an OpenPGP mail (signed and encrypted by Siegelpost's compose) with an attachment of each size in
 * `openMiB` through the read view, and sends one of each size in `sendMiB` from the composer to the
 * sender's own address through the test stack (skipped without it). One profile and window for all.
 */
export async function measureMessages(
  openMiB: number[],
  sendMiB: number[],
  more: { textMiB?: number; dropMiB?: number } = {},
): Promise<{
  open: OpenFigures[]
  text: OpenFigures | null
  drop: { path: TaskFigures; bytes: TaskFigures } | null
  send: SendFigures[] | string
}> {
  const work = await mkdtemp(join(tmpdir(), 'sp-window-tasks-'))
  const profile = join(work, 'profile')
  const sends = sendMiB.length > 0 && hasMailStack
  let stack: MailStack | undefined
  let harness: Harness | undefined
  const queue: string[] = []
  const attach: string[] = []
  try {
    await openVault({ profileDir: profile, keySource: await e2eKeySource() })
    cliOk(['keys', 'generate', '--name', 'Alice Beraterin', '--email', 'alice@example.org'], profile)
    if (sends) {
      // A copy is the attachment base64-encoded twice (inside and around the encryption) plus headroom.
      stack = startMailStack({ messageSizeLimit: Math.ceil(Math.max(...sendMiB) * 2 + 16) * 1024 * 1024 })
      await writeFile(join(work, 'alice-pw'), 'alice-pw\n')
      cliOk(stackAccountArgs(stack, 'kanzlei', 'alice@example.org', join(work, 'alice-pw')), profile)
    }
    harness = await startHarness({
      profileDir: profile,
      keySource: e2eKeySource,
      appInfo: e2eAppInfo,
      mailShell: { chooseMessageFile: async () => queue.shift() ?? null, openPath: async () => undefined },
      chooseOpenPaths: async () => attach.splice(0),
    })
    await harness.context.addInitScript({ content: observeLongTasks })
    // Stands in for the preload's path of a dropped file (Electron's webUtils.getPathForFile).
    await harness.context.addInitScript(
      ({ name, path }) =>
        Object.defineProperty(globalThis, 'siegelpostFiles', {
          value: { pathFor: (file: { name: string }) => (file.name === name ? path : '') },
        }),
      { name: droppedWithPath, path: join(work, droppedWithPath) },
    )
    await openApp(harness, 'de', { skipSetup: true })
    const page = harness.page
    await page.getByTestId('open-eml').waitFor()

    const open: OpenFigures[] = []
    for (const mib of openMiB) {
      const file = join(work, `anlage-${mib}.pdf`)
      await writeFile(file, randomBytes(mib * 1024 * 1024))
      const mail = join(work, `gross-${mib}.eml`)
      const compose = ['compose', '--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'openpgp']
      cliOk([...compose, '--sign', '--subject', `Anlage ${mib} MiB`, '--attach', file, '--out', mail], profile)
      await rm(file)
      queue.push(mail)
      // Idle first: nothing of the page's start or the previous phase counts.
      await page.waitForTimeout(500)
      const since = await now(page)
      const started = performance.now()
      await page.getByTestId('open-eml').click()
      await opened(page, `Anlage ${mib} MiB`)
      // The opened view's first frames belong to the opening.
      await page.waitForTimeout(300)
      const seconds = (performance.now() - started) / 1000
      open.push({
        attachmentMiB: mib,
        messageBytes: (await stat(mail)).size,
        state: await page.getByTestId('security-bar').getAttribute('data-state'),
        ...(await tasksSince(page, since, seconds)),
      })
      await page.getByRole('button', { name: 'Nachricht schließen' }).click()
      await rm(mail)
    }

    const text = more.textMiB ? await openText(page, work, profile, queue, more.textMiB) : null
    const drop = more.dropMiB
      ? {
          path: await dropEml(page, work, more.dropMiB, 'path'),
          bytes: await dropEml(page, work, more.dropMiB, 'bytes'),
        }
      : null
    if (!sends) return { open, text, drop, send: hasMailStack ? 'not asked' : 'needs root, postfix and dovecot' }
    const send: SendFigures[] = []
    for (const mib of sendMiB) {
      const file = join(work, `Jahresabschluss-${mib}.pdf`)
      await writeFile(file, randomBytes(mib * 1024 * 1024))
      await page.click('[data-section=compose]')
      await page.locator('#compose-to').fill('alice@example.org')
      await page.locator('#compose-to').press('Enter')
      await page.locator('#compose-subject').fill(`Jahresabschluss ${mib} MiB`)
      await page.locator('#compose-body').fill('Guten Tag,\nanbei der Jahresabschluss.\n')
      attach.push(file)
      await page.getByRole('button', { name: 'Datei anhängen …' }).click()
      await page.locator('.composer [data-testid=attachment]').first().waitFor({ timeout: 600_000 })
      await page.locator('[data-testid=send]:not([disabled])').waitFor({ timeout: 60_000 })
      await page.waitForTimeout(500)
      const since = await now(page)
      const started = performance.now()
      const confirm = page.getByTestId('confirm-send')
      const result = page.getByTestId('send-result')
      await profiled(page, `sending ${mib} MiB`, async () => {
        await page.getByTestId('send').click()
        await Promise.race([confirm.waitFor({ timeout: 600_000 }), result.waitFor({ timeout: 600_000 })])
        if (await confirm.isVisible()) await confirm.click()
        await result.waitFor({ timeout: 600_000 })
        await page.waitForTimeout(300)
      })
      const seconds = (performance.now() - started) / 1000
      send.push({
        attachmentMiB: mib,
        result: ((await result.textContent()) ?? '').slice(0, 80),
        ...(await tasksSince(page, since, seconds)),
      })
      await rm(file)
      await page.click('[data-section=inbox]')
    }
    return { open, text, drop, send }
  } finally {
    await harness?.close()
    stack?.stop()
    await createOsKeychain()
      .delete(keychainService, `mail:${profile}:kanzlei`)
      .catch(() => false)
    await rm(work, { recursive: true, force: true })
  }
}

/** An encrypted mail whose text part is `mib` MiB of lines (the reader shows up to limits.readingTextMaxChars). */
async function openText(page: Page, work: string, profile: string, queue: string[], mib: number) {
  const line = 'Sehr geehrte Damen und Herren, anbei die Aufstellung der Belege für das Jahr 2025.\n'
  const body = join(work, 'text.txt')
  await writeFile(body, line.repeat(Math.ceil((mib * 1024 * 1024) / line.length)))
  const mail = join(work, 'text.eml')
  const compose = ['compose', '--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'openpgp']
  cliOk([...compose, '--sign', '--subject', `Text ${mib} MiB`, '--body-file', body, '--out', mail], profile)
  queue.push(mail)
  await page.waitForTimeout(500)
  const since = await now(page)
  const started = performance.now()
  await profiled(page, 'opening a long text', async () => {
    await page.getByTestId('open-eml').click()
    await opened(page, `Text ${mib} MiB`)
    await page.waitForTimeout(300)
  })
  // Scrolled to the end once: the text's lines are laid out when they come into view.
  await page.getByTestId('read-pane').evaluate((pane) => (pane.scrollTop = 1e9))
  await page.waitForTimeout(300)
  const seconds = (performance.now() - started) / 1000
  const figures: OpenFigures = {
    attachmentMiB: 0,
    messageBytes: (await stat(mail)).size,
    state: await page.getByTestId('security-bar').getAttribute('data-state'),
    ...(await tasksSince(page, since, seconds)),
  }
  await page.getByRole('button', { name: 'Nachricht schließen' }).click()
  return figures
}

/** A plain .eml of about `mib` MiB (a base64 attachment) with `subject`: its head, its line and how often. */
function plainEml(subject: string, mib: number) {
  const head =
    `From: Kanzlei <k@kanzlei.test>\r\nTo: m@mandant.test\r\nSubject: ${subject}\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' +
    'Content-Type: text/plain\r\n\r\nAnbei.\r\n--b\r\nContent-Type: application/pdf; name="a.pdf"\r\n' +
    'Content-Disposition: attachment; filename="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  const line = 'JVBERi0xLjcKJeLjz9MKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRv\r\n'
  return { head, line, lines: Math.ceil((mib * 1024 * 1024) / line.length), tail: '--b--\r\n' }
}

/** The file the window's stand-in for Electron's webUtils knows a path for. */
export const droppedWithPath = 'abgelegt.eml'

/**
 * An .eml of `mib` MiB dropped onto the window: `path` as the app gets it in Electron (the window names
 * the file's path, main reads it), or `bytes` (a file without a path: the window reads and sends it).
 */
async function dropEml(page: Page, work: string, mib: number, how: 'path' | 'bytes'): Promise<TaskFigures> {
  const subject = how === 'path' ? 'Abgelegt mit Pfad' : 'Abgelegt als Bytes'
  const eml = plainEml(subject, mib)
  if (how === 'path') await writeFile(join(work, droppedWithPath), eml.head + eml.line.repeat(eml.lines) + eml.tail)
  // The bytes are made in the page, before the measurement (passing megabytes in would take long).
  const transfer = await page.evaluateHandle(
    ({ head, line, lines, tail, name }) => {
      const g = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: string[], name: string) => unknown
      }
      const transfer = new g.DataTransfer()
      transfer.items.add(new g.File([head, ...Array.from({ length: lines }, () => line), tail], name))
      return transfer
    },
    { ...eml, lines: how === 'path' ? 0 : eml.lines, name: how === 'path' ? droppedWithPath : 'ohne-pfad.eml' },
  )
  await page.waitForTimeout(500)
  const since = await now(page)
  const started = performance.now()
  await profiled(page, `a dropped .eml (${how})`, async () => {
    for (const type of ['dragenter', 'dragover', 'drop'])
      await page.dispatchEvent('[data-testid=read-pane]', type, { dataTransfer: transfer })
    await opened(page, subject)
  })
  await page.waitForTimeout(300)
  const figures = await tasksSince(page, since, (performance.now() - started) / 1000)
  await page.getByRole('button', { name: 'Nachricht schließen' }).click()
  return figures
}

/** One line per figure, for the e2e test's output. */
export const describeTasks = (what: string, figures: TaskFigures) =>
  `${what}: longest main-thread task ${figures.longestMs} ms (${figures.count} long tasks; top ${figures.top.join(', ')} ms)` +
  ` over ${figures.seconds.toFixed(1)} s`

/**
 * The bench rows (goal 6 of the performance issue, and the window's part of goal 7): the longest task while a
 * 25 MB and a `mb` MB mail open, while a `mb` MB mail is sent, and the first folder rendered after a start.
 * A row whose measurement failed says why ("n/a").
 */
export async function windowRows(mb: number, startupRows: number): Promise<Row[]> {
  const row = (goal: string, what: string, figure: Outcome, target: string): Row => ({
    goal,
    what,
    figure,
    peerName: '',
    peer: { na: '' },
    target,
  })
  const failed = (error: unknown): Outcome => ({ na: String((error as Error).message ?? error).slice(0, 90) })
  const tasks = (figures: TaskFigures): Outcome => ({
    fixed: `${figures.longestMs} ms (${figures.count} long tasks in ${figures.seconds.toFixed(1)} s)`,
  })
  const rows: Row[] = []
  const openSizes = [...new Set([25, mb])]
  try {
    const measured = await measureMessages(openSizes, [mb])
    for (const figures of measured.open)
      rows.push(
        row(
          '6',
          `window: longest task while opening ${figures.attachmentMiB} MiB (encrypted, ${(figures.messageBytes / 1e6).toFixed(0)} MB mail)`,
          figures.state === 'encrypted-verified' ? tasks(figures) : { na: `opened as ${figures.state}` },
          '≤ 50 ms',
        ),
      )
    const send = typeof measured.send === 'string' ? null : measured.send[0]
    rows.push(
      row(
        '6',
        `window: longest task while sending ${mb} MiB`,
        send ? tasks(send) : { na: String(measured.send) },
        '≤ 50 ms',
      ),
    )
  } catch (error) {
    rows.push(row('6', `window: longest task while opening / sending ${mb} MiB`, failed(error), '≤ 50 ms'))
  }
  try {
    const start = await measureStart(startupRows)
    rows.push(
      row(
        '7',
        `app start: window shown, first folder rendered (${start.rows} mails)`,
        { fixed: `${start.firstFolderMs} ms from navigation; longest task ${start.longestMs} ms` },
        'reported',
      ),
    )
  } catch (error) {
    rows.push(row('7', 'app start: window shown, first folder rendered', failed(error), 'reported'))
  }
  return rows
}
