import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { allFuzzTargets } from './all-targets.ts'
import { describeResult, runFuzzTarget } from './run.ts'
import { corporaRoot, repoRoot } from './targets.ts'

/**
 * Coverage-guided fuzzing, bounded: every target runs SIEGELPOST_FUZZ_SECONDS (default 30) in a worker
 * thread, seeded from ../shared/corpora, and the test fails on any crash (an error other than the
 * reader's documented refusal), broken invariant or hang. Executions and coverage are printed per
 * target. First, every input in test/fuzz/regressions/<target>/ (each one a crash found earlier) is
 * replayed. Long runs: `npm run fuzz -- --duration 600`.
 */
const seconds = Number(process.env.SIEGELPOST_FUZZ_SECONDS ?? 30)
// A fixed seed in the suite, so a red run can be replayed and a green one stays green on the same machine;
// `npm run fuzz` explores with fresh seeds, and what it finds becomes a regression input here.
const seed = Number(process.env.SIEGELPOST_FUZZ_SEED ?? 20261204)
const regressionRoot = join(repoRoot, 'test', 'fuzz', 'regressions')
const needsCorpora = allFuzzTargets.filter((t) => !t.name.startsWith('vault-')).map((t) => t.name)

describe('fuzz regressions: inputs that once crashed a reader are refused with its documented error', () => {
  for (const target of allFuzzTargets) {
    const dir = join(regressionRoot, target.name)
    const files = existsSync(dir) ? readdirSync(dir).sort() : []
    if (files.length === 0) continue
    it.each(files)(`${target.name}: %s`, async (file) => {
      const run = await target.load()
      const input = new Uint8Array(readFileSync(join(dir, file)))
      const started = performance.now()
      const error = await Promise.resolve()
        .then(() => run(input))
        .then(
          () => null,
          (e: unknown) => e,
        )
      if (error !== null) expect(target.isExpected(error), String((error as Error).stack ?? error)).toBe(true)
      expect(performance.now() - started).toBeLessThan(target.slowMs)
    })
  }
})

describe('what the regressions fixed', () => {
  const files = (target: string, prefix = '') =>
    readdirSync(join(regressionRoot, target))
      .filter((name) => name.startsWith(prefix))
      .map((name) => new Uint8Array(readFileSync(join(regressionRoot, target, name))))

  it('a certificate with a damaged extension value is malformed, not a certificate without that extension', async () => {
    const { parseCertificate } = await import('../../main/core/smime/certificate.ts')
    for (const der of files('certificate'))
      expect(() => parseCertificate(der)).toThrow(expect.objectContaining({ code: 'SMIME_MALFORMED' }))
  })

  it('a SignedData whose parts are primitive where constructed ones belong is malformed, not a TypeError', async () => {
    const { verifySignedData } = await import('../../main/core/smime/cms-signed.ts')
    for (const cms of files('cms', 'encapsulated'))
      expect(() => verifySignedData({ cms })).toThrow(expect.objectContaining({ code: 'SMIME_MALFORMED' }))
  })

  it('a damaged time in a certificate extension, or a SignerIdentifier without serial, is malformed, not a crash', async () => {
    const { verifySignedData } = await import('../../main/core/smime/cms-signed.ts')
    const detachedContent = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nx\r\n')
    const malformed = expect.objectContaining({ code: 'SMIME_MALFORMED' })
    const [extension] = files('cms', 'certificate-extension')
    const [identifier] = files('cms', 'signer-identifier')
    expect(() => verifySignedData({ cms: extension!, detachedContent })).toThrow(malformed)
    expect(() => verifySignedData({ cms: identifier! })).toThrow(malformed)
  })

  it('a Bcc field behind a stray CR is read as Bcc by the envelope and removed from the bytes alike', async () => {
    const { readHeaderFields, readMessageHeaders, withoutBcc } =
      await import('../../main/core/transport/message-headers.ts')
    for (const mail of files('message-headers', 'bcc-after-')) {
      const raw = Buffer.from(mail)
      expect(readMessageHeaders(raw, 'regression.eml').recipients).toContain('geheim@e.test')
      expect(withoutBcc(raw).toString('latin1')).not.toMatch(/bcc|geheim/i)
      expect([...readHeaderFields(withoutBcc(raw)).keys()]).toEqual(['from', 'to', 'subject'])
    }
  })

  it('a message that starts with the empty line has no header fields: its body is never read as headers', async () => {
    const { readHeaderFields, readMessageHeaders, withoutBcc } =
      await import('../../main/core/transport/message-headers.ts')
    const [onlyBcc] = files('message-headers', 'only-bcc-')
    expect([...readHeaderFields(withoutBcc(Buffer.from(onlyBcc!))).keys()]).toEqual([])
    // Before: the envelope came from the body, and the mail went to whoever the body named.
    const bodyOnly = Buffer.from('\r\nFrom: a@b.test\r\nTo: victim@x.test\r\n\r\nbody\r\n')
    expect(() => readMessageHeaders(bodyOnly, 'body-only.eml')).toThrow(
      expect.objectContaining({ code: 'SEND_NO_SENDER' }),
    )
  })

  it('a .p12 asking for millions of rounds of the JS key derivation is refused at once, not after 40 s', async () => {
    const { readPkcs12 } = await import('../../main/core/smime/pkcs12.ts')
    for (const p12 of files('pkcs12')) {
      const started = performance.now()
      expect(() => readPkcs12(p12, new TextEncoder().encode('nss'))).toThrow(
        expect.objectContaining({ code: 'SMIME_MALFORMED' }),
      )
      expect(performance.now() - started).toBeLessThan(1000)
    }
  })

  it('a base64 body with data after "=" decodes to the same bytes whole and in chunks (reported digest = saved bytes)', async () => {
    const { decodeBody, decodedBodyChunks, parseMime } = await import('../../main/core/mime/parse.ts')
    for (const mail of files('mime')) {
      const part = parseMime(mail)
      expect(Buffer.concat([...decodedBodyChunks(part)])).toEqual(Buffer.from(decodeBody(part)))
    }
  })
})

describe('coverage-guided fuzzing (bounded run)', () => {
  it.each(allFuzzTargets.map((t) => t.name))(
    '%s: no crash, broken invariant or hang',
    async (name) => {
      if (needsCorpora.includes(name) && !existsSync(corporaRoot)) {
        if (process.env.CI === 'true') throw new Error(`the corpora are required in CI but missing at ${corporaRoot}`)
        console.warn(
          `${name}: ../shared/corpora not found (set SIEGELPOST_CORPORA), fuzzing from the self-made seeds only`,
        )
      }
      const result = await runFuzzTarget(name, { durationMs: seconds * 1000, seed })
      console.log(describeResult(result))
      expect(result.execs).toBeGreaterThan(0)
      const report = result.findings.map(
        (f) => `${f.kind} ${f.signature}\n${f.message.split('\n').slice(0, 6).join('\n')}\ninput (base64): ${f.input}`,
      )
      expect(report, 'add the input to test/fuzz/regressions/<target>/ and fix the reader').toEqual([])
    },
    seconds * 1000 + 240_000,
  )
})
