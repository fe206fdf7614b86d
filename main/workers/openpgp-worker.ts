// Worker thread entry for large OpenPGP messages: all logic is in the core (openpgp/stream-worker.ts).
import { parentPort } from 'node:worker_threads'
import { serveOpenpgp } from '../core/openpgp/stream-worker.ts'
import type { StreamPort } from '../core/streaming/protocol.ts'

if (parentPort) serveOpenpgp(parentPort as unknown as StreamPort)
