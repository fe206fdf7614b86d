import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ImapFlow } from 'imapflow'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { syncFolder } from '../../main/core/mailbox/sync.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { openImap } from '../../main/core/transport/imap-session.ts'
import { hasMailStack, startMailStack, type MailStack } from '../helpers/mail-stack.ts'
import { dropListSnapshots, measured } from './list-open.ts'
import type { Outcome, Row } from './report-table.ts'

/**
 * The mailbox measurements, shared by `node test/bench/mailbox.bench.ts` (the detailed figures) and
 * `npm run bench` (rows of the report): sync of N messages from the test Dovecot into the sealed store against a
 * bare imapflow FETCH of the same messages (the library's floor), and listing 10,000 rows from the open store.
 * Both sides run in this process on a warm Dovecot (its index and cache built once before); the figure per side is
 * the faster of `runs` runs, with its CPU seconds (this process, user+sys; Dovecot's own work is not in them).
 */
export interface Timing {
  ms: number
  /** CPU of the whole process (every thread), user+sys. */
  cpuMs: number
  /** CPU of this (the main) thread alone; the rest is the store writer's thread. */
  mainCpuMs: number
  /** Peak RSS of this process so far (MiB). */
  rssMiB: number
}

export interface SyncFigures {
  n: number
  host: string
  bare: Timing
  sync: Timing
}

export interface ListFigures {
  rows: number
  /** The first list after opening the store (its sealed list snapshot, written when the store closed). */
  coldMs: number
  coldCpuMs: number
  /** The first list after opening a store without a current snapshot (opens every sealed row). */
  unsealedMs: number
  unsealedCpuMs: number
  /** The open store, nothing changed since the last list (median of 5). */
  warmMs: number
  /** The open store after one flag change. */
  afterWriteMs: number
  searchMs: number
  hits: number
}

