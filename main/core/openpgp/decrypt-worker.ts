import type { StoredKey } from '../keys/stored-key.ts'
import { dearmorStream } from './armor.ts'
import { decryptToSink, type DecryptSummary } from './decrypt-stream.ts'

/**
 * Large-message decryption off the caller's thread. Both sides of the message protocol live
 * here; the worker entry (main/workers/openpgp-worker.ts) only hands its parentPort to
 * serveDecrypt. Ciphertext flows to the worker on demand (it asks for each chunk, so at most one
 * chunk is in flight), plaintext flows back as openpgp.js releases it, with progress events; the
 * caller keeps that plaintext in an encrypted spool until `done` (MDC and signatures checked).
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

type ToWorker =
  | { type: 'decrypt'; keys: StoredKey[]; now: Date; isArmored: boolean; total: number }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'fail'; message: string }

type FromWorker =
  | { type: 'pull' }
  | { type: 'plain'; bytes: Uint8Array }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; summary: DecryptSummary }
  | { type: 'error'; message: string }

const transferable = (bytes: Uint8Array): Uint8Array =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes)

/** Worker side: answers one `decrypt` request on `port`. */
export function serveDecrypt(port: PortLike): void {
  const waiting: ((message: ToWorker) => void)[] = []
  const onMessage = (message: ToWorker) => {
    if (message.type === 'decrypt') void run(message)
    else waiting.shift()?.(message)
  }
  port.on('message', onMessage)
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)
  const run = async (request: Extract<ToWorker, { type: 'decrypt' }>) => {
    let done = 0
    const ciphertext = new ReadableStream<Uint8Array>({
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
      const binary = request.isArmored ? ciphertext.pipeThrough(dearmorStream()) : ciphertext
      const summary = await decryptToSink(binary, { keys: request.keys, now: request.now }, (chunk) => {
        const bytes = transferable(chunk)
        send({ type: 'plain', bytes }, [bytes.buffer as ArrayBuffer])
      })
      send({ type: 'done', summary })
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) })
    } finally {
      port.off('message', onMessage)
    }
  }
}

/**
 * Caller side: feeds `input` to the worker behind `port`, passes each plaintext chunk to `write`
 * (an encrypted spool) and resolves with the checks once the worker finished them. Rejects on any
 * failure, after which everything written must be discarded.
 */
export function decryptThroughPort(
  port: PortLike,
  input: Iterator<Uint8Array>,
  request: { keys: readonly StoredKey[]; now: Date; isArmored: boolean; total: number },
  write: (chunk: Uint8Array) => void,
  onProgress?: (progress: DecryptProgress) => void,
): Promise<DecryptSummary> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      try {
        if (message.type === 'pull') {
          const next = input.next()
          if (next.done) port.postMessage({ type: 'end' } satisfies ToWorker)
          else {
            const bytes = transferable(next.value)
            port.postMessage({ type: 'chunk', bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer])
          }
        } else if (message.type === 'plain') write(message.bytes)
        else if (message.type === 'progress') onProgress?.({ done: message.done, total: message.total })
        else {
          port.off('message', onMessage)
          if (message.type === 'done') resolve(message.summary)
          else reject(new Error(message.message))
        }
      } catch (error) {
        // Our side failed (reading the mail, writing the spool): stop the worker's stream too.
        port.postMessage({ type: 'fail', message: error instanceof Error ? error.message : String(error) } satisfies ToWorker)
        port.off('message', onMessage)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
    port.on('message', onMessage)
    port.postMessage({ type: 'decrypt', keys: [...request.keys], now: request.now, isArmored: request.isArmored, total: request.total } satisfies ToWorker)
  })
}
