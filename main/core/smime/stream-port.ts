import { MessageChannel } from 'node:worker_threads'
import { SiegelpostError, type ErrorCode, type ErrorParams } from '../errors/index.ts'
import type { StreamingContext } from '../message/technology.ts'
import { runSmimeStreamJob, type SmimeStreamJob, type SmimeStreamResult } from './cms-stream-job.ts'

/**
 * Large-message S/MIME work for `open` and `compose` on a worker thread, the way the
 * OpenPGP path does it (message/technology.ts StreamingContext): the caller streams the input in
 * (the transfer-decoded CMS of a mail, or the signed MIME entity), the worker runs the pure
 * job (cms-stream-job.ts) and sends the output back with its next request for input, so at
 * most one input chunk and its output are in flight (backpressure for free). The worker entry
 * (main/workers/smime-stream.worker.ts) hands its parentPort to serveSmimeStream; without a
 * worker the same code runs on an in-thread MessageChannel.
 */
export interface SmimePortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: never) => void): unknown
  off(event: 'message', listener: (message: never) => void): unknown
}

type ToWorker = { type: 'start'; job: SmimeStreamJob } | { type: 'chunk'; bytes: Uint8Array } | { type: 'end' } | { type: 'stop' }

type FromWorker =
  | { type: 'next'; out: Uint8Array[] }
  | { type: 'done'; out: Uint8Array[]; result: SmimeStreamResult }
  | { type: 'error'; code: ErrorCode; params: ErrorParams }

/** Worker side: runs one job whose input arrives on `port`. */
export function serveSmimeStream(port: SmimePortLike): void {
  const inbox: ToWorker[] = []
  let wake: (() => void) | null = null
  const listener = (message: ToWorker) => {
    if (message.type === 'start') void run(message.job)
    else {
      inbox.push(message)
      wake?.()
    }
  }
  port.on('message', listener)
  let out: Uint8Array[] = []
  const take = () => out.splice(0)
  const receive = async (): Promise<ToWorker> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    return inbox.shift()!
  }
  async function* input(): AsyncGenerator<Uint8Array> {
    for (;;) {
      port.postMessage({ type: 'next', out: take() } satisfies FromWorker)
      const message = await receive()
      if (message.type === 'end') return
      if (message.type !== 'chunk') throw new SiegelpostError('INTERNAL', { reason: 'the S/MIME stream was stopped' })
      yield message.bytes
    }
  }
  const run = async (job: SmimeStreamJob) => {
    try {
      const result = await runSmimeStreamJob(job, input(), (chunk) => void out.push(chunk))
      port.postMessage({ type: 'done', out: take(), result } satisfies FromWorker)
    } catch (error) {
      out = []
      const failure = error instanceof SiegelpostError ? { code: error.code, params: error.params } : { code: 'INTERNAL' as const, params: { reason: error instanceof Error ? error.message : String(error) } }
      port.postMessage({ type: 'error', ...failure } satisfies FromWorker)
    } finally {
      port.off('message', listener)
    }
  }
}

/**
 * Caller side: runs `job` on a fresh worker (streaming.startWorker('smime')) or an in-thread
 * channel, feeding `input`; yields the output as it comes and returns the job's result. Throws
 * the job's SiegelpostError on failure — everything yielded before must then be discarded (for
 * decryption it is unauthenticated until the result arrives). The worker is always ended.
 */
export async function* smimeThroughWorker(
  streaming: StreamingContext,
  input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  job: SmimeStreamJob,
  total: number,
): AsyncGenerator<Uint8Array, SmimeStreamResult> {
  const worker = streaming.startWorker?.('smime') ?? null
  const channel = worker ? null : new MessageChannel()
  if (channel) serveSmimeStream(channel.port1 as unknown as SmimePortLike)
  const port = (worker ?? channel!.port2) as unknown as SmimePortLike
  const inbox: FromWorker[] = []
  let wake: (() => void) | null = null
  const deliver = (message: FromWorker) => {
    inbox.push(message)
    wake?.()
  }
  const listener = (message: FromWorker) => deliver(message)
  port.on('message', listener)
  worker?.on('error', (error: Error) => deliver({ type: 'error', code: 'INTERNAL', params: { reason: `S/MIME worker: ${error.message}` } }))
  worker?.on('exit', (code: number) => deliver({ type: 'error', code: 'INTERNAL', params: { reason: `S/MIME worker ended (exit code ${code})` } }))
  const source = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]()
  let done = 0
  try {
    port.postMessage({ type: 'start', job } satisfies ToWorker)
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      const message = inbox.shift()!
      if (message.type === 'error') throw new SiegelpostError(message.code, message.params)
      yield* message.out
      if (message.type === 'done') {
        // (the total was estimated from the transfer encoding; the work is complete)
        streaming.onProgress?.({ done: total, total })
        return message.result
      }
      const next = await source.next()
      if (next.done) port.postMessage({ type: 'end' } satisfies ToWorker)
      else {
        done += next.value.length
        streaming.onProgress?.({ done: Math.min(done, total), total })
        port.postMessage({ type: 'chunk', bytes: next.value } satisfies ToWorker)
      }
    }
  } finally {
    port.off('message', listener)
    if (!worker) port.postMessage({ type: 'stop' } satisfies ToWorker)
    await worker?.terminate()
    channel?.port1.close()
    channel?.port2.close()
  }
}
