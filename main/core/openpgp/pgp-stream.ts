import { MessageChannel } from 'node:worker_threads'
import type { MimePart } from '../mime/parse.ts'
import { decodedBodyChunks } from '../mime/parse.ts'
import { createSpool } from '../store/spool.ts'
import type { OpenContext, StreamingContext } from '../message/technology.ts'
import { dearmorMessage } from './armor.ts'
import { textDecoder } from './config.ts'
import { decryptToSink } from './decrypt-stream.ts'
import { runThroughPort, serveOpenpgp, type PortLike, type WorkerRequest } from './stream-worker.ts'

/** OpenPGP decryption in memory and through the worker, and the byte-stream helpers both use. */

export const armored = (bytes: Uint8Array) => textDecoder.decode(bytes)

/** Decrypts a message held in memory (inline blocks, small mail); large mail goes through decryptLarge. */
export async function decryptArmoredOrBinary(data: Uint8Array, context: OpenContext) {
  const isArmored = armored(data.subarray(0, 1024)).includes('-----BEGIN PGP ')
  const binary = isArmored ? dearmorMessage(data) : data
  const chunks: Uint8Array[] = []
  const summary = await decryptToSink(binary ? chunked(binary) : armored(data), context, (chunk) => chunks.push(chunk))
  return { content: await collect(chunks), ...summary }
}

/** Encrypted payloads from this size on are decrypted through the worker into an encrypted spool. */
export const streamFromBytes = 1024 * 1024

/**
 * A large encrypted payload: read in chunks from the mail (a file), decrypted in a worker thread
 * (or, without one, on a MessageChannel in this thread), the plaintext sealed into an encrypted
 * spool. The spool is handed out only after the worker reported the MDC and signatures checked;
 * on any failure it is deleted before this throws, so no plaintext remains anywhere.
 */
export async function decryptLarge(payload: MimePart, context: OpenContext, streaming: StreamingContext) {
  const first = decodedBodyChunks(payload).next().value ?? new Uint8Array()
  const isArmored = armored(first.subarray(0, 1024)).includes('-----BEGIN PGP ')
  const encoding = (payload.headers.find((h) => h.name.toLowerCase() === 'content-transfer-encoding')?.value ?? '').trim().toLowerCase()
  const encodedSize = payload.bodyRange.end - payload.bodyRange.start
  const total = encoding === 'base64' ? Math.floor((encodedSize * 3) / 4) : encodedSize
  const spool = createSpool(streaming.tempDir)
  try {
    const summary = (await throughWorker(streaming, decodedBodyChunks(payload), { op: 'decrypt', keys: [...context.keys], now: context.now, isArmored, total }, (chunk) => spool.write(chunk)))!
    const content = spool.finish()
    if (streaming.keep) streaming.keep(content.dispose)
    else content.dispose()
    // The worker sent copies of the vault's keys back; the verdict works with the vault's own.
    const signatures = summary.signatures.map((check) => ({ ...check, key: check.key ? (context.keys.find((k) => k.technology === 'openpgp' && k.fingerprint === check.key!.fingerprint) ?? check.key) : null }))
    return { content, signatures, recipients: summary.recipients }
  } catch (error) {
    spool.dispose()
    throw error
  }
}

/** Runs one request on a fresh worker thread (or, without one, on an in-thread channel); always cleans up. */
export async function throughWorker(streaming: StreamingContext, input: Iterator<Uint8Array> | AsyncIterator<Uint8Array>, request: WorkerRequest, write: (chunk: Uint8Array) => void) {
  const worker = streaming.startWorker?.() ?? null
  const channel = worker ? null : new MessageChannel()
  if (channel) serveOpenpgp(channel.port1 as unknown as PortLike)
  const port = (worker ?? channel!.port2) as unknown as PortLike
  try {
    const stopped = new Promise<never>((_, reject) => {
      worker?.on('error', (error: Error) => reject(error))
      worker?.on('exit', (code: number) => reject(new Error(`the OpenPGP worker stopped (${code})`)))
    })
    stopped.catch(() => undefined)
    return await Promise.race([runThroughPort(port, input, request, write, streaming.onProgress), stopped])
  } finally {
    await worker?.terminate()
    channel?.port1.close()
    channel?.port2.close()
  }
}

const chunkSize = 1024 * 1024

/** A byte array as a Web Stream of 1 MiB views (no copies). */
export function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.subarray(offset, offset + chunkSize))
      offset += chunkSize
    },
  })
}

/** Reads a Web Stream (or a finished array) to one byte array, concatenating once. */
export async function collect(data: ReadableStream<Uint8Array> | Uint8Array | Uint8Array[]): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data
  const chunks: Uint8Array[] = []
  for await (const chunk of data) chunks.push(chunk)
  const joined = Buffer.concat(chunks)
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.length)
}
