import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { dropListSnapshots, measured as measure } from './list-open.ts'
import type { Row } from './report-table.ts'

/**
 * The message list's rows of `npm run bench`: listing 10,000 messages from the open store in-process (the
 * window the list asks for, from the sorted rows kept in memory; the first listing after the store opened, from
 * the folder's sealed list snapshot, and the same without a current snapshot, which unseals every row once), and the window's longest main-thread task while 10,000 rows scroll
 * (the e2e test `test/e2e/inbox-scroll.e2e.test.ts` in Chromium measures it with PerformanceObserver).
 * Run alone: `node test/bench/window-list.ts`.
 */
const count = 10_000

function message(i: number): Buffer {
  const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()
  return Buffer.from(
    `From: Kanzlei ${i % 37} <k${i % 37}@kanzlei.test>\r\nTo: Mandant <client@mandant.test>\r\n` +
      `Subject: Unterlagen ${i}\r\nDate: ${date}\r\nMessage-ID: <${i}@bench.test>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\nSehr geehrte Damen und Herren, anbei die Unterlagen ${i}.\r\n`,
  )
}

const median = (values: { ms: number; cpuMs: number }[]) => {
  const sorted = [...values].sort((a, b) => a.ms - b.ms)
  return sorted[Math.floor(sorted.length / 2)]!
}
const text = (m: { ms: number; cpuMs: number }) => `${m.ms.toFixed(1)} ms (cpu ${m.cpuMs.toFixed(1)} ms)`

export interface ListFigures {
  first: { ms: number; cpuMs: number }
  unsealed: { ms: number; cpuMs: number }
  window: { ms: number; cpuMs: number }
  afterWrite: { ms: number; cpuMs: number }
  search: { ms: number; cpuMs: number }
}

/** 10,000 messages in a store, closed and opened again; then the list's questions, as the window asks them. */
export function measureStoreList(): ListFigures {
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-window-'))
  try {
    const key = randomBytes(32)
    const filled = new MailStore(dir, key)
    filled.transaction(() => {
      for (let i = 1; i <= count; i++) filled.add('bench', 'INBOX', '1', i, message(i), new Date())
    })
    filled.close()
    const query = { account: 'bench', folder: 'INBOX', offset: 0, limit: 100 }
    const snapshotted = new MailStore(dir, key)
    const first = measure(() => snapshotted.page(query))
    snapshotted.close()
    dropListSnapshots(dir)
    const store = new MailStore(dir, key)
    const unsealed = measure(() => store.page(query))
    const windows = [0, 2500, 5000, 7500, 9900].map((offset) => measure(() => store.page({ ...query, offset })))
    const top = store.page(query).rows[0]!
    const writes = [0, 1, 2].map((k) =>
      measure(() => {
        store.setFlags(top.id, k % 2 ? [] : ['\\Seen'])
        store.page(query)
      }),
    )
    store.page({ ...query, search: 'unterlagen 99' })
    const searches = [0, 1, 2].map((k) => measure(() => store.page({ ...query, search: `unterlagen 9${k}` })))
    store.close()
    return { first, unsealed, window: median(windows), afterWrite: median(writes), search: median(searches) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The figure the scroll e2e test prints; n/a when it could not run (no Chromium, no keyring, no build). */
export function measureWindowScroll(): { fixed: string } | { na: string } {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/e2e/inbox-scroll.e2e.test.ts'],
    { cwd: root, encoding: 'utf8', env: process.env, maxBuffer: 1 << 26, timeout: 600_000 },
  )
  const found = /longest main-thread task (\d+) ms/.exec(run.stdout)
  if (!found) return { na: run.status === 0 ? 'skipped (no Chromium or keyring)' : 'the scroll test failed' }
  const sizes = /largest list answer (\d+) rows/.exec(run.stdout)
  const gap = /longest frame gap (\d+) ms/.exec(run.stdout)
  const cpu = /longest task cpu ([\d.]+) ms/.exec(run.stdout)
  // The long-task API reports tasks of 50 ms and more: 0 means none was that long.
  const task = found[1] === '0' ? 'none ≥ 50 ms' : `${found[1]} ms`
  const details = [
    gap ? `frame gap ${gap[1]} ms` : '',
    cpu ? `longest task cpu ${cpu[1]} ms` : '',
    sizes ? `answers ≤ ${sizes[1]} rows` : '',
  ]
  return { fixed: [task, ...details].filter(Boolean).join('; ') }
}

/** The rows for report.bench.ts. */
export function windowListRows(): Row[] {
  const list = measureStoreList()
  const row = (what: string, figure: Row['figure'], target: string): Row => ({
    goal: '6',
    what,
    figure,
    peerName: '',
    peer: { na: '' },
    target,
  })
  return [
    row(
      `list ${count.toLocaleString('en')} from the open store, in-process (window of 100)`,
      { fixed: text(list.window) },
      '≤ 100 ms',
    ),
    row(
      `list ${count.toLocaleString('en')}, open store, after one flag change`,
      { fixed: text(list.afterWrite) },
      '≤ 100 ms',
    ),
    row(`list ${count.toLocaleString('en')}, open store, search`, { fixed: text(list.search) }, '≤ 100 ms'),
    row(
      `list ${count.toLocaleString('en')} right after opening the store, in-process`,
      { fixed: text(list.first) },
      '≤ 100 ms',
    ),
    row(
      `list ${count.toLocaleString('en')}, first after opening without a current snapshot (unseals every row)`,
      { fixed: text(list.unsealed) },
      'reported',
    ),
    row(`window: longest task while ${count.toLocaleString('en')} rows scroll`, measureWindowScroll(), '≤ 50 ms'),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const list = measureStoreList()
  console.log(
    `first ${text(list.first)}; unsealed ${text(list.unsealed)}; window ${text(list.window)}; after a write ${text(list.afterWrite)}; search ${text(list.search)}`,
  )
  if (process.argv.includes('--scroll')) console.log(measureWindowScroll())
}
