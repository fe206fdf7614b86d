import { MessageChannel } from 'node:worker_threads'
import { limits } from '../limits.ts'
import type { StreamingContext, WorkerLike } from '../message/technology.ts'
import { streamThroughPort, type StreamPort, type WireError, type WorkerRequest } from './protocol.ts'

/** Progress in bytes of input handed out, reported at most every `everyBytes` and once at the end. */
export function progressCounter(
  total: number,
  onProgress: ((progress: { done: number; total: number }) => void) | undefined,
  everyBytes: number = limits.streamProgressBytes,
) {
  let done = 0
  let reported = 0
  return {
    add(bytes: number) {
      done += bytes
      if (done - reported < everyBytes) return
      reported = done
      onProgress?.({ done: Math.min(done, total), total })
    },
    /** The work is complete (the total may have been an estimate, e.g. from the transfer encoding). */
    finish() {
      onProgress?.({ done: total, total })
    },
  }
}

/**
 * Runs `request` on `worker`, or, without one, on an in-thread MessageChannel served by
 * `serveInThread` (the same code as the worker's). Yields the output, returns the result, and
 * always ends the worker (or closes the channel), however the run ends. A worker that dies is a
 * coded INTERNAL error.
 */
export async function* runOnWorker<Result>(
  worker: WorkerLike | null,
  serveInThread: (port: StreamPort) => void,
  request: WorkerRequest,
  input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  onInput?: (bytes: number) => void,
): AsyncGenerator<Uint8Array, Result> {
  const channel = worker ? null : new MessageChannel()
  if (channel) serveInThread(channel.port1 as unknown as StreamPort)
  const port = (worker ?? channel!.port2) as unknown as StreamPort
  const source = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]()
  const name = request.technology === 'smime' ? 'S/MIME' : 'OpenPGP'
  const watch = (stop: (error: WireError) => void) => {
    const died = (reason: string) => stop({ code: 'INTERNAL', params: { reason } })
    worker?.on('error', (error: Error) => died(`${name} worker: ${error.message}`))
    worker?.on('exit', (code: number) => died(`${name} worker ended (exit code ${code})`))
  }
  try {
    return yield* streamThroughPort<Result>(port, request, source, { onInput, watch })
  } finally {
    await worker?.terminate()
    channel?.port1.close()
    channel?.port2.close()
  }
}

/**
 * A large message's job through a fresh worker of its technology (streaming.startWorker), or the
 * in-thread channel when the context gives none; progress goes to streaming.onProgress.
 */
export async function* throughWorker<Result>(
  streaming: StreamingContext,
  serveInThread: (port: StreamPort) => void,
  request: WorkerRequest,
  input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  total: number,
): AsyncGenerator<Uint8Array, Result> {
  const worker =
    streaming.startWorker?.(request.technology, request.job.kind === 'decrypt' ? 'decrypt' : 'encrypt') ?? null
  const progress = progressCounter(total, streaming.onProgress)
  const result = yield* runOnWorker<Result>(worker, serveInThread, request, input, (bytes) => progress.add(bytes))
  progress.finish()
  return result
}
