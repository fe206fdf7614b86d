import { SiegelpostError, type ErrorCode, type ErrorParams } from '../errors/index.ts'
import { limits } from '../limits.ts'
import type { WorkerLike } from '../message/technology.ts'
import { envelopeOf, type EnvelopeFields } from './envelope.ts'
import { MailStore } from './mail-store.ts'

/**
 * Storing a sync's new messages on a second thread: the main thread reads the IMAP stream (imapflow's parsing is
 * the library's floor) while a worker thread opens its own connection to the same store file and does the rest —
 * sealing (AES-GCM per envelope row, a small message's raw bytes in the same seal), SQLite; the main thread reads each
 * envelope.
 * Messages go over in chunks; the worker writes them as the in-thread sync does (`MailStore.batch`: committed every
 * `mailSyncBatchMessages` messages — growing to `mailSyncWriterBatchMessages` — or `mailSyncBatchBytes` bytes, and
 * at the end), so an interrupted sync keeps what was committed. At most `mailSyncWriterQueueBytes` wait for the
 * worker: the FETCH waits when it is behind.
 */
export interface WriterTarget {
  account: string
  folder: string
  uidValidity: string
}

export interface StoredMessage {
  uid: number
  size: number
  id: string
}

/** A chunk's messages apart from their bytes (sent as JSON: cheaper to copy between threads than the objects). */
interface ChunkMeta {
  uids: number[]
  flags: string[][]
  /** Read on the main thread (envelope.ts): the worker has more to do per message than the thread reading the FETCH. */
  envelopes: EnvelopeFields[]
  lengths: number[]
}

interface Chunk {
  /** JSON of a ChunkMeta. */
  meta: string
  fetched: string
  /** The messages one after another, in a buffer of their own that is moved to the worker, not copied. */
  bytes: Uint8Array
}

type ToWorker =
  ({ type: 'init'; profileDir: string; key: Uint8Array } & WriterTarget) | ({ type: 'add' } & Chunk) | { type: 'end' }

type FromWorker =
  | { type: 'stored'; messages: StoredMessage[]; count: number; bytes: number }
  | { type: 'done' }
  | { type: 'error'; code: ErrorCode | null; params: ErrorParams; message: string }

/** What a worker thread's `parentPort` offers that the writer uses. */
export interface WriterPort {
  on(event: 'message', listener: (message: ToWorker) => void): unknown
  postMessage(message: FromWorker): void
}

/** The worker side: serves one sync's writes, then closes its connection. */
export function serveStoreWriter(port: WriterPort): void {
  let store: MailStore | null = null
  let batch: ReturnType<MailStore['batch']> | null = null
  let target: WriterTarget | null = null
  let failed = false
  const fail = (error: unknown) => {
    failed = true
    try {
      store?.close()
    } catch {
      // the error below is what counts
    }
    store = null
    const coded = error instanceof SiegelpostError ? error : null
    port.postMessage({
      type: 'error',
      code: coded ? coded.code : null,
      params: coded ? coded.params : {},
      message: String((error as Error)?.message ?? error),
    })
  }
  port.on('message', (message) => {
    if (failed) return
    try {
      if (message.type === 'init') {
        store = new MailStore(message.profileDir, Buffer.from(message.key), { writer: true })
        // The folder's rows stored before, from its sealed list snapshot while that is current (before this thread's
        // first commit): the snapshot left at the end then opens none of them one by one. Only a saving: a listing
        // that fails here (a damaged row, a busy snapshot) does not fail the sync.
        try {
          store.list({ account: message.account, folder: message.folder })
        } catch {
          // the closing snapshot opens the rows then
        }
        batch = store.batch()
        target = { account: message.account, folder: message.folder, uidValidity: message.uidValidity }
      } else if (message.type === 'add') {
        const { account, folder, uidValidity } = target!
        const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength)
        const fetched = new Date(message.fetched)
        const meta = JSON.parse(message.meta) as ChunkMeta
        const stored: StoredMessage[] = []
        let at = 0
        for (let i = 0; i < meta.uids.length; i++) {
          const raw = bytes.subarray(at, (at += meta.lengths[i]!))
          const uid = meta.uids[i]!
          batch!.run(() => {
            const id = store!.add(account, folder, uidValidity, uid, raw, fetched, {
              flags: meta.flags[i]!,
              envelope: meta.envelopes[i]!,
            })
            if (id) stored.push({ uid, size: raw.length, id })
          }, raw.length)
        }
        port.postMessage({ type: 'stored', messages: stored, count: meta.uids.length, bytes: bytes.length })
      } else {
        batch?.commit()
        store?.close()
        store = null
        port.postMessage({ type: 'done' })
      }
    } catch (error) {
      fail(error)
    }
  })
}

