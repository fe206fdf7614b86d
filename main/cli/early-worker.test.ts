import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { limits } from '../core/limits.ts'
import type { WorkerLike, WorkerPurpose } from '../core/message/technology.ts'
import { earlyWorker, largeEncryptedTechnology, looksLikeLargePgpMime } from './early-worker.ts'

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

describe('the early worker of open and compose', () => {
  it('is started only for a PGP/MIME mail of limits.streamFromBytes and more', () => {
    expect(looksLikeLargePgpMime(mail('large.eml', pgpHead, limits.streamFromBytes))).toBe(true)
    expect(looksLikeLargePgpMime(mail('small.eml', pgpHead, limits.streamFromBytes - 1))).toBe(false)
    const smime = 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n'
    expect(looksLikeLargePgpMime(mail('smime.eml', smime, limits.streamFromBytes))).toBe(false)
    expect(looksLikeLargePgpMime(join(dir, 'missing.eml'))).toBe(false)
  })

  it('names the technology of a large encrypted mail: PGP/MIME, or S/MIME enveloped data; nothing else', () => {
    const enveloped = 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n\r\n'
    const auth = 'Content-Type: application/x-pkcs7-mime;\r\n smime-type="authEnveloped-data"\r\n\r\n'
    const signed = 'Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n'
    expect(largeEncryptedTechnology(mail('pgp.eml', pgpHead, limits.streamFromBytes))).toBe('openpgp')
    expect(largeEncryptedTechnology(mail('env.eml', enveloped, limits.streamFromBytes))).toBe('smime')
    expect(largeEncryptedTechnology(mail('auth.eml', auth, limits.streamFromBytes))).toBe('smime')
    expect(largeEncryptedTechnology(mail('signed.eml', signed, limits.streamFromBytes))).toBe(null)
    expect(largeEncryptedTechnology(mail('env-small.eml', enveloped, limits.streamFromBytes - 1))).toBe(null)
    expect(largeEncryptedTechnology(join(dir, 'missing.eml'))).toBe(null)
  })

  it('goes to the first OpenPGP decryption only; anything else gets a fresh worker', () => {
    const { started, start } = fakeStarts()
    const workers = earlyWorker(start, { name: 'openpgp', purpose: 'decrypt' })
    expect(started.map((s) => [s.name, s.purpose])).toEqual([['openpgp', 'decrypt']])
    expect(workers.startWorker('smime', 'decrypt')).toBe(started[1]!.worker)
    expect(workers.startWorker('openpgp', 'decrypt')).toBe(started[0]!.worker)
    expect(workers.startWorker('openpgp', 'decrypt')).toBe(started[2]!.worker)
    workers.dispose()
    expect(started.map((s) => s.terminated)).toEqual([false, false, false])
  })

  it('is ended when nothing took it, and not handed out after it ended by itself', () => {
    const first = fakeStarts()
    earlyWorker(first.start, { name: 'openpgp', purpose: 'decrypt' }).dispose()
    expect(first.started.map((s) => s.terminated)).toEqual([true])
    const second = fakeStarts()
    const workers = earlyWorker(second.start, { name: 'openpgp', purpose: 'decrypt' })
    ;(second.started[0]!.worker as unknown as EventEmitter).emit('exit', 1)
    expect(workers.startWorker('openpgp', 'decrypt')).toBe(second.started[1]!.worker)
  })

  it("compose's S/MIME encryption worker goes to that technology's first encryption; none wanted starts none", () => {
    const { started, start } = fakeStarts()
    const workers = earlyWorker(start, { name: 'smime', purpose: 'encrypt' })
    expect(workers.startWorker('openpgp', 'encrypt')).toBe(started[1]!.worker)
    expect(workers.startWorker('smime', 'encrypt')).toBe(started[0]!.worker)
    const none = fakeStarts()
    const fresh = earlyWorker(none.start, null)
    expect(none.started).toEqual([])
    expect(fresh.startWorker('smime', 'encrypt')).toBe(none.started[0]!.worker)
    fresh.dispose()
    expect(none.started.map((s) => s.terminated)).toEqual([false])
  })
})
