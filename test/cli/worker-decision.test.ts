import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../main/cli.ts'
import type { CliIo } from '../../main/cli/command.ts'
import { limits } from '../../main/core/limits.ts'
import { isStreamedSize } from '../../main/core/streaming/large-part.ts'
import { startStreamWorker } from '../../main/workers/start-worker.ts'
import { memorySecretStore } from '../helpers/memory-secret-store.ts'
import { skipUnless } from '../helpers/needs.ts'
import { hasOpenssl, makeTestPki, openssl } from '../helpers/smime-pki.ts'

/**
 * Small mail is composed and opened in this thread, without a worker (whose start costs more than the work);
 * from limits.streamFromBytes on, the worker thread does it. The CLI runs in-process with the worker seam of
 * CliIo counting the workers it starts (real workers, from source), and every message opens to its attachment.
 */
let dir: string
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const started: string[] = []
const keychain = memorySecretStore()

function io(out: string[]): CliIo {
  return {
    stdout: (text) => void out.push(text),
    stderr: (text) => void out.push(text),
    env: { LANG: 'C' },
    cwd: dir,
    home: dir,
    platform: process.platform,
    keychain: async () => keychain,
    now: () => new Date(),
    tempDir: dir,
    startWorker: (name) => {
      started.push(name)
      return startStreamWorker(name)
    },
  }
}

async function cli(...args: string[]): Promise<string> {
  const out: string[] = []
  const status = await runCli([...args, '--profile', join(dir, 'profile')], io(out))
  expect(status, out.join('')).toBe(0)
  return out.join('')
}

const messages = {
  openpgp: ['--from', 'anna@kanzlei.test', '--to', 'anna@kanzlei.test', '--encrypt', 'openpgp', '--sign'],
  smime: ['--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'smime', '--sign'],
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-worker-decision-'))
  await cli('keys', 'generate', '--name', 'Anna Beraterin', '--email', 'anna@kanzlei.test')
  if (hasOpenssl) {
    const pki = makeTestPki(dir)
    const p12 = ['-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, '-certfile', pki.ca.certFile]
    openssl(['pkcs12', '-export', ...p12, '-out', 'alice.p12', '-passout', 'pass:pw'], { cwd: dir })
    await writeFile(join(dir, 'pw'), 'pw\n')
    await cli('certs', 'trust', pki.ca.certFile)
    await cli('keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw'))
  }
})
afterAll(() => rm(dir, { recursive: true, force: true }))

it('one threshold decides: below limits.streamFromBytes in memory, from it on streamed', () => {
  expect(isStreamedSize(limits.streamFromBytes - 1)).toBe(false)
  expect(isStreamedSize(limits.streamFromBytes)).toBe(true)
  expect(isStreamedSize(0, 0)).toBe(true)
})

describe.each(['openpgp', 'smime'] as const)('%s through the CLI', (technology) => {
  const roundTrip = async (size: number, name: string, args = messages[technology]) => {
    const attachment = randomBytes(size)
    await writeFile(join(dir, name), attachment)
    started.length = 0
    await cli('compose', ...args, '--attach', join(dir, name), '--out', join(dir, `${name}.eml`))
    const composing = [...started]
    started.length = 0
    const saved = join(dir, `${name}-saved`)
    const opened = JSON.parse(await cli('open', join(dir, `${name}.eml`), '--json', '--save-attachments', saved))
    expect(opened.security.encryption.state).toBe('encrypted')
    expect(opened.security.signature.state).toBe('valid')
    const written = await readFile(join(saved, name))
    expect(written.equals(attachment)).toBe(true)
    // The reported digest is of the saved file (one decoding pass writes it and hashes it).
    expect(opened.attachments).toEqual([
      expect.objectContaining({ filename: name, size: written.length, sha256: sha256(written) }),
    ])
    return { composing, opening: [...started] }
  }

  it.skipIf(technology === 'smime' && skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
    'a 1 MB attachment never starts a worker; one of limits.streamFromBytes starts one to compose and one to open',
    async () => {
      expect(await roundTrip(1_000_000, `${technology}-small.bin`)).toEqual({ composing: [], opening: [] })
      expect(await roundTrip(limits.streamFromBytes, `${technology}-large.bin`)).toEqual({
        composing: [technology],
        opening: [technology],
      })
    },
  )

  it.skipIf(technology === 'smime' && skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
    'the default --encrypt auto (through the recipient plan) streams a large attachment through the worker too',
    async () => {
      const auto = messages[technology].filter((arg, i, all) => arg !== '--encrypt' && all[i - 1] !== '--encrypt')
      expect(await roundTrip(limits.streamFromBytes, `${technology}-auto.bin`, auto)).toEqual({
        composing: [technology],
        opening: [technology],
      })
    },
  )
})
