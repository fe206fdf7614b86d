import type { WorkerLike } from '../core/message/technology.ts'
import type { CliIo } from './command.ts'

type StreamWorkerName = 'openpgp' | 'smime'

/**
 * A large message's worker started before the vault is opened: the thread loads its code while this one waits for
 * the keychain (or the passphrase's scrypt) and loads its own, instead of after. The first `take` of that name gets
 * it; one that failed while it waited is ended and a fresh one started instead. `dispose` ends it when nothing took
 * it (a worker left running would keep the process alive).
 */
export function earlyWorker(io: CliIo, name: StreamWorkerName | null) {
  let waiting: WorkerLike | null = name && io.startWorker ? io.startWorker(name) : null
  let hasFailed = false
  const failed = () => (hasFailed = true)
  waiting?.on('error', failed)
  waiting?.on('exit', failed)
  return {
    take(wanted: StreamWorkerName): WorkerLike {
      const worker = wanted === name ? waiting : null
      if (worker) {
        waiting = null
        worker.off('error', failed)
        worker.off('exit', failed)
        if (!hasFailed) return worker
        void worker.terminate()
      }
      return io.startWorker!(wanted)
    },
    dispose() {
      void waiting?.terminate()
      waiting = null
    },
  }
}
