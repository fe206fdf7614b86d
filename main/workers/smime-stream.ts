import { rm, stat } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import { SiegelpostError, type ErrorCode, type ErrorParams } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import type { SmimeStreamJob, SmimeStreamResult } from '../core/smime/cms-stream-job.ts'

/**
 * Runs a large-message S/MIME job (sign+encrypt or decrypt+read-signed, streamed in 64 KiB chunks)
 * in a worker thread, so the app's main process stays responsive and the work has its own bounded
 * heap (limits.smimeStreamWorkerHeapMiB). Progress events report the input bytes read. On any
 * failure the output file is removed (decrypted content is not authenticated until the job ends)
 * and the error is the job's SiegelpostError.
 */
export interface WorkerRequest {
  job: SmimeStreamJob
  input: string
  output: string
}

export type WorkerReply =
  | { type: 'opened' }
  | { type: 'progress'; bytesIn: number }
  | { type: 'done'; result: SmimeStreamResult }
  | { type: 'error'; code: ErrorCode; params: ErrorParams }

export interface SmimeStreamProgress {
  bytesIn: number
  totalBytes: number
}

/** The worker entry next to this file (source runs); a bundled app passes its built entry instead. */
export const smimeStreamWorkerSource = new URL('./smime-stream.worker.ts', import.meta.url)

export async function runSmimeStreamInWorker(
  job: SmimeStreamJob,
  files: { input: string; output: string },
  options: { onProgress?: (progress: SmimeStreamProgress) => void; workerUrl?: URL } = {},
): Promise<SmimeStreamResult> {
  const totalBytes = await stat(files.input).then(
    (info) => info.size,
    (error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new SiegelpostError('FILE_NOT_FOUND', { path: files.input }) : new SiegelpostError('FILE_UNREADABLE', { path: files.input, reason: error.code ?? error.message })
    },
  )
  const request: WorkerRequest = { job, ...files }
  const worker = new Worker(options.workerUrl ?? smimeStreamWorkerSource, {
    workerData: request,
    resourceLimits: { maxOldGenerationSizeMb: limits.smimeStreamWorkerHeapMiB },
  })
  let settled = false
  let created = false
  try {
    return await new Promise<SmimeStreamResult>((resolve, reject) => {
      worker.on('message', (message: WorkerReply) => {
        if (message.type === 'opened') return void (created = true)
        if (message.type === 'progress') options.onProgress?.({ bytesIn: message.bytesIn, totalBytes })
        else if (message.type === 'done') resolve(message.result)
        else reject(new SiegelpostError(message.code, message.params))
        if (message.type !== 'progress') settled = true
      })
      worker.once('error', (error) => reject(new SiegelpostError('INTERNAL', { reason: `S/MIME worker: ${error.message}` })))
      worker.once('exit', (code) => {
        if (!settled) reject(new SiegelpostError('INTERNAL', { reason: `S/MIME worker ended (exit code ${code})` }))
      })
    })
  } catch (error) {
    // only what this job created: an existing file at `output` is never touched ('wx')
    if (created) await rm(files.output, { force: true })
    throw error
  } finally {
    await worker.terminate()
  }
}
