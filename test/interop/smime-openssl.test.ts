import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decryptCms, encryptCms, type DecryptIdentity } from '../../main/core/smime/cms-envelope.ts'
import { encryptionChoiceFrom, signCms } from '../../main/core/smime/cms-signed.ts'
import {
  decryptCmsStream,
  encryptCmsStream,
  readSignedStream,
  signCmsStream,
} from '../../main/core/smime/cms-stream.ts'
import { verifySmimeSignature } from '../../main/core/smime/cms-verify.ts'
import { smimeMaterial, smimeTechnology, fromB64 } from '../../main/core/smime/smime-keys.ts'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { decryptDerArgs, signDerArgs, verifyDerArgs } from '../helpers/cms-args.ts'
import { hasOpenssl, makeTestPki, openssl, opensslText, type TestPki } from '../helpers/smime-pki.ts'
import { skipUnless } from '../helpers/needs.ts'

let dir: string
let pki: TestPki
const entity = Buffer.from(
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nVertrauliche Lohnabrechnung =C3=BCbersandt.\r\n',
)
const password = new TextEncoder().encode('Kanzlei 2026!')

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('S/MIME interop with openssl cms', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-smime-'))
    pki = makeTestPki(dir)
    await writeFile(join(dir, 'entity.txt'), entity)
    await writeFile(join(dir, 'pw'), 'Kanzlei 2026!')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const cms = (args: string[]) => openssl(['cms', ...args], { cwd: dir })
  /** entity.txt encrypted by openssl (AES-256-CBC) to DER for one certificate file. */
  const encryptEntityTo = (certFile: string) =>
    cms(['-encrypt', '-binary', '-aes256', '-in', 'entity.txt', '-outform', 'DER', certFile])
  const alice = () => ({ certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8 })
  const fran = () => ({ certificate: pki.fran.certificate, pkcs8: pki.fran.pkcs8 })

  describe('openssl encrypts, Siegelpost decrypts', () => {
    it.each([
      ['default (PKCS#1 v1.5 + 3DES, OpenSSL 3.0 default)', [], 'des-ede3-cbc'],
      ['PKCS#1 v1.5 + AES-256-CBC', ['-aes256'], 'aes-256-cbc'],
      ['PKCS#1 v1.5 + AES-128-CBC', ['-aes128'], 'aes-128-cbc'],
      ['PKCS#1 v1.5 + AES-192-CBC', ['-aes192'], 'aes-192-cbc'],
      [
        'RSA-OAEP SHA-256 + AES-256-CBC',
        ['-aes256', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'],
        'aes-256-cbc',
      ],
      ['RSA-OAEP SHA-1 (RFC 8017 default)', ['-aes256', '-keyopt', 'rsa_padding_mode:oaep'], 'aes-256-cbc'],
      ['AuthEnvelopedData AES-256-GCM', ['-aes-256-gcm'], 'aes-256-gcm (AuthEnvelopedData)'],
    ])('%s', (_name, options, algorithm) => {
      const recipient = options.includes('-keyopt')
        ? ['-recip', pki.alice.certFile, ...options]
        : [...options, pki.alice.certFile]
      const encrypted = cms(['-encrypt', '-binary', '-in', 'entity.txt', '-outform', 'DER', ...recipient])
      const result = decryptCms({ cms: encrypted, identities: [alice()] })
      expect(Buffer.from(result.content).equals(entity)).toBe(true)
      expect(result.contentAlgorithm).toBe(algorithm)
    })

    it('ECDH (RFC 5753, OpenSSL default KDF) to an EC recipient', () => {
      const encrypted = encryptEntityTo(pki.fran.certFile)
      expect(Buffer.from(decryptCms({ cms: encrypted, identities: [alice(), fran()] }).content).equals(entity)).toBe(
        true,
      )
    })

    it('gives one uniform error when the message is not for us or damaged', () => {
      const encrypted = encryptEntityTo(pki.serverAuth.certFile)
      const codeOf = (bytes: Uint8Array) => {
        try {
          const { content } = decryptCms({ cms: bytes, identities: [alice()] })
          return Buffer.from(content).equals(entity) ? 'decrypted' : 'garbage'
        } catch (error) {
          return (error as SiegelpostError).code
        }
      }
      expect(codeOf(encrypted)).toBe('SMIME_DECRYPT_FAILED')
      const forAlice = Buffer.from(encryptEntityTo(pki.alice.certFile))
      // Flip a bit in the RSA-encrypted key (near the middle), and one in the last byte of the
      // second-to-last ciphertext block: in CBC that flips the padding byte itself, so the damage
      // is caught every time (a flip in the last block leaves valid padding about 1 time in 256).
      const badKey = Buffer.from(forAlice)
      badKey[Math.floor(badKey.length / 2)]! ^= 1
      const badContent = Buffer.from(forAlice)
      badContent[badContent.length - 17]! ^= 1
      // A damaged key never tells itself apart (RFC 3218 §2.3.2: a random content key instead, no padding oracle): the
      // content then fails its CBC padding — except about 1 time in 256, when random bytes end in valid padding and
      // come out as garbage (CBC has no integrity; the signature inside is what catches that). Never the content.
      expect(codeOf(badKey)).toMatch(/^(SMIME_DECRYPT_FAILED|SMIME_MALFORMED|garbage)$/)
      expect(codeOf(badContent)).toBe('SMIME_DECRYPT_FAILED')
    })
  })

  describe('Siegelpost encrypts, openssl decrypts', () => {
    it.each([
      ['PKCS#1 v1.5 + AES-256-CBC', { keyTransport: 'rsa-pkcs1' as const }, 'aes-256-cbc' as const],
      ['RSA-OAEP SHA-256 + AES-256-CBC', { keyTransport: 'rsa-oaep' as const }, 'aes-256-cbc' as const],
      ['AuthEnvelopedData AES-256-GCM', { keyTransport: 'rsa-pkcs1' as const }, 'aes-256-gcm' as const],
    ])('%s', async (_name, recipient, cipher) => {
      const encrypted = encryptCms({
        content: entity,
        recipients: [{ certificate: pki.alice.certificate, ...recipient }, { certificate: pki.fran.certificate }],
        cipher,
      })
      await writeFile(join(dir, 'ours.der'), encrypted)
      const plain = cms(decryptDerArgs('ours.der', pki.alice))
      expect(plain.equals(entity)).toBe(true)
      const viaEc = cms(decryptDerArgs('ours.der', pki.fran))
      expect(viaEc.equals(entity)).toBe(true)
    })
  })

  describe('signatures', () => {
    const anchors = () => [pki.ca.certificate]
    const now = () => new Date()

    it.each([
      ['detached, RSA', false, 'alice'],
      ['opaque, RSA', true, 'alice'],
      ['detached, ECDSA', false, 'fran'],
    ])('Siegelpost signs (%s) and openssl -verify -purpose smimesign accepts it', async (_name, opaque, who) => {
      const id = who === 'alice' ? pki.alice : pki.fran
      const signed = signCms({
        content: entity,
        signer: { certificate: id.certificate, pkcs8: id.pkcs8, chain: [pki.ca.certificate] },
        detached: !opaque,
        now: now(),
      })
      await writeFile(join(dir, 'sig.der'), signed)
      const args = verifyDerArgs('sig.der', pki.ca.certFile)
      const out = cms(opaque ? args : [...args, '-content', 'entity.txt'])
      expect(out.equals(entity)).toBe(true)
      const attributes = cms(['-cmsout', '-print', '-inform', 'DER', '-in', 'sig.der']).toString()
      for (const attribute of [
        'contentType',
        'signingTime',
        'messageDigest',
        'S/MIME Capabilities',
        'id-smime-aa-encrypKeyPref',
      ])
        expect(attributes).toContain(attribute)
      expect(attributes).toContain('sha256')
    })

    it.each([
      ['detached', ['-sign', '-binary']],
      ['opaque', ['-sign', '-binary', '-nodetach']],
      ['detached, certificate chain included', ['-sign', '-binary', '-certfile', 'ca.pem']],
    ])('openssl signs (%s) and Siegelpost says valid; one changed byte says invalid', (name, args) => {
      const signed = cms([
        ...args,
        '-in',
        'entity.txt',
        '-signer',
        pki.alice.certFile,
        '-inkey',
        pki.alice.keyFile,
        '-md',
        'sha256',
        '-outform',
        'DER',
      ])
      const opaque = name === 'opaque'
      const verdict = verifySmimeSignature({
        cms: signed,
        ...(opaque ? {} : { detachedContent: entity }),
        from: 'Alice@Example.org',
        anchors: anchors(),
        crls: null,
        now: now(),
      })
      expect(verdict).toMatchObject({ state: 'valid', signer: 'alice@example.org', technology: 'smime' })
      expect(verdict.reason).toContain('revocation not checked')
      if (opaque) expect(Buffer.from(verdict.content!).equals(entity)).toBe(true)
      else {
        const tampered = Buffer.from(entity)
        tampered[tampered.length - 3]! ^= 0x20
        expect(
          verifySmimeSignature({
            cms: signed,
            detachedContent: tampered,
            from: 'alice@example.org',
            anchors: anchors(),
            crls: null,
            now: now(),
          }).state,
        ).toBe('invalid')
      }
    })

    it('reads what the signer advertised: our own SMIMECapabilities and encryption key preference', () => {
      const signed = signCms({
        content: entity,
        signer: { ...alice(), chain: [pki.ca.certificate] },
        detached: true,
        now: now(),
      })
      const verdict = verifySmimeSignature({
        cms: signed,
        detachedContent: entity,
        from: 'alice@example.org',
        anchors: anchors(),
        crls: null,
        now: now(),
      })
      expect(encryptionChoiceFrom(verdict.capabilities)).toEqual({ keyTransport: 'rsa-oaep', cipher: 'aes-256-gcm' })
      expect(Buffer.from(verdict.encryptionCertificate!).equals(Buffer.from(pki.alice.certificate))).toBe(true)
      // OpenSSL's default capabilities list no OAEP and no GCM: PKCS#1 v1.5 + AES-256-CBC for the widest reach
      const theirs = cms(signDerArgs('entity.txt', pki.alice))
      const theirVerdict = verifySmimeSignature({
        cms: theirs,
        detachedContent: entity,
        from: 'alice@example.org',
        anchors: anchors(),
        crls: null,
        now: now(),
      })
      expect(theirVerdict.capabilities.length).toBeGreaterThan(3)
      expect(encryptionChoiceFrom(theirVerdict.capabilities)).toEqual({
        keyTransport: 'rsa-pkcs1',
        cipher: 'aes-256-cbc',
      })
    })

    it('openssl SHA-1 signatures are invalid', () => {
      const signed = cms(signDerArgs('entity.txt', pki.alice, ['-md', 'sha1']))
      const verdict = verifySmimeSignature({
        cms: signed,
        detachedContent: entity,
        from: 'alice@example.org',
        anchors: anchors(),
        crls: null,
        now: now(),
      })
      expect(verdict.state).toBe('invalid')
      expect(verdict.reason).toMatch(/SHA-1/)
    })

    it('sign-then-encrypt both ways: the signed entity inside the enveloped data', async () => {
      // Siegelpost → openssl
      const signed = signCms({ content: entity, signer: { ...alice(), chain: [] }, detached: false, now: now() })
      await writeFile(
        join(dir, 'se.der'),
        encryptCms({ content: signed, recipients: [{ certificate: pki.fran.certificate }] }),
      )
      const inner = cms(decryptDerArgs('se.der', pki.fran))
      await writeFile(join(dir, 'inner.der'), inner)
      expect(cms(verifyDerArgs('inner.der', pki.ca.certFile)).equals(entity)).toBe(true)
      // openssl → Siegelpost
      const theirsSigned = cms(signDerArgs('entity.txt', pki.fran, ['-nodetach']))
      await writeFile(join(dir, 'theirs-signed.der'), theirsSigned)
      const theirs = cms([
        '-encrypt',
        '-binary',
        '-aes256',
        '-inform',
        'DER',
        '-in',
        'theirs-signed.der',
        '-outform',
        'DER',
        pki.alice.certFile,
      ])
      const decrypted = decryptCms({ cms: theirs, identities: [alice()] })
      const verdict = verifySmimeSignature({
        cms: decrypted.content,
        from: 'fran@example.org',
        anchors: anchors(),
        crls: null,
        now: now(),
      })
      expect(verdict.state).toBe('valid')
      expect(Buffer.from(verdict.content!).equals(entity)).toBe(true)
    })
  })

  describe('streamed output for large attachments', () => {
    it('sign-then-encrypt as indefinite-length BER in 64 KiB chunks: openssl and Siegelpost read it', async () => {
      const big = randomBytes(9 * 1024 * 1024 + 123)
      await writeFile(join(dir, 'big.bin'), big)
      const signer = { certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8, chain: [pki.ca.certificate] }
      const stream = encryptCmsStream(signCmsStream(createReadStream(join(dir, 'big.bin')), signer, new Date()), [
        { certificate: pki.alice.certificate },
        { certificate: pki.fran.certificate },
      ])
      await pipeline(Readable.from(stream), createWriteStream(join(dir, 'big.p7m')))
      cms([...decryptDerArgs('big.p7m', pki.fran), '-out', 'big-inner.der'])
      cms([...verifyDerArgs('big-inner.der', pki.ca.certFile), '-out', 'big-out.bin'])
      expect((await readFile(join(dir, 'big-out.bin'))).equals(big)).toBe(true)
      const decrypted = decryptCms({ cms: await readFile(join(dir, 'big.p7m')), identities: [alice()] })
      const verdict = verifySmimeSignature({
        cms: decrypted.content,
        from: 'alice@example.org',
        anchors: [pki.ca.certificate],
        crls: null,
        now: new Date(),
      })
      expect(verdict.state).toBe('valid')
      expect(Buffer.from(verdict.content!).equals(big)).toBe(true)
    })
  })

  describe('streamed decryption', () => {
    const decryptFile = async (file: string, identities = [alice()]) => {
      const parts: Uint8Array[] = []
      for await (const part of decryptCmsStream(createReadStream(join(dir, file), { highWaterMark: 4096 }), identities))
        parts.push(part)
      return Buffer.concat(parts)
    }

    it.each([
      ['openssl -stream (indefinite length, AES-256-CBC)', ['-stream', '-aes256']],
      ['openssl definite length (3DES default)', []],
      ['openssl AuthEnvelopedData AES-256-GCM', ['-aes-256-gcm']],
      ['openssl -stream AuthEnvelopedData', ['-stream', '-aes-256-gcm']],
    ])('%s', async (_name, options) => {
      const payload = randomBytes(3 * 1024 * 1024 + 7)
      await writeFile(join(dir, 'payload.bin'), payload)
      cms([
        '-encrypt',
        '-binary',
        ...options,
        '-in',
        'payload.bin',
        '-outform',
        'DER',
        '-out',
        'payload.p7m',
        pki.alice.certFile,
      ])
      expect((await decryptFile('payload.p7m')).equals(payload)).toBe(true)
    })

    it('sign-then-encrypt fully streamed: decryptCmsStream → readSignedStream → verdict on digests', async () => {
      const payload = randomBytes(2 * 1024 * 1024 + 11)
      await writeFile(join(dir, 'payload.bin'), payload)
      const check = async (file: string, identity: DecryptIdentity) => {
        const content: Uint8Array[] = []
        const { cms: detached, contentDigests } = await readSignedStream(
          decryptCmsStream(createReadStream(join(dir, file)), [identity]),
          (chunk) => void content.push(chunk),
        )
        const verdict = verifySmimeSignature({
          cms: detached,
          contentDigests,
          from: 'alice@example.org',
          anchors: [pki.ca.certificate],
          crls: null,
          now: new Date(),
        })
        return { verdict, content: Buffer.concat(content) }
      }
      // openssl: streamed opaque signature inside streamed enveloped data
      cms([...signDerArgs('payload.bin', pki.alice, ['-nodetach', '-stream']), '-out', 'p-signed.der'])
      cms([
        '-encrypt',
        '-binary',
        '-stream',
        '-aes256',
        '-inform',
        'DER',
        '-in',
        'p-signed.der',
        '-outform',
        'DER',
        '-out',
        'p-se.p7m',
        pki.fran.certFile,
      ])
      const theirs = await check('p-se.p7m', fran())
      expect(theirs.verdict.state).toBe('valid')
      expect(theirs.content.equals(payload)).toBe(true)
      // ours, and the same with one content byte changed inside the signature
      const signer = { certificate: pki.alice.certificate, pkcs8: pki.alice.pkcs8, chain: [] }
      await pipeline(
        Readable.from(
          encryptCmsStream(signCmsStream([payload], signer, new Date()), [{ certificate: pki.fran.certificate }]),
        ),
        createWriteStream(join(dir, 'o-se.p7m')),
      )
      expect((await check('o-se.p7m', fran())).verdict.state).toBe('valid')
      const signed: Uint8Array[] = []
      for await (const part of signCmsStream([payload], signer, new Date())) signed.push(part)
      const tampered = Buffer.concat(signed)
      tampered[Math.floor(tampered.length / 2)]! ^= 1
      await pipeline(
        Readable.from(encryptCmsStream([tampered], [{ certificate: pki.fran.certificate }])),
        createWriteStream(join(dir, 'o-bad.p7m')),
      )
      expect((await check('o-bad.p7m', fran())).verdict).toMatchObject({
        state: 'invalid',
        reason: expect.stringMatching(/changed after signing/),
      })
    })

    it('our streamed output, ECDH recipient; a flipped bit in GCM content fails at the end', async () => {
      const payload = randomBytes(1024 * 1024)
      await pipeline(
        Readable.from(encryptCmsStream([payload], [{ certificate: pki.fran.certificate }])),
        createWriteStream(join(dir, 'ours-stream.p7m')),
      )
      expect((await decryptFile('ours-stream.p7m', [fran()])).equals(payload)).toBe(true)
      await writeFile(join(dir, 'payload.bin'), payload)
      cms([
        '-encrypt',
        '-binary',
        '-stream',
        '-aes-256-gcm',
        '-in',
        'payload.bin',
        '-outform',
        'DER',
        '-out',
        'gcm.p7m',
        pki.alice.certFile,
      ])
      const tampered = await readFile(join(dir, 'gcm.p7m'))
      tampered[tampered.length - 200]! ^= 1
      await writeFile(join(dir, 'gcm-bad.p7m'), tampered)
      await expect(decryptFile('gcm-bad.p7m')).rejects.toMatchObject({ code: 'SMIME_DECRYPT_FAILED' })
      await expect(decryptFile('gcm.p7m', [fran()])).rejects.toMatchObject({ code: 'SMIME_DECRYPT_FAILED' })
    })
  })

  describe('PKCS#12 files from openssl pkcs12 -export', () => {
    const now = () => new Date()
    it.each([
      ['modern (PBES2, AES-256, MAC SHA-256)', []],
      ['-legacy (RC2-40 certificates, 3DES key, MAC SHA-1)', ['-legacy']],
      ['3DES for both', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ])('imports %s with key, certificate and chain', async (_name, options) => {
      openssl(
        [
          'pkcs12',
          '-export',
          ...options,
          '-inkey',
          pki.alice.keyFile,
          '-in',
          pki.alice.certFile,
          '-certfile',
          pki.ca.certFile,
          '-out',
          'a.p12',
          '-passout',
          'file:pw',
        ],
        { cwd: dir },
      )
      const bytes = await readFile(join(dir, 'a.p12'))
      const keys = await smimeTechnology.import({ bytes, fileName: 'a.p12' }, { passphrase: password, now: now() })
      const own = keys.find((k) => k.hasSecret)!
      expect(own).toMatchObject({
        technology: 'smime',
        emails: ['alice@example.org'],
        usage: ['sign', 'encrypt'],
        name: 'Alice Beraterin',
      })
      expect(Buffer.from(fromB64(smimeMaterial(own).privateKey!)).equals(Buffer.from(pki.alice.pkcs8))).toBe(true)
      expect(smimeMaterial(own).chain).toHaveLength(1)
      expect(keys.find((k) => !k.hasSecret)).toMatchObject({ name: 'Test CA', usage: ['certify'] })
      await expect(
        smimeTechnology.import(
          { bytes, fileName: 'a.p12' },
          { passphrase: new TextEncoder().encode('falsch'), now: now() },
        ),
      ).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_WRONG' })
    })

    it('imports a PEM certificate with an encrypted PKCS#8 key (openssl pkcs8 -topk8 -v2 aes256)', async () => {
      openssl(
        ['pkcs8', '-topk8', '-v2', 'aes256', '-in', pki.alice.keyFile, '-out', 'alice-enc.p8', '-passout', 'file:pw'],
        { cwd: dir },
      )
      const bytes = Buffer.concat([await readFile(pki.alice.certFile), await readFile(join(dir, 'alice-enc.p8'))])
      const [own] = await smimeTechnology.import({ bytes, fileName: 'alice.pem' }, { passphrase: password, now: now() })
      expect(own).toMatchObject({ hasSecret: true, emails: ['alice@example.org'] })
      await expect(
        smimeTechnology.import({ bytes, fileName: 'alice.pem' }, { passphrase: Buffer.from('falsch'), now: now() }),
      ).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_WRONG' })
      await expect(
        smimeTechnology.import({ bytes, fileName: 'alice.pem' }, { passphrase: null, now: now() }),
      ).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_REQUIRED' })
    })

    it.each([false, true])('exports a backup openssl pkcs12 reads (compat=%s)', async (compat) => {
      const [own] = (
        await smimeTechnology.import(
          {
            bytes: Buffer.concat([await readFile(pki.alice.certFile), await readFile(join(dir, 'alice.p8'))]),
            fileName: 'alice.pem',
          },
          { passphrase: null, now: now() },
        )
      ).filter((k) => k.hasSecret)
      const p12 = await smimeTechnology.export(own!, { part: 'secret', format: 'p12', passphrase: password, compat })
      await writeFile(join(dir, 'backup.p12'), p12)
      const info = opensslText(['pkcs12', '-in', 'backup.p12', '-passin', 'file:pw', '-nodes', '-info'], dir)
      expect(info).toContain('BEGIN PRIVATE KEY')
      expect(info).toContain('BEGIN CERTIFICATE')
      expect(info).toContain(compat ? 'pbeWithSHA1And3-KeyTripleDES-CBC' : 'PBES2, PBKDF2, AES-256-CBC')
      expect(info).toContain(compat ? 'MAC: sha1' : 'MAC: sha256')
    })
  })
})
