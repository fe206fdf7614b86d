import { limits } from '../limits.ts'
import type { StreamingContext } from '../message/technology.ts'
import { bodyLength, decodedBodyChunks, headerValue, type MimePart } from '../mime/parse.ts'
import { createSpool, type Spool } from '../store/spool.ts'
import type { StreamPort, WorkerRequest } from './protocol.ts'
import { releaseBytes } from './release.ts'
import { throughWorker } from './worker-run.ts'

/**
 * The one decision between small and large: a large encrypted part or attachment is streamed (read in chunks,
 * worked on in a worker thread when the context can start one); a small one is worked on in memory, in this thread.
 */
export function isStreamedSize(bytes: number, fromBytes: number = limits.streamFromBytes): boolean {
  return bytes >= fromBytes
}

/** Whether an encrypted part goes through the worker: a streaming context, and at least its threshold in size. */
export function isLargePart(part: MimePart, streaming: StreamingContext | undefined): streaming is StreamingContext {
  return streaming !== undefined && isStreamedSize(bodyLength(part), streaming.fromBytes)
}

/** The part's size after transfer decoding, estimated from its encoded size (the progress total). */
export function decodedSizeOf(part: MimePart): number {
  const isBase64 = (headerValue(part, 'content-transfer-encoding') ?? '').trim().toLowerCase() === 'base64'
  return isBase64 ? Math.floor((bodyLength(part) * 3) / 4) : bodyLength(part)
}

/**
 * The one large-message decryption of both technologies: the part's body is read from the mail in
 * chunks, decrypted by `request` in a worker thread, and the plaintext sealed into an encrypted
 * spool. The spool comes back only with the worker's result — after the integrity check at the
 * end of the stream (OpenPGP MDC, GCM tag, CBC padding) and, for OpenPGP, the signature checks.
 * On any failure the spool is deleted before this throws, so no plaintext remains anywhere; a
 * failed worker's error is its SiegelpostError (`{code, params}`). `input` replaces the part's decoded body
 * as what the worker reads (a technology's own decoding of it in this thread, e.g. OpenPGP's armor).
 */
export async function decryptPartToSpool<Result>(
  part: MimePart,
  streaming: StreamingContext,
  request: WorkerRequest,
  serveInThread: (port: StreamPort) => void,
  input: { chunks: Iterable<Uint8Array>; total: number } = {
    chunks: decodedBodyChunks(part),
    total: decodedSizeOf(part),
  },
): Promise<{ spool: Spool; result: Result }> {
  const writer = createSpool(streaming.tempDir)
  try {
    const run = throughWorker<Result>(streaming, serveInThread, request, input.chunks, input.total)
    let step = await run.next()
    try {
      // Each chunk came from the worker (moved or copied to this thread) and the spool copies it: freed at once.
      for (; !step.done; step = await run.next()) {
        writer.write(step.value)
        releaseBytes(step.value)
      }
    } finally {
      // Our side failed (the spool): the worker is ended too.
      if (!step.done) await run.return(undefined as never)
    }
    return { spool: writer.finish(), result: step.value }
  } catch (error) {
    writer.dispose()
    throw error
  }
}
