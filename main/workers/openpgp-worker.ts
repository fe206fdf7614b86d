// Worker thread entry for large OpenPGP messages: all logic is in the core (stream-worker.ts).
import { parentPort } from 'node:worker_threads'
import type { PortLike } from '../core/openpgp/stream-worker.ts'
import { serveOpenpgp } from '../core/openpgp/stream-worker.ts'

if (parentPort) serveOpenpgp(parentPort as unknown as PortLike)
