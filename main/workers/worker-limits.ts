import type { ResourceLimits } from 'node:worker_threads'
import { limits } from '../core/limits.ts'
import type { WorkerPurpose } from '../core/message/technology.ts'

/**
 * The V8 limits of a large message's worker (limits.ts): S/MIME encryption with a large old generation (fewer full
 * collections), S/MIME decryption with a small one (less garbage held, lower peak memory), OpenPGP decryption with a
 * small young generation. The CLI's workers (main/cli.ts) and the app's (start-worker.ts, smime-stream.ts) start
 * with the same. Its own module: start-worker.ts resolves worker entries next to the bundle that imports it.
 */
export function streamWorkerLimits(name: 'openpgp' | 'smime', purpose?: WorkerPurpose): ResourceLimits {
  if (name === 'smime')
    return {
      maxOldGenerationSizeMb:
        purpose === 'decrypt' ? limits.smimeDecryptWorkerHeapMiB : limits.smimeStreamWorkerHeapMiB,
    }
  return purpose === 'decrypt' ? { maxYoungGenerationSizeMb: limits.openpgpDecryptWorkerYoungMiB } : {}
}

/**
 * V8 flags a CLI process sets before it starts a large message's worker (v8.setFlagsFromString: they hold for the
 * whole process, its main thread included, so the app's main process does not set them). S/MIME encryption: a
 * larger heap growing factor (limits.smimeEncryptHeapGrowingPercent), else a long compose runs a full collection
 * every few dozen milliseconds in its worker.
 */
export function cliWorkerV8Flags(name: 'openpgp' | 'smime', purpose?: WorkerPurpose): string[] {
  if (name === 'smime' && purpose === 'encrypt')
    return [`--heap-growing-percent=${limits.smimeEncryptHeapGrowingPercent}`]
  return []
}