export interface StoreWriter {
  /**
   * Hands a message over. Returns nothing, or — when the worker is `mailSyncWriterQueueBytes` behind — a promise
   * that resolves when it has caught up (no promise per message on the common path). Throws the worker's failure.
   */
  add(uid: number, raw: Buffer, flags: string[], arrived: Date | null): Promise<void> | undefined
  /** Sends what is left, lets the worker commit and close; the messages it stored. Rejects with its error. */
  finish(): Promise<StoredMessage[]>
  /** Ends the worker without waiting (after a failure on the main side; the worker's open batch is lost). */
  abort(): void
}

/** The main side: a worker started with `main/workers/mail-store.worker.ts`, writing into `store`'s file. */
export function openStoreWriter(
  worker: WorkerLike,
  store: MailStore,
  target: WriterTarget,
  now: () => Date,
  /** How many handed-over messages the worker has written so far (stored, or found stored already). */
  onWritten?: (count: number) => void,
): StoreWriter {
  const stored: StoredMessage[] = []
  let written = 0
  const empty = () => ({
    uids: [] as number[],
    flags: [] as string[][],
    envelopes: [] as EnvelopeFields[],
    raws: [] as Buffer[],
    bytes: 0,
  })
  let pending = empty()
  let queued = 0
  let failure: Error | null = null
  let wake: (() => void) | null = null
  let finished: { resolve: () => void; reject: (error: Error) => void } | null = null
  let isDone = false
  const settle = () => {
    wake?.()
    wake = null
    if (failure) finished?.reject(failure)
    else if (isDone) finished?.resolve()
  }
  const onMessage = (message: FromWorker) => {
    if (message.type === 'stored') {
      stored.push(...message.messages)
      queued -= message.bytes
      written += message.count
      onWritten?.(written)
    } else if (message.type === 'done') {
      isDone = true
    } else {
      failure = message.code
        ? new SiegelpostError(message.code, message.params)
        : Object.assign(new Error(message.message), { code: 'STORE_WRITER' })
    }
    settle()
  }
  const onError = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error))
    settle()
  }
  const onExit = () => {
    if (!isDone) onError(new Error('the store writer thread ended'))
  }
  worker.on('message', onMessage)
  worker.on('error', onError)
  worker.on('exit', onExit)
  const init: ToWorker = { type: 'init', ...store.writerSetup(), ...target }
  worker.postMessage(init)

  const flush = () => {
    if (pending.uids.length === 0) return
    // Its own ArrayBuffer (never Node's shared pool): moved to the worker with the message.
    const bytes = Buffer.allocUnsafeSlow(pending.bytes)
    let at = 0
    for (const raw of pending.raws) at += raw.copy(bytes, at)
    const meta: ChunkMeta = {
      uids: pending.uids,
      flags: pending.flags,
      envelopes: pending.envelopes,
      lengths: pending.raws.map((raw) => raw.length),
    }
    const chunk: ToWorker = { type: 'add', meta: JSON.stringify(meta), fetched: now().toISOString(), bytes }
    worker.postMessage(chunk, [bytes.buffer])
    queued += pending.bytes
    pending = empty()
  }
  const caughtUp = async () => {
    while (queued > limits.mailSyncWriterQueueBytes && !failure) await new Promise<void>((resolve) => (wake = resolve))
    if (failure) throw failure
  }
  const detach = () => {
    worker.off('message', onMessage)
    worker.off('error', onError)
    worker.off('exit', onExit)
    void worker.terminate()
  }
  return {
    add(uid, raw, flags, arrived) {
      if (failure) throw failure
      pending.uids.push(uid)
      pending.flags.push(flags)
      pending.envelopes.push(envelopeOf(raw, arrived))
      pending.raws.push(raw)
      pending.bytes += raw.length
      if (pending.uids.length >= limits.mailSyncWriterChunkMessages || pending.bytes >= limits.mailSyncWriterChunkBytes)
        flush()
      return queued > limits.mailSyncWriterQueueBytes ? caughtUp() : undefined
    },
    async finish() {
      try {
        if (!failure) {
          flush()
          worker.postMessage({ type: 'end' } satisfies ToWorker)
          await new Promise<void>((resolve, reject) => {
            finished = { resolve, reject }
            settle()
          })
        }
        if (failure) throw failure
        return stored
      } finally {
        detach()
      }
    },
    abort: detach,
  }
}
