import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifySmimeSignature } from '../../main/core/smime/cms-verify.ts'
import { runSmimeStreamInWorker, type StreamProgress } from '../../main/workers/smime-stream.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'
import { decryptDerArgs, signDerArgs, verifyDerArgs } from '../helpers/cms-args.ts'
import { hasOpenssl, makeTestPki, openssl, type TestPki } from '../helpers/smime-pki.ts'

/**
 * The streamed CMS in a worker thread: the worker's output is read by `openssl cms`,
 * OpenSSL's `-stream` output is read by the worker, progress events count the input, and a failed
 * job leaves no (unauthenticated) output behind.
 */
let dir: string
let pki: TestPki
const payload = randomBytes(3 * 1024 * 1024 + 77)
const cms = (args: string[]) => openssl(['cms', ...args], { cwd: dir })

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'S/MIME streaming in a worker thread',
  () => {
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sp-smime-worker-'))
      pki = makeTestPki(dir)
      await writeFile(join(dir, 'in.bin'), payload)
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    const alice = () => ({ certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8 })

    it('sign+encrypt in the worker: openssl cms decrypts and verifies it, progress counts up to the file size', async () => {
      const progress: StreamProgress[] = []
      const result = await runSmimeStreamInWorker(
        {
          kind: 'sign-encrypt',
          signer: { ...alice(), chain: [pki.ca.certificate] },
          recipients: [{ certificate: pki.fran.certificate }, { certificate: pki.alice.certificate }],
          now: new Date().toISOString(),
        },
        { input: join(dir, 'in.bin'), output: join(dir, 'out.p7m') },
        { onProgress: (p) => progress.push(p) },
      )
      expect(result).toMatchObject({ kind: 'sign-encrypt', bytesIn: payload.length })
      cms([...decryptDerArgs('out.p7m', pki.fran), '-out', 'inner.der'])
      cms([...verifyDerArgs('inner.der', pki.ca.certFile), '-out', 'verified.bin'])
      expect((await readFile(join(dir, 'verified.bin'))).equals(payload)).toBe(true)
      expect(progress.length).toBeGreaterThanOrEqual(3)
      expect(progress.every((p, i) => p.total === payload.length && (i === 0 || p.done >= progress[i - 1]!.done))).toBe(
        true,
      )
      expect(progress.at(-1)!.done).toBe(payload.length)
    })

    it.each([
      ['AES-256-CBC', '-aes256'],
      ['AES-256-GCM (AuthEnvelopedData)', '-aes-256-gcm'],
    ])(
      'decrypt+read in the worker: OpenSSL -stream output (%s), content byte-identical, signature valid',
      async (_label, cipher) => {
        const name = cipher.slice(1)
        cms([...signDerArgs('in.bin', pki.alice, ['-nodetach', '-stream']), '-out', `signed-${name}.der`])
        cms([
          '-encrypt',
          '-binary',
          '-stream',
          cipher,
          '-inform',
          'DER',
          '-in',
          `signed-${name}.der`,
          '-outform',
          'DER',
          '-out',
          `ossl-${name}.p7m`,
          pki.alice.certFile,
        ])
        const result = await runSmimeStreamInWorker(
          { kind: 'decrypt-signed', identities: [alice()] },
          { input: join(dir, `ossl-${name}.p7m`), output: join(dir, `content-${name}.bin`) },
        )
        expect((await readFile(join(dir, `content-${name}.bin`))).equals(payload)).toBe(true)
        if (result.kind !== 'decrypt-signed') throw new Error('wrong result kind')
        const verdict = verifySmimeSignature({
          cms: result.cms,
          contentDigests: result.contentDigests,
          from: 'alice@example.org',
          anchors: [pki.ca.certificate],
          crls: null,
          now: new Date(),
        })
        expect(verdict.state).toBe('valid')
      },
    )

    it('a tampered AuthEnvelopedData fails with one uniform error and the worker leaves no output file', async () => {
      const original = await readFile(join(dir, 'ossl-aes-256-gcm.p7m'))
      const tampered = Buffer.from(original)
      tampered[Math.floor(tampered.length / 2)]! ^= 0x01
      await writeFile(join(dir, 'tampered.p7m'), tampered)
      const output = join(dir, 'tampered-content.bin')
      await expect(
        runSmimeStreamInWorker(
          { kind: 'decrypt-signed', identities: [alice()] },
          { input: join(dir, 'tampered.p7m'), output },
        ),
      ).rejects.toMatchObject({ code: 'SMIME_DECRYPT_FAILED' })
      expect(existsSync(output)).toBe(false)
    })

    it('the built worker entry (out/main, what the app ships) does the same job', async () => {
      assertBuilt()
      const workerUrl = new URL('../../out/main/smime-stream-worker.js', import.meta.url)
      const signer = { ...alice(), chain: [] }
      await runSmimeStreamInWorker(
        {
          kind: 'sign-encrypt',
          signer,
          recipients: [{ certificate: pki.alice.certificate }],
          now: new Date().toISOString(),
        },
        { input: join(dir, 'in.bin'), output: join(dir, 'built.p7m') },
        { workerUrl },
      )
      const result = await runSmimeStreamInWorker(
        { kind: 'decrypt-signed', identities: [alice()] },
        { input: join(dir, 'built.p7m'), output: join(dir, 'built.bin') },
        { workerUrl },
      )
      expect((await readFile(join(dir, 'built.bin'))).equals(payload)).toBe(true)
      expect(result).toMatchObject({
        kind: 'decrypt-signed',
        bytesIn: (await readFile(join(dir, 'built.p7m'))).length,
        bytesOut: payload.length,
      })
    })

    it('never overwrites or removes a file that is already there, and reports a missing input as FILE_NOT_FOUND', async () => {
      const output = join(dir, 'keep.txt')
      await writeFile(output, 'Mandantenakte')
      await expect(
        runSmimeStreamInWorker(
          { kind: 'decrypt-signed', identities: [alice()] },
          { input: join(dir, 'ossl-aes256.p7m'), output },
        ),
      ).rejects.toMatchObject({ code: 'INTERNAL' })
      expect(await readFile(output, 'utf8')).toBe('Mandantenakte')
      await expect(
        runSmimeStreamInWorker(
          { kind: 'decrypt-signed', identities: [alice()] },
          { input: join(dir, 'missing.p7m'), output: join(dir, 'x.bin') },
        ),
      ).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
    })
  },
)
