// Worker thread entry for large OpenPGP messages: all logic is in the core (openpgp/stream-worker.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { raiseSizeLimitsFromWorkerData } from '../core/limits-override.ts'
import { serveOpenpgp } from '../core/openpgp/stream-worker.ts'
import type { StreamPort } from '../core/streaming/protocol.ts'

// Size limits the CLI raised (SIEGELPOST_LIMITS_FILE), checked again: only sizes, only upwards.
raiseSizeLimitsFromWorkerData(workerData)
if (parentPort) serveOpenpgp(parentPort as unknown as StreamPort)
