import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { limits } from '../core/limits.ts'
import type { WorkerLike, WorkerPurpose } from '../core/message/technology.ts'
import { earlyOpenpgpWorker, looksLikeLargePgpMime } from './early-worker.ts'

const dir = mkdtempSync(join(tmpdir(), 'sp-early-worker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const pgpHead = 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n'
const mail = (name: string, head: string, size: number) => {
  const path = join(dir, name)
  writeFileSync(path, Buffer.concat([Buffer.from(head), Buffer.alloc(Math.max(0, size - head.length), 0x41)]))
  return path
}

/** Workers as a stand-in that records what was started and what was ended. */
function fakeStarts() {
  const started: { name: string; purpose: WorkerPurpose | undefined; terminated: boolean; worker: WorkerLike }[] = []
  const start = (name: 'openpgp' | 'smime', purpose?: WorkerPurpose) => {
    const emitter = new EventEmitter()
    const entry = { name, purpose, terminated: false, worker: null as unknown as WorkerLike }
    entry.worker = Object.assign(emitter, {
      postMessage: () => {},
      terminate: async () => {
        entry.terminated = true
        return 0
      },
    }) as unknown as WorkerLike
    started.push(entry)
    return entry.worker
  }
  return { started, start }
}

describe('early OpenPGP worker of open', () => {
  it('is started only for a PGP/MIME mail of limits.streamFromBytes and more', () => {
    expect(looksLikeLargePgpMime(mail('large.eml', pgpHead, limits.streamFromBytes))).toBe(true)
    expect(looksLikeLargePgpMime(mail('small.eml', pgpHead, limits.streamFromBytes - 1))).toBe(false)
    const smime = 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n'
    expect(looksLikeLargePgpMime(mail('smime.eml', smime, limits.streamFromBytes))).toBe(false)
    expect(looksLikeLargePgpMime(join(dir, 'missing.eml'))).toBe(false)
  })

  it('goes to the first OpenPGP decryption only; anything else gets a fresh worker', () => {
    const { started, start } = fakeStarts()
    const workers = earlyOpenpgpWorker(mail('a.eml', pgpHead, limits.streamFromBytes), start)
    expect(started.map((s) => [s.name, s.purpose])).toEqual([['openpgp', 'decrypt']])
    expect(workers.startWorker('smime', 'decrypt')).toBe(started[1]!.worker)
    expect(workers.startWorker('openpgp', 'decrypt')).toBe(started[0]!.worker)
    expect(workers.startWorker('openpgp', 'decrypt')).toBe(started[2]!.worker)
    workers.dispose()
    expect(started.map((s) => s.terminated)).toEqual([false, false, false])
  })

  it('is ended when nothing took it, and not handed out after it ended by itself', () => {
    const path = mail('b.eml', pgpHead, limits.streamFromBytes)
    const first = fakeStarts()
    earlyOpenpgpWorker(path, first.start).dispose()
    expect(first.started.map((s) => s.terminated)).toEqual([true])
    const second = fakeStarts()
    const workers = earlyOpenpgpWorker(path, second.start)
    ;(second.started[0]!.worker as unknown as EventEmitter).emit('exit', 1)
    expect(workers.startWorker('openpgp', 'decrypt')).toBe(second.started[1]!.worker)
  })
})
