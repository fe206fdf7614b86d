import type { StoredKey } from '../keys/stored-key.ts'
import type { StreamingContext } from '../message/technology.ts'
import { serveStream, type StreamPort } from '../streaming/protocol.ts'
import { releaseBytes } from '../streaming/release.ts'
import { throughWorker } from '../streaming/worker-run.ts'
import { armorStream, dearmorStream } from './armor.ts'
import { decryptToSink, encryptToStream, type DecryptSummary } from './decrypt-stream.ts'
import { openpgpErrorOf } from './openpgp-errors.ts'

/**
 * Large-message OpenPGP work in the worker (main/workers/openpgp-worker.ts), on the one streaming
 * protocol (streaming/protocol.ts). Decrypt: the plaintext goes out as openpgp.js releases it;
 * the caller keeps it in an encrypted spool until the result (MDC and signatures checked)
 * arrives. Encrypt: the output is the armored, signed and encrypted message.
 */
export type OpenpgpStreamJob =
  | { kind: 'decrypt'; keys: StoredKey[]; now: Date; isArmored: boolean }
  | { kind: 'encrypt'; recipients: StoredKey[]; signer: StoredKey | null; now: Date }

/**
 * Bytes of one chunk openpgp.js is given per pull. Its stream stages each hold chunks, however large: pieces of the
 * input (views, no copies) keep what they hold small — a 1.37 MiB chunk per stage raised the peak RSS of a 100 MiB
 * compose from ~170 to ~240 MiB.
 */
export const openpgpPieceBytes = 256 * 1024

/** An async iterator as the Web Stream openpgp.js reads, at most openpgpPieceBytes per pull. */
export function webStream(input: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const source = input[Symbol.asyncIterator]()
  let current: Uint8Array | null = null
  let at = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (current === null || at >= current.length) {
        const next = await source.next()
        if (next.done) return controller.close()
        ;[current, at] = [next.value, 0]
        if (current.length === 0) return controller.enqueue(current)
      }
      controller.enqueue(current.subarray(at, at + openpgpPieceBytes))
      at += openpgpPieceBytes
    },
    async cancel() {
      await source.return?.()
    },
  })
}

export async function runOpenpgpJob(
  job: OpenpgpStreamJob,
  input: AsyncIterable<Uint8Array>,
  output: (chunk: Uint8Array) => void,
): Promise<DecryptSummary | null> {
  const stream = webStream(input)
  if (job.kind === 'decrypt') {
    const binary = job.isArmored ? stream.pipeThrough(dearmorStream()) : stream
    return decryptToSink(binary, { keys: job.keys, now: job.now }, output)
  }
  const armored = (await encryptToStream(stream, job)).pipeThrough(armorStream())
  for await (const chunk of armored) {
    // Each armored chunk is a new buffer of its own (armorStream), copied into the output batch: freed at once.
    output(chunk)
    releaseBytes(chunk)
  }
  return null
}

/** Worker side: the worker entry hands its parentPort here. */
export const serveOpenpgp = (port: StreamPort) => serveStream(port, 'openpgp', runOpenpgpJob, openpgpErrorOf)

/** Caller side: one job through a fresh OpenPGP worker (or the in-thread channel), output yielded as it comes. */
export function openpgpThroughWorker(
  streaming: StreamingContext,
  input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  job: OpenpgpStreamJob,
  total: number,
): AsyncGenerator<Uint8Array, DecryptSummary | null> {
  return throughWorker<DecryptSummary | null>(streaming, serveOpenpgp, { technology: 'openpgp', job }, input, total)
}
