import type { StoredKey } from '../keys/stored-key.ts'
import { armorStream, dearmorStream } from './armor.ts'
import { decryptToSink, encryptToStream, type DecryptSummary } from './decrypt-stream.ts'

/**
 * Large-message OpenPGP work off the caller's thread. Both sides of the message protocol live
 * here; the worker entry (main/workers/openpgp-worker.ts) only hands its parentPort to
 * serveOpenpgp. Input flows to the worker on demand (it asks for each chunk, so at most one chunk
 * is in flight), output flows back as openpgp.js releases it, with progress events.
 * Decrypt: the caller keeps the plaintext in an encrypted spool until `done` (MDC and signatures
 * checked). Encrypt: the output is the armored, signed and encrypted message.
 */
export interface PortLike {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void
  on(event: 'message', listener: (message: never) => void): unknown
  off(event: 'message', listener: (message: never) => void): unknown
}

export interface DecryptProgress {
  /** Ciphertext bytes read so far, and the total (as transfer-decoded from the mail). */
  done: number
  total: number
}

export type WorkerRequest =
  | { op: 'decrypt'; keys: StoredKey[]; now: Date; isArmored: boolean; total: number }
  | { op: 'encrypt'; recipients: StoredKey[]; signer: StoredKey | null; now: Date; total: number }

type ToWorker =
  | { type: 'start'; request: WorkerRequest }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'fail'; message: string }

type FromWorker =
  | { type: 'pull' }
  | { type: 'out'; bytes: Uint8Array }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; summary: DecryptSummary | null }
  | { type: 'error'; message: string }

/**
 * Input bytes to move (not clone) to the worker. Small or partial buffers are copied (a shared
 * CRLF, a pool slice: moving would empty them for their owner); large whole buffers come fresh
 * from our readers (ByteSource.read, the base64 and armor encoders) and are moved as they are.
 */
const transferable = (bytes: Uint8Array): Uint8Array =>
  bytes.byteLength >= 64 * 1024 && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes)

const batchBytes = 1024 * 1024

/** Worker side: answers one request on `port`. */
export function serveOpenpgp(port: PortLike): void {
  const waiting: ((message: ToWorker) => void)[] = []
  const onMessage = (message: ToWorker) => {
    if (message.type === 'start') void run(message.request)
    else waiting.shift()?.(message)
  }
  port.on('message', onMessage)
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)
  // Output is gathered into 1 MiB buffers of our own, then moved: few messages, no copies of
  // buffers openpgp.js may still hold (were it to hash a chunk later, it is still there).
  let batch = new Uint8Array(new ArrayBuffer(batchBytes))
  let filled = 0
  const flush = () => {
    if (filled === 0) return
    const bytes = filled === batchBytes ? batch : batch.slice(0, filled)
    send({ type: 'out', bytes }, [bytes.buffer as ArrayBuffer])
    batch = new Uint8Array(new ArrayBuffer(batchBytes))
    filled = 0
  }
  const out = (chunk: Uint8Array) => {
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(chunk.length - at, batchBytes - filled)
      batch.set(chunk.subarray(at, at + take), filled)
      filled += take
      at += take
      if (filled === batchBytes) flush()
    }
  }
  const run = async (request: WorkerRequest) => {
    let done = 0
    const ciphertext = new ReadableStream<Uint8Array>({
      // (named for decryption; for encryption it is the plaintext MIME entity)
      pull: (controller) =>
        new Promise<void>((resolve, reject) => {
          waiting.push((message) => {
            if (message.type === 'chunk') {
              done += message.bytes.length
              controller.enqueue(message.bytes)
              send({ type: 'progress', done, total: request.total })
            } else if (message.type === 'end') controller.close()
            else reject(new Error(message.type === 'fail' ? message.message : 'unexpected message'))
            resolve()
          })
          send({ type: 'pull' })
        }),
    })
    try {
      if (request.op === 'decrypt') {
        const binary = request.isArmored ? ciphertext.pipeThrough(dearmorStream()) : ciphertext
        const summary = await decryptToSink(binary, { keys: request.keys, now: request.now }, out)
        flush()
        send({ type: 'done', summary })
      } else {
        const armored = (await encryptToStream(ciphertext, request)).pipeThrough(armorStream())
        for await (const chunk of armored) out(chunk)
        flush()
        send({ type: 'done', summary: null })
      }
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) })
    } finally {
      port.off('message', onMessage)
    }
  }
}

/**
 * Caller side: feeds `input` to the worker behind `port`, passes each output chunk to `write`
 * (for decryption: an encrypted spool) and resolves with the checks once the worker finished
 * them. Rejects on any failure, after which everything written must be discarded.
 */
export function runThroughPort(
  port: PortLike,
  input: Iterator<Uint8Array> | AsyncIterator<Uint8Array>,
  request: WorkerRequest,
  write: (chunk: Uint8Array) => void,
  onProgress?: (progress: DecryptProgress) => void,
): Promise<DecryptSummary | null> {
  return new Promise((resolve, reject) => {
    const onMessage = async (message: FromWorker) => {
      try {
        if (message.type === 'pull') {
          // The worker asks for one chunk at a time, so awaiting here keeps the order.
          const next = await input.next()
          if (next.done) port.postMessage({ type: 'end' } satisfies ToWorker)
          else {
            const bytes = transferable(next.value)
            port.postMessage({ type: 'chunk', bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer])
          }
        } else if (message.type === 'out') write(message.bytes)
        else if (message.type === 'progress') onProgress?.({ done: message.done, total: message.total })
        else {
          port.off('message', listener)
          if (message.type === 'done') resolve(message.summary)
          else reject(new Error(message.message))
        }
      } catch (error) {
        // Our side failed (reading the mail, writing the spool): stop the worker's stream too.
        port.postMessage({ type: 'fail', message: error instanceof Error ? error.message : String(error) } satisfies ToWorker)
        port.off('message', listener)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
    const listener = (message: FromWorker) => void onMessage(message)
    port.on('message', listener)
    port.postMessage({ type: 'start', request } satisfies ToWorker)
  })
}
