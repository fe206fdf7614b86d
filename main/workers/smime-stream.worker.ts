import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { runSmimeStreamJob } from '../core/smime/cms-stream-job.ts'
import { serveSmimeStream, type SmimePortLike } from '../core/smime/stream-port.ts'
import type { WorkerReply, WorkerRequest } from './smime-stream.ts'

// Thin worker entry, the work itself is the pure core job (cms-stream-job.ts). Two ways in:
// files (workerData, runSmimeStreamInWorker) or, for `open`/`compose`, a stream on the parent port
// (stream-port.ts: the input arrives in chunks, the output goes back the same way).
async function runOnFiles({ job, input, output }: WorkerRequest) {
  const reply = (message: WorkerReply) => parentPort!.postMessage(message)
  // 'wx': never overwrite; the host gives a fresh path and removes it on failure.
  const out = createWriteStream(output, { flags: 'wx', mode: 0o600 })
  try {
    await once(out, 'open')
    reply({ type: 'opened' })
    const result = await runSmimeStreamJob(
      job,
      createReadStream(input, { highWaterMark: 64 * 1024 }),
      async (chunk) => {
        if (!out.write(chunk)) await once(out, 'drain')
      },
      (bytesIn) => reply({ type: 'progress', bytesIn }),
      limits.smimeStreamProgressBytes,
    )
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
    reply({ type: 'done', result })
  } catch (error) {
    out.destroy()
    const failure = error instanceof SiegelpostError ? { code: error.code, params: error.params } : { code: 'INTERNAL' as const, params: { reason: error instanceof Error ? error.message : String(error) } }
    reply({ type: 'error', ...failure })
  }
}

if (workerData) await runOnFiles(workerData as WorkerRequest)
else if (parentPort) serveSmimeStream(parentPort as unknown as SmimePortLike)