export function benchMessage(i: number): Buffer {
  const body =
    `Sehr geehrte Damen und Herren,\r\n\r\nanbei die Unterlagen Nr. ${i}.\r\n` +
    `${'Mit freundlichen Grüßen, Ihre Kanzlei. '.repeat(20)}\r\n`
  return Buffer.from(
    'From: Kanzlei <advisor@kanzlei.test>\r\nTo: Mandant <client@mandant.test>\r\n' +
      `Subject: Unterlagen ${i}\r\nDate: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}\r\n` +
      `Message-ID: <${i}@bench.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  )
}

/** Writes N messages straight into advisor@kanzlei.test's Maildir INBOX (Dovecot indexes them on first SELECT). */
function fillInbox(stack: MailStack, n: number): void {
  const base = join(stack.root, 'maildirs', 'kanzlei.test', 'advisor')
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(base, sub), { recursive: true })
  for (let i = 0; i < n; i++) writeFileSync(join(base, 'cur', `${1_700_000_000 + i}.M${i}.bench:2,`), benchMessage(i))
  execFileSync('chown', ['-R', 'vmail:vmail', join(stack.root, 'maildirs')])
}

async function timed(run: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage()
  const thread = process.threadCpuUsage()
  const started = performance.now()
  await run()
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  const main = process.threadCpuUsage(thread)
  const rssMiB = process.resourceUsage().maxRSS / 1024
  return { ms, cpuMs: (used.user + used.system) / 1000, mainCpuMs: (main.user + main.system) / 1000, rssMiB }
}

// The built worker when there is one (as the CLI and the app start it: one bundle, no TypeScript to strip), else
// the source entry (its start then costs the stripping of every module it imports).
const builtWorker = new URL('../../out/main/mail-store-worker.js', import.meta.url)
const storeWorker = existsSync(builtWorker)
  ? builtWorker
  : new URL('../../main/workers/mail-store.worker.ts', import.meta.url)
const fastest = (a: Timing, b: Timing) => (a.ms <= b.ms ? a : b)

/**
 * Starts a mail stack, fills its INBOX with N messages and measures the bare FETCH and Siegelpost's sync.
 * With `profile` set, the sync runs are recorded by V8's CPU profiler into that .cpuprofile file.
 */
export async function measureSync(n: number, options: { runs?: number; profile?: string } = {}): Promise<SyncFigures> {
  const runs = Math.max(1, options.runs ?? 2)
  const stack = startMailStack()
  const work = mkdtempSync(join(tmpdir(), 'sp-mailbox-bench-'))
  try {
    fillInbox(stack, n)
    const ca = readFileSync(stack.caPath)
    const bare = async () => {
      const client = new ImapFlow({
        host: stack.host,
        port: stack.ports.imaps,
        secure: true,
        tls: { ca },
        auth: { user: 'advisor@kanzlei.test', pass: 'advisor-pw' },
        logger: false,
      })
      await client.connect()
      const lock = await client.getMailboxLock('INBOX', { readOnly: true })
      let count = 0
      const timing = await timed(async () => {
        const query = { uid: true, flags: true, internalDate: true, source: true }
        for await (const m of client.fetch('1:*', query, { uid: true })) if (m.source) count++
      })
      lock.release()
      await client.logout()
      if (count !== n) throw new Error(`bare FETCH saw ${count} of ${n}`)
      return timing
    }
    await bare() // Dovecot builds its index and cache once; every measurement below sees it warm.
    let bareBest = await bare()
    for (let i = 1; i < runs; i++) bareBest = fastest(bareBest, await bare())

    const account = {
      name: 'bench',
      email: 'advisor@kanzlei.test',
      user: 'advisor@kanzlei.test',
      smtp: { host: stack.host, port: stack.ports.submissions, security: 'tls' },
      imap: { host: stack.host, port: stack.ports.imaps, security: 'tls' },
      ca: ca.toString('utf8'),
      pin: null,
    } as unknown as Account
    const profiler = options.profile ? new Session() : null
    if (profiler) {
      profiler.connect()
      await profiler.post('Profiler.enable')
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 })
    }
    const syncOnce = async () => {
      const dir = mkdtempSync(join(work, 'profile-'))
      const store = new MailStore(dir, randomBytes(32))
      const session = await openImap(account, 'advisor-pw')
      let storedCount = 0
      if (profiler) await profiler.post('Profiler.start')
      const timing = await timed(async () => {
        const result = await syncFolder(session, store, account, 'INBOX', {
          now: () => new Date(),
          startStoreWriter: () => new Worker(storeWorker),
        })
        storedCount = result.stored.length
      })
      await session.client.logout()
      store.close()
      rmSync(dir, { recursive: true, force: true })
      if (storedCount !== n) throw new Error(`sync stored ${storedCount} of ${n}`)
      return timing
    }
    let syncBest = await syncOnce()
    for (let i = 1; i < runs; i++) syncBest = fastest(syncBest, await syncOnce())
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync(options.profile!, JSON.stringify(profile))
      profiler.disconnect()
    }
    return { n, host: stack.host, bare: bareBest, sync: syncBest }
  } finally {
    stack.stop()
    rmSync(work, { recursive: true, force: true })
  }
}

/** Lists `rows` rows from a store filled locally (the list does not care where rows came from). */
export function measureList(rows: number): ListFigures {
  const work = mkdtempSync(join(tmpdir(), 'sp-mailbox-list-'))
  try {
    const key = randomBytes(32)
    const filled = new MailStore(work, key)
    filled.transaction(() => {
      for (let i = 0; i < rows; i++) filled.add('bench', 'INBOX', '1', i + 1, benchMessage(i), new Date())
    })
    filled.close()
    let listed: ReturnType<MailStore['list']> = []
    const first = () => {
      const opened = new MailStore(work, key)
      const figure = measured(() => (listed = opened.list({ account: 'bench', folder: 'INBOX' })))
      return { opened, figure }
    }
    const { opened: snapshotted, figure: cold } = first()
    snapshotted.close()
    if (listed.length !== rows) throw new Error(`list gave ${listed.length} of ${rows}`)
    dropListSnapshots(work)
    const unsealed = first()
    const store = unsealed.opened
    let started = performance.now()
    const warm: number[] = []
    for (let k = 0; k < 5; k++) {
      started = performance.now()
      store.list({ account: 'bench', folder: 'INBOX' })
      warm.push(performance.now() - started)
    }
    store.setFlags(listed[Math.floor(rows / 2)]!.id, ['\\Seen'])
    started = performance.now()
    store.list({ account: 'bench', folder: 'INBOX' })
    const afterWriteMs = performance.now() - started
    store.list({ search: 'unterlagen 99' })
    started = performance.now()
    const hits = store.list({ search: 'unterlagen 99' }).length
    const searchMs = performance.now() - started
    store.close()
    if (listed.length !== rows) throw new Error(`list gave ${listed.length} of ${rows}`)
    return {
      rows,
      coldMs: cold.ms,
      coldCpuMs: cold.cpuMs,
      unsealedMs: unsealed.figure.ms,
      unsealedCpuMs: unsealed.figure.cpuMs,
      warmMs: warm.sort((a, b) => a - b)[2]!,
      afterWriteMs,
      searchMs,
      hits,
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const seconds = (t: Timing): Outcome => ({ seconds: t.ms / 1000, cpu: t.cpuMs / 1000, rssMiB: t.rssMiB })
const ms = (value: number) => ({ fixed: `${value.toFixed(1)} ms` })

/**
 * The report rows of the mailbox goals: sync of N messages beside the bare FETCH (wall, this process's CPU, the bench
 * process's peak RSS) and the in-process listing of 10,000 rows. `mail list` through the
 * whole CLI is a row of its own (`mailListCliRow`).
 */
export async function mailboxSyncRows(n: number): Promise<Row[]> {
  const what = `sync ${n.toLocaleString('en')} messages from Dovecot into the sealed store`
  const list = measureList(10_000)
  const listRow = (label: string, value: number, target = '≤ 100 ms', cpuMs?: number): Row => ({
    goal: 'mail',
    what: `sync: list 10,000 ${label}, in-process`,
    figure: cpuMs === undefined ? ms(value) : { fixed: `${value.toFixed(1)} ms (cpu ${cpuMs.toFixed(1)} ms)` },
    peerName: '',
    peer: { na: '' },
    target,
  })
  const rows = [
    listRow('from the open store', list.warmMs),
    listRow('from the open store after one flag change', list.afterWriteMs),
    listRow('right after opening the store', list.coldMs, '≤ 100 ms', list.coldCpuMs),
    listRow(
      'right after opening, no current snapshot (every row unsealed)',
      list.unsealedMs,
      'reported',
      list.unsealedCpuMs,
    ),
  ]
  if (!hasMailStack) {
    const na = { na: 'no mail stack (root + postfix, dovecot)' }
    return [{ goal: 'mail', what, figure: na, peerName: 'bare imapflow FETCH', peer: na, target: '≤ 1.3×' }, ...rows]
  }
  const sync = await measureSync(n)
  return [
    {
      goal: 'mail',
      what: `${what} (${Math.round((n / sync.sync.ms) * 1000)} msgs/s, ${(sync.sync.ms / sync.bare.ms).toFixed(2)}×)`,
      figure: seconds(sync.sync),
      peerName: 'bare imapflow FETCH',
      peer: seconds(sync.bare),
      target: '≤ 1.3×',
    },
    ...rows,
  ]
}

/**
 * `siegelpost mail list --json` of a folder of 10,000 messages through the whole CLI (process start, vault, store
 * open, the folder's sealed list snapshot, JSON out), the figure the in-process listing leaves out. The profile is
 * filled by app-startup.ts (its vault: the keychain under with-keyring.sh, else its passphrase).
 */
export function mailListCliRow(options: {
  dir: string
  cli: string
  keychain: boolean
  env: NodeJS.ProcessEnv
  timed: (command: string[]) => Outcome
}): Row {
  const rows = 10_000
  const profile = join(options.dir, 'mail-list-profile')
  const row = (figure: Outcome): Row => ({
    goal: 'mail',
    what: `sync: the whole CLI \`mail list --json\`, ${rows.toLocaleString('en')} messages`,
    figure,
    peerName: '',
    peer: { na: '' },
    target: 'reported',
  })
  mkdirSync(profile, { recursive: true })
  const startup = fileURLToPath(new URL('./app-startup.ts', import.meta.url))
  const fill = spawnSync(process.execPath, [startup, 'fill', profile, String(rows)], {
    env: options.env,
    encoding: 'utf8',
  })
  if (fill.status !== 0) return row({ na: `filling the store failed: ${fill.stderr.trim().split('\n')[0]}` })
  const passphrase = join(options.dir, 'mail-list-vault-pass')
  writeFileSync(passphrase, 'bench-startup-tresor\n')
  const vaultArgs = options.keychain ? [] : ['--vault-passphrase-file', passphrase]
  const command = [process.execPath, options.cli, 'mail', 'list', '--json', '--account', 'bench', '--folder', 'INBOX']
  command.push('--profile', profile, ...vaultArgs)
  const check = spawnSync(command[0]!, command.slice(1), { env: options.env, encoding: 'utf8', maxBuffer: 1 << 28 })
  if (check.status !== 0) return row({ na: check.stderr.trim().split('\n')[0] ?? 'failed' })
  const listed = (JSON.parse(check.stdout) as unknown[]).length
  if (listed !== rows) return row({ na: `listed ${listed} of ${rows}` })
  return row(options.timed(command))
}
