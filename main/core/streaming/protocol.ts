import { SiegelpostError, type ErrorCode, type ErrorParams } from '../errors/index.ts'
import type { OpenpgpStreamJob } from '../openpgp/stream-worker.ts'
import type { SmimeStreamJob } from '../smime/cms-stream-job.ts'

/**
 * The one protocol between a caller and a large-message worker (OpenPGP or S/MIME), on a
 * worker_threads port or an in-thread MessageChannel. The caller starts a job; the worker asks
 * for each input chunk with `pull` (one ahead of the chunk it works on), sends its output as `chunk`s
 * and finishes with `end` (the job's result) or `fail`. The caller answers a pull with `chunk`,
 * `end` (no more input) or `fail` (its side failed). Errors cross as `{code, params}` of the
 * error table, never as text; progress is counted by the caller as it hands out input.
 */
export interface WireError {
  code: ErrorCode
  params: ErrorParams
}

/** The one request type of both workers. */
export type WorkerRequest =
  { technology: 'openpgp'; job: OpenpgpStreamJob } | { technology: 'smime'; job: SmimeStreamJob }

export type ToWorker =
  | { type: 'start'; request: WorkerRequest }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'fail'; error: WireError }

export type FromWorker<Result> =
  | { type: 'pull' }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end'; result: Result }
  | { type: 'fail'; error: WireError }

export interface StreamPort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void
  on(event: 'message', listener: (message: never) => void): unknown
  off(event: 'message', listener: (message: never) => void): unknown
  /** A MessagePort (and a worker's parentPort) says when the other side is gone. */
  once?(event: 'close', listener: () => void): unknown
}

/**
 * A technology's job: reads `input`, hands its output to `output`, resolves with the result. `isOwned` says the
 * job keeps no reference to the chunk (a new buffer of its own): it may then be moved to the caller as it is. A chunk
 * not owned is copied before `output` returns: the job may free it after (releaseBytes).
 */
export type StreamJobRunner<Job, Result> = (
  job: Job,
  input: AsyncIterable<Uint8Array>,
  output: (chunk: Uint8Array, isOwned?: boolean) => void,
) => Promise<Result>

/** Any error as a code of the table: ours as they are, anything else through `classify` or as INTERNAL. */
export function wireErrorOf(error: unknown, classify?: (error: unknown) => SiegelpostError | null): WireError {
  const coded = error instanceof SiegelpostError ? error : (classify?.(error) ?? null)
  if (coded) return { code: coded.code, params: coded.params }
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)
  return { code: 'INTERNAL', params: { reason } }
}

const callerGone: WireError = { code: 'INTERNAL', params: { reason: 'the caller is gone' } }
const stoppedByReader: WireError = { code: 'INTERNAL', params: { reason: 'the output is no longer read' } }
const errorOf = (wire: WireError) => new SiegelpostError(wire.code, wire.params)

/** Messages of one direction, taken in order by an async reader. */
function inbox<Message>() {
  const queue: Message[] = []
  let wake: (() => void) | null = null
  return {
    deliver(message: Message) {
      queue.push(message)
      wake?.()
    },
    async take(): Promise<Message> {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      return queue.shift()!
    },
  }
}

/**
 * Output is gathered into buffers of this size and moved: few messages, no copies of buffers a library still holds.
 * A large chunk the job owns (isOwned) is moved as it is, without the copy.
 */
const outputBatchBytes = 1024 * 1024
const movableBytes = 64 * 1024

/**
 * Worker side: runs one job of `technology` whose input arrives on `port`. `classify` turns a
 * library's own errors (which have no codes) into coded ones.
 */
