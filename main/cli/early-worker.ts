import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { limits } from '../core/limits.ts'
import type { WorkerLike, WorkerPurpose } from '../core/message/technology.ts'

type StreamWorkerName = 'openpgp' | 'smime'
type StartWorker = (name: StreamWorkerName, purpose?: WorkerPurpose) => WorkerLike

/**
 * A large message's worker started before the vault opens (`compose` beside the keychain's key, `open` of a large
 * PGP/MIME mail): the thread boots (a V8 isolate, openpgp.js or pkijs) meanwhile instead of after. The first
 * request for the same technology and purpose takes it; any other gets a fresh worker as before. A worker that
 * ended before it was taken is not handed out; `dispose` ends one nothing took (it would keep the process alive).
 */
export function earlyWorker(start: StartWorker, wanted: { name: StreamWorkerName; purpose: WorkerPurpose } | null) {
  let early: WorkerLike | null = wanted ? start(wanted.name, wanted.purpose) : null
  let isTaken = false
  // Until it is taken, an error or exit only means it is not handed out (runOnWorker watches it from then on).
  const gone = () => {
    if (!isTaken) early = null
  }
  early?.on('error', gone)
  early?.on('exit', gone)
  return {
    startWorker(name: StreamWorkerName = 'openpgp', purpose?: WorkerPurpose): WorkerLike {
      if (early && !isTaken && name === wanted?.name && purpose === wanted.purpose) {
        isTaken = true
        early.off('error', gone)
        early.off('exit', gone)
        return early
      }
      return start(name, purpose)
    },
    dispose() {
      if (early && !isTaken) void early.terminate()
      early = null
    },
  }
}

/** A mail of at least limits.streamFromBytes whose first 64 KiB name application/pgp-encrypted (RFC 3156 §4). */
export function looksLikeLargePgpMime(path: string): boolean {
  return largeEncryptedTechnology(path) === 'openpgp'
}

/**
 * The technology of a mail of at least limits.streamFromBytes that is encrypted, from its first 64 KiB: PGP/MIME
 * (application/pgp-encrypted, RFC 3156 §4) or S/MIME (application/pkcs7-mime with smime-type enveloped-data or
 * authEnveloped-data, RFC 8551 §3.2.2, RFC 5083); null for anything else (the open starts its workers as it goes).
 */
export function largeEncryptedTechnology(path: string): 'openpgp' | 'smime' | null {
  let fd: number | null = null
  try {
    fd = openSync(path, 'r')
    if (fstatSync(fd).size < limits.streamFromBytes) return null
    const head = Buffer.alloc(64 * 1024)
    const n = readSync(fd, head, 0, head.length, 0)
    const text = head.toString('latin1', 0, n).toLowerCase()
    if (text.includes('application/pgp-encrypted')) return 'openpgp'
    const isEnveloped = /smime-type\s*=\s*"?(auth)?enveloped-data/.test(text)
    return isEnveloped && /application\/(x-)?pkcs7-mime/.test(text) ? 'smime' : null
  } catch {
    return null
  } finally {
    if (fd !== null) closeSync(fd)
  }
}
