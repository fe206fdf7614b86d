import { Worker } from 'node:worker_threads'
import type { WorkerPurpose } from '../core/message/technology.ts'
import { streamWorkerLimits } from './worker-limits.ts'

/**
 * A fresh worker thread for a large message's work or a sync's store writes: the built entries next to the bundle that
 * imports this (out/main, electron.vite.config.ts), or the .ts entries when run from source (tests).
 */
export function startStreamWorker(name: 'openpgp' | 'smime' | 'mail-store', purpose?: WorkerPurpose): Worker {
  const isSource = import.meta.url.endsWith('.ts')
  if (name === 'mail-store')
    return new Worker(new URL(isSource ? './mail-store.worker.ts' : './mail-store-worker.js', import.meta.url))
  if (name === 'smime') {
    const entry = new URL(isSource ? './smime-stream.worker.ts' : './smime-stream-worker.js', import.meta.url)
    return new Worker(entry, { resourceLimits: streamWorkerLimits(name, purpose) })
  }
  return new Worker(new URL(isSource ? './openpgp-worker.ts' : './openpgp-worker.js', import.meta.url), {
    resourceLimits: streamWorkerLimits(name, purpose),
  })
}
