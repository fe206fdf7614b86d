import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { decryptCms, encryptCms } from '../../main/core/smime/cms-envelope.ts'
import { signCms } from '../../main/core/smime/cms-signed.ts'
import { verifySmimeSignature } from '../../main/core/smime/cms-verify.ts'
import { certificatesFromFile } from '../../main/core/smime/certificate.ts'
import { smimeTechnology } from '../../main/core/smime/smime-keys.ts'
import { skipUnless } from '../helpers/needs.ts'
import { signDerArgs } from '../helpers/cms-args.ts'
import { hasOpenssl, makeTestPki, openssl, type TestPki } from '../helpers/smime-pki.ts'

/** Hostile or broken S/MIME input: clear errors or honest verdicts, never a crash or a false "valid". */
let dir: string
let pki: TestPki
const entity = Buffer.from('Content-Type: text/plain\r\n\r\nBetrag: 1.000 EUR\r\n')

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    return error instanceof SiegelpostError ? error.code : `foreign ${(error as Error).name}`
  }
  return 'no error'
}

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('S/MIME bad input', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-smime-bad-'))
    pki = makeTestPki(dir)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const sign = (who: { certificate: Uint8Array; pkcs8: Uint8Array }, now = new Date(), content: Uint8Array = entity) =>
    signCms({ content, signer: { ...who, chain: [] }, detached: true, now })
  const verify = (cms: Uint8Array, options: { from?: string; now?: Date; content?: Uint8Array } = {}) =>
    verifySmimeSignature({
      cms,
      detachedContent: options.content ?? entity,
      from: options.from ?? 'alice@example.org',
      anchors: [pki.ca.certificate],
      crls: null,
      now: options.now ?? new Date(),
    })

  it('garbage DER and truncated CMS are errors or invalid verdicts, never crashes', () => {
    const good = encryptCms({ content: entity, recipients: [{ certificate: pki.alice.certificate }] })
    const identity = { certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8 }
    for (const bytes of [
      new Uint8Array([0x30, 0x80, 0x02]),
      new Uint8Array(0),
      good.subarray(0, good.length - 17),
      Buffer.from('not DER at all'),
    ]) {
      expect(codeOf(() => decryptCms({ cms: bytes, identities: [identity] }))).toMatch(
        /^(SMIME_MALFORMED|SMIME_DECRYPT_FAILED)$/,
      )
      expect(verify(bytes).state).toBe('invalid')
    }
  })

  it('refuses a BER bomb (deep nesting) within the limits', () => {
    const depth = 5000
    const bomb = Buffer.concat([
      Buffer.alloc(depth * 2).map((_, i) => (i % 2 === 0 ? 0x30 : 0x80)),
      Buffer.alloc(depth * 2),
    ])
    expect(codeOf(() => decryptCms({ cms: bomb, identities: [] }))).toBe('SMIME_MALFORMED')
  })

  it('truncated base64 in a certificate file is an error', () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(pki.alice.certificate).toString('base64').slice(0, 101)}\n-----END CERTIFICATE-----\n`
    expect(codeOf(() => certificatesFromFile(Buffer.from(pem)))).toBe('SMIME_MALFORMED')
  })

  it('a signature over different content is invalid', () => {
    const verdict = verify(sign(pki.alice), {
      content: Buffer.from('Content-Type: text/plain\r\n\r\nBetrag: 9.000 EUR\r\n'),
    })
    expect(verdict).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/changed after signing/) })
  })

  it('a certificate expired or not yet valid at signing time is never valid', () => {
    const expired = verify(sign(pki.alice, new Date(Date.now() + 400 * 86_400_000)), {
      now: new Date(Date.now() + 401 * 86_400_000),
    })
    expect(expired).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/expired/) })
    const early = verify(sign(pki.alice, new Date('2020-01-01T00:00:00Z')))
    expect(early).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/not yet valid/) })
  })

  it('a signing time in the future is not accepted', () => {
    expect(verify(sign(pki.alice, new Date(Date.now() + 3 * 86_400_000))).state).toBe('invalid')
  })

  it('wrong EKU, no e-mail address, SHA-1-signed certificate: invalid with the reason', () => {
    expect(verify(sign(pki.serverAuth), { from: 'srv@example.org' })).toMatchObject({
      state: 'invalid',
      reason: expect.stringMatching(/e-mail protection/),
    })
    expect(verify(sign(pki.noEmail), { from: 'x@example.org' })).toMatchObject({
      state: 'invalid',
      reason: expect.stringMatching(/no e-mail address/),
    })
    expect(verify(sign(pki.sha1), { from: 'old@example.org' })).toMatchObject({
      state: 'invalid',
      reason: expect.stringMatching(/SHA-1/),
    })
  })

  it('a signer that is not the sender is a mismatch; an untrusted CA is invalid', () => {
    expect(verify(sign(pki.alice), { from: 'chef@example.org' })).toMatchObject({
      state: 'mismatch',
      signer: 'alice@example.org',
    })
    const untrusted = verifySmimeSignature({
      cms: sign(pki.alice),
      detachedContent: entity,
      from: 'alice@example.org',
      anchors: [pki.fran.certificate],
      crls: null,
      now: new Date(),
    })
    expect(untrusted).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/trusted anchor/) })
  })

  it('a signature without the signer certificate is unknown-key', async () => {
    await writeFile(join(dir, 'entity.txt'), entity)
    const bare = openssl(['cms', ...signDerArgs('entity.txt', pki.alice, ['-nocerts'])], { cwd: dir })
    expect(verify(bare).state).toBe('unknown-key')
    expect(
      verifySmimeSignature({
        cms: bare,
        detachedContent: entity,
        from: 'alice@example.org',
        anchors: [pki.ca.certificate],
        knownCertificates: [pki.alice.certificate],
        crls: null,
        now: new Date(),
      }).state,
    ).toBe('valid')
  })

  it('a .p12 with a wrong password or a damaged MAC stores nothing and says so', async () => {
    openssl(
      [
        'pkcs12',
        '-export',
        '-inkey',
        pki.alice.keyFile,
        '-in',
        pki.alice.certFile,
        '-out',
        'a.p12',
        '-passout',
        'pass:richtig',
      ],
      { cwd: dir },
    )
    const bytes = await readFile(join(dir, 'a.p12'))
    await expect(
      smimeTechnology.import({ bytes, fileName: 'a.p12' }, { passphrase: Buffer.from('falsch'), now: new Date() }),
    ).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_WRONG' })
    const damaged = Buffer.from(bytes)
    damaged[damaged.length - 30]! ^= 0xff
    await expect(
      smimeTechnology.import(
        { bytes: damaged, fileName: 'a.p12' },
        { passphrase: Buffer.from('richtig'), now: new Date() },
      ),
    ).rejects.toBeInstanceOf(SiegelpostError)
  })

  it('decrypts and verifies a message larger than asn1js 4 default limits (16 MiB, 10,000 nodes)', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 0x41)
    const signed = signCms({
      content: big,
      signer: { certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8, chain: [] },
      detached: false,
      now: new Date(),
    })
    const encrypted = encryptCms({ content: signed, recipients: [{ certificate: pki.alice.certificate }] })
    const decrypted = decryptCms({
      cms: encrypted,
      identities: [{ certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8 }],
    })
    const verdict = verifySmimeSignature({
      cms: decrypted.content,
      from: 'alice@example.org',
      anchors: [pki.ca.certificate],
      crls: null,
      now: new Date(),
    })
    expect(verdict.state).toBe('valid')
    expect(verdict.content!.length).toBe(big.length)
    // and OpenSSL's streamed (indefinite-length, chunked) BER of the same size
    await writeFile(join(dir, 'big.bin'), big)
    openssl(
      [
        'cms',
        '-encrypt',
        '-binary',
        '-stream',
        '-aes256',
        '-in',
        'big.bin',
        '-outform',
        'DER',
        '-out',
        'big.der',
        pki.alice.certFile,
      ],
      { cwd: dir },
    )
    const streamed = await readFile(join(dir, 'big.der'))
    expect(
      Buffer.from(
        decryptCms({ cms: streamed, identities: [{ certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8 }] })
          .content,
      ).equals(big),
    ).toBe(true)
  })
})
