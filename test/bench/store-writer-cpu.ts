import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { envelopeOf } from '../../main/core/mailbox/envelope.ts'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { benchMessage } from './mailbox-rows.ts'

/**
 * The store-writer thread's share of a sync without IMAP: N messages (the sync bench's) written as the worker writes
 * them (growing batches, envelopes read beforehand, the closing snapshot and checkpoint), on this thread, CPU measured.
 * Run: `node test/bench/store-writer-cpu.ts [N]` (default 10000).
 */
const n = Number(process.argv[2] ?? 10_000)
const messages = Array.from({ length: n }, (_, i) => benchMessage(i))
const envelopes = messages.map((raw) => envelopeOf(raw, null))
const dir = mkdtempSync(join(tmpdir(), 'sp-writer-cpu-'))
try {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const store = new MailStore(dir, randomBytes(32), { writer: true })
  const batch = store.batch()
  const fetched = new Date()
  let stored = 0
  const adds = performance.now()
  for (let i = 0; i < n; i++) {
    const raw = messages[i]!
    batch.run(() => {
      if (store.add('bench', 'INBOX', '1', i + 1, raw, fetched, { flags: [], envelope: envelopes[i]! })) stored++
    }, raw.length)
  }
  batch.commit()
  const closing = performance.now()
  store.close()
  const end = performance.now()
  const used = process.cpuUsage(cpu)
  if (stored !== n) throw new Error(`stored ${stored} of ${n}`)
  console.log(
    `store writer, ${n} messages: wall ${(end - started).toFixed(0)} ms (adds+commits ${(closing - adds).toFixed(0)} ms,` +
      ` close ${(end - closing).toFixed(0)} ms), cpu ${((used.user + used.system) / 1000).toFixed(0)} ms` +
      ` (${((used.user + used.system) / n).toFixed(1)} µs/message)`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
