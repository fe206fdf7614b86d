import type { StreamingContext } from '../message/technology.ts'
import { serveStream, type StreamPort } from '../streaming/protocol.ts'
import { throughWorker } from '../streaming/worker-run.ts'
import { runSmimeStreamJob, type SmimeStreamJob, type SmimeStreamResult } from './cms-stream-job.ts'

/**
 * Large-message S/MIME work for `open` and `compose` in the worker
 * (main/workers/smime-stream.worker.ts), on the one streaming protocol (streaming/protocol.ts):
 * the caller streams the input in (the transfer-decoded CMS of a mail, or the signed MIME
 * entity), the worker runs the pure job (cms-stream-job.ts) and streams the output back.
 */

/** Worker side: the worker entry hands its parentPort here. */
export const serveSmimeStream = (port: StreamPort) =>
  serveStream<SmimeStreamJob, SmimeStreamResult>(port, 'smime', (job, input, output) =>
    runSmimeStreamJob(job, input, output),
  )

/**
 * Caller side: runs `job` on a fresh worker (streaming.startWorker('smime')) or an in-thread
 * channel, feeding `input`; yields the output as it comes and returns the job's result. Throws
 * the job's SiegelpostError on failure — everything yielded before must then be discarded (for
 * decryption it is unauthenticated until the result arrives). The worker is always ended.
 */
export function smimeThroughWorker(
  streaming: StreamingContext,
  input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  job: SmimeStreamJob,
  total: number,
): AsyncGenerator<Uint8Array, SmimeStreamResult> {
  return throughWorker<SmimeStreamResult>(streaming, serveSmimeStream, { technology: 'smime', job }, input, total)
}
