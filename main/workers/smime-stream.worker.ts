// Worker thread entry for large S/MIME messages: all logic is in the core (smime/stream-port.ts,
// the job in smime/cms-stream-job.ts). Files (smime-stream.ts) and mail (`open`/`compose`) both
// reach it through the one streaming protocol on the parent port.
import { parentPort, workerData } from 'node:worker_threads'
import { raiseSizeLimits, type SizeLimitsOverride } from '../core/limits-override.ts'
import { serveSmimeStream } from '../core/smime/stream-port.ts'
import type { StreamPort } from '../core/streaming/protocol.ts'

// Size limits the CLI raised (SIEGELPOST_LIMITS_FILE), checked again: only sizes, only upwards.
const raised = (workerData as { raisedSizeLimits?: SizeLimitsOverride | null } | null)?.raisedSizeLimits
if (raised) raiseSizeLimits(raised)
if (parentPort) serveSmimeStream(parentPort as unknown as StreamPort)