export function serveStream<Job, Result>(
  port: StreamPort,
  technology: WorkerRequest['technology'],
  run: StreamJobRunner<Job, Result>,
  classify?: (error: unknown) => SiegelpostError | null,
): void {
  const messages = inbox<ToWorker>()
  const listener = (message: ToWorker) => {
    if (message.type === 'start') void start(message.request)
    else messages.deliver(message)
  }
  port.on('message', listener)
  // The caller closed the channel (it stopped reading): the job's next pull fails instead of waiting forever.
  port.once?.('close', () => messages.deliver({ type: 'fail', error: callerGone }))
  let batch = new Uint8Array(new ArrayBuffer(outputBatchBytes))
  let filled = 0
  const flush = () => {
    if (filled === 0) return
    const isFull = filled === outputBatchBytes
    const bytes = isFull ? batch : batch.slice(0, filled)
    port.postMessage({ type: 'chunk', bytes } satisfies FromWorker<Result>, [bytes.buffer as ArrayBuffer])
    // A part sent is a copy: the batch stays and is filled again (a new megabyte for each would be garbage here).
    if (isFull) batch = new Uint8Array(new ArrayBuffer(outputBatchBytes))
    filled = 0
  }
  const output = (chunk: Uint8Array, isOwned = false) => {
    if (isOwned && chunk.byteLength >= movableBytes && isWholeBuffer(chunk)) {
      flush()
      port.postMessage({ type: 'chunk', bytes: chunk } satisfies FromWorker<Result>, [chunk.buffer as ArrayBuffer])
      return
    }
    for (let at = 0; at < chunk.length;) {
      const take = Math.min(chunk.length - at, outputBatchBytes - filled)
      batch.set(chunk.subarray(at, at + take), filled)
      filled += take
      at += take
      if (filled === outputBatchBytes) flush()
    }
  }
  // The next chunk is asked for before this one is worked on, so the caller reads (and decodes) it
  // meanwhile: both threads work at once, and at most two input chunks are on their way. The first is
  // asked for when the job starts (start below), so it comes while the job sets up (keys, headers).
  async function* input(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const message = await messages.take()
      if (message.type === 'end') return
      if (message.type === 'fail') throw errorOf(message.error)
      if (message.type === 'chunk') {
        port.postMessage({ type: 'pull' } satisfies FromWorker<Result>)
        yield message.bytes
      }
    }
  }
  const start = async (request: WorkerRequest) => {
    try {
      if (request.technology !== technology) {
        const reason = `a ${request.technology} job sent to the ${technology} worker`
        throw new SiegelpostError('INTERNAL', { reason })
      }
      port.postMessage({ type: 'pull' } satisfies FromWorker<Result>)
      const result = await run(request.job as Job, input(), output)
      flush()
      port.postMessage({ type: 'end', result } satisfies FromWorker<Result>)
    } catch (error) {
      filled = 0
      port.postMessage({ type: 'fail', error: wireErrorOf(error, classify) } satisfies FromWorker<Result>)
    } finally {
      port.off('message', listener)
    }
  }
}

/**
 * Input bytes to move (not clone) to the worker. Small or partial buffers are copied (a shared
 * CRLF, a pool slice: moving would empty them for their owner); large whole buffers come fresh
 * from our readers (ByteSource.read, the base64 and armor encoders) and are moved as they are.
 */
const inputBatchBytes = 256 * 1024

/** The parts in one new buffer of its own (never a pool slice: it is moved to the worker). */
function joinFresh(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** A view of all of an ArrayBuffer of its own (not a Buffer pool slice, not shared memory): it can be moved. */
function isWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
}

const transferable = (bytes: Uint8Array): Uint8Array =>
  bytes.byteLength >= movableBytes && isWholeBuffer(bytes) ? bytes : new Uint8Array(bytes)

export interface CallerOptions {
  /** Called with the size of each input chunk handed to the worker. */
  onInput?: (bytes: number) => void
  /** Lets the owner of the port end the run from outside (the worker thread died). */
  watch?: (stop: (error: WireError) => void) => void
}

/**
 * Caller side: runs `request` on the worker behind `port`, feeding `input`; yields the output as
 * it comes and returns the job's result. The next input chunk goes out only after everything
 * yielded before has been taken (backpressure: a slow reader holds the worker). Throws the job's
 * SiegelpostError on failure — everything yielded must then be discarded (for decryption it is
 * unauthenticated until the result arrives). Ending early tells the worker to stop.
 */
export async function* streamThroughPort<Result>(
  port: StreamPort,
  request: WorkerRequest,
  input: Iterator<Uint8Array> | AsyncIterator<Uint8Array>,
  options: CallerOptions = {},
): AsyncGenerator<Uint8Array, Result> {
  const messages = inbox<FromWorker<Result>>()
  const listener = (message: FromWorker<Result>) => messages.deliver(message)
  port.on('message', listener)
  options.watch?.((error) => messages.deliver({ type: 'fail', error }))
  let isFinished = false
  let isInputDone = false
  const tell = (message: ToWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)
  try {
    tell({ type: 'start', request })
    for (;;) {
      const message = await messages.take()
      if (message.type === 'chunk') yield message.bytes
      else if (message.type === 'end') {
        isFinished = true
        return message.result
      } else if (message.type === 'fail') {
        isFinished = true
        throw errorOf(message.error)
      } else {
        // Small input chunks (base64 lines of 77 KiB) are gathered into one message of at least
        // inputBatchBytes: each message costs both threads, whatever its size.
        const parts: Uint8Array[] = []
        let size = 0
        try {
          while (!isInputDone && size < inputBatchBytes) {
            const next = await input.next()
            if (next.done) isInputDone = true
            else if (next.value.length > 0) {
              parts.push(next.value)
              size += next.value.length
            }
          }
        } catch (error) {
          // Our side failed (reading the mail or the file): the worker's stream ends with it.
          isFinished = true
          tell({ type: 'fail', error: wireErrorOf(error) })
          throw error
        }
        if (parts.length === 0) tell({ type: 'end' })
        else {
          const bytes = parts.length === 1 ? transferable(parts[0]!) : joinFresh(parts, size)
          options.onInput?.(bytes.length)
          tell({ type: 'chunk', bytes }, [bytes.buffer as ArrayBuffer])
        }
      }
    }
  } finally {
    port.off('message', listener)
    // The reader stopped early (its own failure): the worker's next pull gets a fail.
    if (!isFinished) tell({ type: 'fail', error: stoppedByReader })
  }
}
