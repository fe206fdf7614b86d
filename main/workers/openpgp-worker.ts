// Worker thread entry for large OpenPGP messages: all logic is in the core (decrypt-worker.ts).
import { parentPort } from 'node:worker_threads'
import type { PortLike } from '../core/openpgp/decrypt-worker.ts'
import { serveDecrypt } from '../core/openpgp/decrypt-worker.ts'

if (parentPort) serveDecrypt(parentPort as unknown as PortLike)
