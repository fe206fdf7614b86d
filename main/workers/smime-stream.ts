import { createReadStream } from 'node:fs'
import { open, rm, stat, type FileHandle } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import { SiegelpostError } from '../core/errors/index.ts'
import type { SmimeStreamJob, SmimeStreamResult } from '../core/smime/cms-stream-job.ts'
import { serveSmimeStream } from '../core/smime/stream-port.ts'
import { releaseBytes } from '../core/streaming/release.ts'
import { progressCounter, runOnWorker } from '../core/streaming/worker-run.ts'
import { streamWorkerLimits } from './worker-limits.ts'

/**
 * Runs a large-message S/MIME job (sign+encrypt or decrypt+read-signed) from one file to another
 * in a worker thread, so the app's main process stays responsive and the work has its own bounded
 * heap (streamWorkerLimits). The file is read in 64 KiB chunks and fed to the worker
 * on the one streaming protocol; progress reports the input bytes read as `{done, total}`. On any
 * failure the output file is removed (decrypted content is not authenticated until the job ends)
 * and the error is the job's SiegelpostError.
 */
export interface StreamProgress {
  done: number
  total: number
}

/** The worker entry next to this file (source runs); a bundled app passes its built entry instead. */
export const smimeStreamWorkerSource = new URL('./smime-stream.worker.ts', import.meta.url)

const fileError = (path: string) => (error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT') throw new SiegelpostError('FILE_NOT_FOUND', { path })
  throw new SiegelpostError('FILE_UNREADABLE', { path, reason: error.code ?? error.message })
}

export async function runSmimeStreamInWorker(
  job: SmimeStreamJob,
  files: { input: string; output: string },
  options: { onProgress?: (progress: StreamProgress) => void; workerUrl?: URL } = {},
): Promise<SmimeStreamResult> {
  const total = await stat(files.input).then((info) => info.size, fileError(files.input))
  let out: FileHandle
  try {
    // 'wx': never overwrite; the caller gives a fresh path, and only what this job created is removed.
    out = await open(files.output, 'wx', 0o600)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new SiegelpostError('INTERNAL', { reason }, { cause: error })
  }
  const worker = new Worker(options.workerUrl ?? smimeStreamWorkerSource, {
    resourceLimits: streamWorkerLimits('smime', job.kind === 'decrypt' ? 'decrypt' : 'encrypt'),
  })
  const progress = progressCounter(total, options.onProgress)
  const input = createReadStream(files.input, { highWaterMark: 64 * 1024 })
  try {
    const request = { technology: 'smime' as const, job }
    const run = runOnWorker<SmimeStreamResult>(worker, serveSmimeStream, request, input, progress.add)
    let step = await run.next()
    try {
      // Awaiting each write holds the worker back while the disk is slower (backpressure); a chunk written (it came
      // from the worker, this thread's own) is freed at once.
      for (; !step.done; step = await run.next()) {
        await out.write(step.value)
        releaseBytes(step.value)
      }
    } finally {
      if (!step.done) await run.return(undefined as never)
    }
    await out.close()
    progress.finish()
    return step.value
  } catch (error) {
    await out.close().catch(() => undefined)
    await rm(files.output, { force: true })
    throw error
  } finally {
    input.destroy()
  }
}
