import type { MimePart } from '../mime/parse.ts'
import { decodedBodyChunks } from '../mime/parse.ts'
import type { OpenContext, StreamingContext } from '../message/technology.ts'
import { decodedSizeOf, decryptPartToSpool } from '../streaming/large-part.ts'
import { dearmorChunks, dearmorMessage } from './armor.ts'
import { textDecoder } from './config.ts'
import { decryptToSink, type DecryptSummary } from './decrypt-stream.ts'
import { openpgpErrorOf } from './openpgp-errors.ts'
import { serveOpenpgp } from './stream-worker.ts'

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

/**
 * A large encrypted payload, decrypted through the worker into an encrypted spool
 * (streaming/large-part.ts). The spool is handed out only after the worker reported the MDC and
 * signatures checked; on any failure it is gone before this throws.
 */
export async function decryptLarge(payload: MimePart, context: OpenContext, streaming: StreamingContext) {
  const first = decodedBodyChunks(payload).next().value ?? new Uint8Array()
  const isArmored = armored(first.subarray(0, 1024)).includes('-----BEGIN PGP ')
  // The armor is decoded here, while the worker decrypts: the worker's thread is the slower of the two.
  const job = { kind: 'decrypt' as const, keys: [...context.keys], now: context.now, isArmored: false }
  const request = { technology: 'openpgp' as const, job }
  const input = isArmored
    ? { chunks: dearmorChunks(decodedBodyChunks(payload), openpgpErrorOf), total: armoredSizeOf(payload) }
    : undefined
  const { spool: content, result } = await decryptPartToSpool<DecryptSummary>(
    payload,
    streaming,
    request,
    serveOpenpgp,
    input,
  )
  if (streaming.keep) streaming.keep(content.dispose)
  else content.dispose()
  // The worker sent copies of the vault's keys back; the verdict works with the vault's own.
  const signatures = result.signatures.map((check) => ({
    ...check,
    key: check.key
      ? (context.keys.find((k) => k.technology === 'openpgp' && k.fingerprint === check.key!.fingerprint) ?? check.key)
      : null,
  }))
  return { content, signatures, recipients: result.recipients }
}

/** The binary size of an armored payload: 3 bytes per 4 base64 digits of 64-digit lines (an estimate, for progress). */
const armoredSizeOf = (payload: MimePart) => Math.floor((decodedSizeOf(payload) * 3 * 64) / (4 * 66))

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
