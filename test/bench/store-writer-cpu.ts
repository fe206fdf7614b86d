import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { WorkerLike } from '../../main/core/message/technology.ts'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { openStoreWriter, serveStoreWriter, type WriterPort } from '../../main/core/mailbox/store-writer.ts'
import { benchMessage } from './mailbox-rows.ts'

/**
 * The store-writer thread's share of a sync, without IMAP and without a thread: N messages (the sync bench's) are
 * handed over by `openStoreWriter` as in a sync (the main thread's part, envelopes read) into a recording stand-in for
 * the worker; then `serveStoreWriter` writes the recorded chunks on this thread, CPU measured (its batches, seals,
 * SQLite, the closing snapshot and checkpoint — what the worker does apart from starting).
 * With `--thread` the chunks go to a real worker thread (started and loaded before the clock starts): CPU of the
 * process then, this thread only posting. Run: `node test/bench/store-writer-cpu.ts [N] [--thread]` (default 10000).
 */
const n = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 10_000)
// The built entry when there is one (as the CLI and the app start it), else the source entry.
const builtWorker = new URL('../../out/main/mail-store-worker.js', import.meta.url)
const storeWorker = existsSync(builtWorker)
  ? builtWorker
  : new URL('../../main/workers/mail-store.worker.ts', import.meta.url)
const dir = mkdtempSync(join(tmpdir(), 'sp-writer-cpu-'))
try {
  const main = new MailStore(dir, randomBytes(32))
  const sent: unknown[] = []
  const recorder = {
    postMessage: (message: unknown) => sent.push(message),
    on: () => recorder,
    off: () => recorder,
    terminate: async () => 0,
  } as unknown as WorkerLike
  const handing = process.cpuUsage()
  const writer = openStoreWriter(
    recorder,
    main,
    { account: 'bench', folder: 'INBOX', uidValidity: '1' },
    () => new Date(),
  )
  for (let i = 0; i < n; i++) void writer.add(i + 1, benchMessage(i), [], null)
  void writer.finish().catch(() => undefined)
  const handed = process.cpuUsage(handing)

  const inThread = process.argv.includes('--thread')
  let stored = 0
  let cpu = process.cpuUsage()
  let started = performance.now()
  if (inThread) {
    // A real worker thread, started and loaded before the clock starts (its start is not the writer's work).
    const worker = new Worker(storeWorker)
    await new Promise((resolve) => worker.once('online', resolve))
    await new Promise((resolve) => setTimeout(resolve, 500))
    cpu = process.cpuUsage()
    started = performance.now()
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { type: string; messages?: unknown[]; message?: string }) => {
        if (message.type === 'error') reject(new Error(message.message))
        stored += message.messages?.length ?? 0
        if (message.type === 'done') resolve()
      })
      for (const message of sent) {
        const bytes = (message as { bytes?: Uint8Array }).bytes
        worker.postMessage(message, bytes ? [bytes.buffer as ArrayBuffer] : [])
      }
    })
    await worker.terminate()
  } else {
    let listener: ((message: never) => void) | null = null
    const port = {
      on: (_event: string, fn: (message: never) => void) => (listener = fn),
      postMessage: (message: { type: string; messages?: unknown[]; message?: string }) => {
        if (message.type === 'error') throw new Error(message.message)
        stored += message.messages?.length ?? 0
      },
    } as unknown as WriterPort
    serveStoreWriter(port)
    for (const message of sent) listener!(message as never)
  }
  const used = process.cpuUsage(cpu)
  const ms = performance.now() - started
  main.close()
  if (stored !== n) throw new Error(`stored ${stored} of ${n}`)
  const total = used.user + used.system
  const handedMs = (handed.user + handed.system) / 1000
  console.log(
    `store writer, ${n} messages: wall ${ms.toFixed(0)} ms, cpu ${(total / 1000).toFixed(0)} ms ` +
      `(${(total / n).toFixed(1)} µs/message); handing over (main thread) cpu ${handedMs.toFixed(0)} ms`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
