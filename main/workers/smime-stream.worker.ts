// Worker thread entry for large S/MIME messages: all logic is in the core (smime/stream-port.ts,
// the job in smime/cms-stream-job.ts). Files (smime-stream.ts) and mail (`open`/`compose`) both
// reach it through the one streaming protocol on the parent port.
import { parentPort, workerData } from 'node:worker_threads'
import { raiseSizeLimitsFromWorkerData } from '../core/limits-override.ts'
import { serveSmimeStream } from '../core/smime/stream-port.ts'
import type { StreamPort } from '../core/streaming/protocol.ts'

// Size limits the CLI raised (SIEGELPOST_LIMITS_FILE), checked again: only sizes, only upwards.
raiseSizeLimitsFromWorkerData(workerData)
if (parentPort) serveSmimeStream(parentPort as unknown as StreamPort)
