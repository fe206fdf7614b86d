import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { syncFolder } from '../../main/core/mailbox/sync.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { openImap } from '../../main/core/transport/imap-session.ts'
import { startMailStack } from '../helpers/mail-stack.ts'

/**
 * Mailbox benchmark: sync of N messages from the test Dovecot into the sealed store (messages/s) against a
 * bare imapflow FETCH of the same messages (the library's floor; goal ≤ 1.3×), and listing 10,000 rows
 * from the open store in-process (goal ≤ 100 ms). Needs root and the Debian mail packages.
 * Run: `node test/bench/mailbox.bench.ts [N]` (default 10000, or BENCH_MAILBOX_N).
 */
const n = Number(process.argv[2] ?? process.env.BENCH_MAILBOX_N ?? 10_000)
const listRows = 10_000
const stack = startMailStack()
const work = mkdtempSync(join(tmpdir(), 'sp-mailbox-bench-'))

function message(i: number): Buffer {
  const body = `Sehr geehrte Damen und Herren,\r\n\r\nanbei die Unterlagen Nr. ${i}.\r\n${'Mit freundlichen Grüßen, Ihre Kanzlei. '.repeat(20)}\r\n`
  return Buffer.from(
    `From: Kanzlei <advisor@kanzlei.test>\r\nTo: Mandant <client@mandant.test>\r\nSubject: Unterlagen ${i}\r\nDate: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}\r\nMessage-ID: <${i}@bench.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  )
}

try {
  const base = join(stack.root, 'maildirs', 'kanzlei.test', 'advisor')
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(base, sub), { recursive: true })
  for (let i = 0; i < n; i++) writeFileSync(join(base, 'cur', `${1_700_000_000 + i}.M${i}.bench:2,`), message(i))
  execFileSync('chown', ['-R', 'vmail:vmail', join(stack.root, 'maildirs')])
  const ca = readFileSync(stack.caPath)

  const bare = async (): Promise<number> => {
    const client = new ImapFlow({
      host: stack.host,
      port: 10993,
      secure: true,
      tls: { ca },
      auth: { user: 'advisor@kanzlei.test', pass: 'advisor-pw' },
      logger: false,
    })
    await client.connect()
    const lock = await client.getMailboxLock('INBOX', { readOnly: true })
    const started = performance.now()
    let count = 0
    for await (const m of client.fetch(
      '1:*',
      { uid: true, flags: true, internalDate: true, source: true },
      { uid: true },
    ))
      if (m.source) count++
    const ms = performance.now() - started
    lock.release()
    await client.logout()
    if (count !== n) throw new Error(`bare FETCH saw ${count} of ${n}`)
    return ms
  }
  await bare() // Dovecot builds its index and cache once; both measurements below see it warm.
  const bareMs = Math.min(await bare(), await bare())

  const account = {
    name: 'bench',
    email: 'advisor@kanzlei.test',
    user: 'advisor@kanzlei.test',
    smtp: { host: stack.host, port: 10465, security: 'tls' },
    imap: { host: stack.host, port: 10993, security: 'tls' },
    ca: ca.toString('utf8'),
    pin: null,
  } as unknown as Account
  const syncOnce = async (): Promise<number> => {
    const dir = mkdtempSync(join(work, 'profile-'))
    const store = new MailStore(dir, randomBytes(32))
    const session = await openImap(account, 'advisor-pw')
    const started = performance.now()
    const result = await syncFolder(session, store, account, 'INBOX', { now: () => new Date() })
    const ms = performance.now() - started
    await session.client.logout()
    store.close()
    rmSync(dir, { recursive: true, force: true })
    if (result.stored.length !== n) throw new Error(`sync stored ${result.stored.length} of ${n}`)
    return ms
  }
  const syncMs = Math.min(await syncOnce(), await syncOnce())

  // Listing: 10,000 rows in a store (filled locally: the list does not care where rows came from).
  const listDir = join(work, 'list')
  const key = randomBytes(32)
  const filled = new MailStore(listDir, key)
  filled.transaction(() => {
    for (let i = 0; i < listRows; i++) filled.add('bench', 'INBOX', '1', i + 1, message(i), new Date())
  })
  filled.close()
  const store = new MailStore(listDir, key)
  let started = performance.now()
  const rows = store.list({ account: 'bench', folder: 'INBOX' })
  const coldMs = performance.now() - started
  const warm: number[] = []
  for (let k = 0; k < 5; k++) {
    started = performance.now()
    store.list({ account: 'bench', folder: 'INBOX' })
    warm.push(performance.now() - started)
  }
  store.setFlags(rows[5000]!.id, ['\\Seen'])
  started = performance.now()
  store.list({ account: 'bench', folder: 'INBOX' })
  const afterWriteMs = performance.now() - started
  store.list({ search: 'unterlagen 99' })
  started = performance.now()
  const hits = store.list({ search: 'unterlagen 99' })
  const searchMs = performance.now() - started
  store.close()
  if (rows.length !== listRows) throw new Error(`list gave ${rows.length}`)

  const rate = (ms: number) => Math.round((n / ms) * 1000)
  console.log(`mailbox bench (N=${n}, Dovecot ${stack.host})`)
  console.log(`  bare imapflow FETCH   ${bareMs.toFixed(0).padStart(7)} ms  ${String(rate(bareMs)).padStart(7)} msgs/s`)
  console.log(
    `  Siegelpost sync       ${syncMs.toFixed(0).padStart(7)} ms  ${String(rate(syncMs)).padStart(7)} msgs/s  ratio ${(syncMs / bareMs).toFixed(2)}× (goal ≤ 1.3×)`,
  )
  console.log(`  list ${listRows} rows, first (decrypts every row)  ${coldMs.toFixed(0)} ms`)
  console.log(
    `  list ${listRows} rows, open store, unchanged (median of 5)  ${warm.sort((a, b) => a - b)[2]!.toFixed(1)} ms (goal ≤ 100 ms)`,
  )
  console.log(
    `  list ${listRows} rows, open store, after one flag change  ${afterWriteMs.toFixed(0)} ms (goal ≤ 100 ms)`,
  )
  console.log(`  search "${'unterlagen 99'}" over ${listRows} rows    ${searchMs.toFixed(0)} ms (${hits.length} hits)`)
} finally {
  stack.stop()
  rmSync(work, { recursive: true, force: true })
}
