// Worker thread entry for large OpenPGP messages: all logic is in the core (openpgp/stream-worker.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { raiseSizeLimits, type SizeLimitsOverride } from '../core/limits-override.ts'
import { serveOpenpgp } from '../core/openpgp/stream-worker.ts'
import type { StreamPort } from '../core/streaming/protocol.ts'

// Size limits the CLI raised (SIEGELPOST_LIMITS_FILE), checked again: only sizes, only upwards.
const raised = (workerData as { raisedSizeLimits?: SizeLimitsOverride | null } | null)?.raisedSizeLimits
if (raised) raiseSizeLimits(raised)
if (parentPort) serveOpenpgp(parentPort as unknown as StreamPort)
