import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeTestPki, openssl, type TestPki } from '../../../test/helpers/smime-pki.ts'
import { smimeComposeInput, smimeVaultKeys } from '../../../test/helpers/smime-vault.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { composeMessage, composeMessageStream, type ComposeInput } from '../message/compose.ts'
import { openMessage } from '../message/open.ts'
import { messageTechnologies } from '../message/technologies.ts'
import { memorySource } from '../mime/byte-source.ts'
import { base64Lines, concatBytes, entity, multipart, textEntity } from '../mime/build.ts'
import { decodeBody, parseMime } from '../mime/parse.ts'
import { encryptCms } from './cms-envelope.ts'
import { signCms } from './cms-signed.ts'
import { oids } from './oids.ts'

// The large-message path (streamed, bounded memory) against the in-memory one on the same messages: the verdicts
// and what is shown must be identical. `fromBytes: 0` streams every encrypted part; without
// startWorker the worker protocol runs on an in-thread channel (the CLI test covers the thread).
const now = new Date(Date.now() + 60_000)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'S/MIME large-message path = in-memory path',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-smime-stream-open-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const pki: TestPki = makeTestPki(dir)
    const { own, publicOnly, anchor } = smimeVaultKeys(pki)
    const gcm = [oids.aes256Gcm, oids.rsaOaep]
    const franVault = [own(pki.fran), ...anchor]
    const attachment = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251))
    const input = (over: Partial<ComposeInput> = {}) =>
      smimeComposeInput({
        sign: true,
        attachments: [{ fileName: 'Entwurf.pdf', contentType: 'application/pdf', bytes: attachment }],
        ...over,
      })
    const aliceSigner = { certificate: pki.alice.certificate, chain: [pki.ca.certificate], pkcs8: pki.alice.pkcs8 }
    const envelope = (content: Uint8Array, cipher: 'aes-256-cbc' | 'aes-256-gcm' = 'aes-256-cbc') =>
      entity(
        [
          ['From', 'alice@example.org'],
          ['Subject', 'Test'],
          [
            'Content-Type',
            `application/pkcs7-mime; smime-type=${cipher === 'aes-256-gcm' ? 'authEnveloped-data' : 'enveloped-data'}`,
          ],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(encryptCms({ content, recipients: [{ certificate: pki.fran.certificate }], cipher })),
      )

    /** Opens `bytes` both ways; returns both documents and the temp folder's state after dispose. */
    async function bothWays(bytes: Uint8Array, keys: StoredKey[] = franVault) {
      const inMemory = await openMessage(bytes, messageTechnologies, { keys, now })
      const tempDir = mkdtempSync(join(dir, 'spool-'))
      const streamed = await openMessage(bytes, messageTechnologies, {
        keys,
        now,
        streaming: { tempDir, fromBytes: 0 },
      })
      const whileOpen = readdirSync(tempDir)
      const attachments = streamed.attachmentChunks.map((chunks) => sha256(concatBytes([...chunks()])))
      streamed.dispose()
      return {
        inMemory: inMemory.document,
        streamed: streamed.document,
        whileOpen,
        afterDispose: readdirSync(tempDir),
        attachments,
      }
    }

    it('our sign-then-encrypt, CBC and GCM: the same valid verdict, text and attachment', async () => {
      for (const keys of [
        [own(pki.alice), publicOnly(pki.fran), ...anchor],
        [own(pki.alice, gcm), publicOnly(pki.fran, gcm), ...anchor],
      ]) {
        const message = (await composeMessage(input(), { keys, now, technologies: messageTechnologies })).bytes
        const run = await bothWays(message)
        expect(run.streamed).toEqual(run.inMemory)
        expect(run.streamed.security.signature).toMatchObject({ state: 'valid', signer: 'alice@example.org' })
        expect(run.attachments).toEqual([sha256(attachment)])
        expect(run.whileOpen).toHaveLength(1) // the spool, only while the result is in use
        expect(run.afterDispose).toEqual([])
      }
    })

    it('opaque signed-data inside the envelope, encrypt-only, a changed signed byte, a foreign key: the same verdicts', async () => {
      const content = multipart('mixed', {}, [
        textEntity('Anbei.'),
        entity(
          [
            ['Content-Type', 'application/pdf; name="a.pdf"'],
            ['Content-Disposition', 'attachment; filename="a.pdf"'],
            ['Content-Transfer-Encoding', 'base64'],
          ],
          base64Lines(attachment),
        ),
      ])
      const opaque = entity(
        [
          ['Content-Type', 'application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(signCms({ content, signer: aliceSigner, detached: false, now })),
      )
      const signature = entity(
        [
          ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(signCms({ content, signer: aliceSigner, detached: true, now })),
      )
      const changed = Buffer.from(content)
      changed[changed.indexOf('Anbei.')] = 'a'.charCodeAt(0)
      // Saved on Unix: bare LFs, signed in the canonical CRLF form (both paths retry with it).
      const lfContent = Buffer.from(
        'Content-Type: text/plain; charset=utf-8\n\nZeile 1\nZeile 2\n' + 'x'.repeat(70) + '\n',
      )
      const crlfSignature = entity(
        [
          ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(
          signCms({
            content: Buffer.from(lfContent.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
            signer: aliceSigner,
            detached: true,
            now,
          }),
        ),
      )
      const signedBy = (entityBytes: Uint8Array, signedBytes: Uint8Array = entityBytes) =>
        multipart('signed', { protocol: 'application/pkcs7-signature', micalg: 'sha-256' }, [
          entityBytes,
          entity(
            [
              ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
              ['Content-Transfer-Encoding', 'base64'],
            ],
            base64Lines(signCms({ content: signedBytes, signer: aliceSigner, detached: true, now })),
          ),
        ])
      // A line in the signed part that begins like the delimiter but is none: the worker's digest stops there,
      // does not match the parser's range, and the part is hashed from the spool (still valid).
      const lookAlike = Buffer.from('Content-Type: text/plain\r\n\r\nvorher\r\n--sp-fest-kein-Trenner\r\nnachher\r\n')
      const lookAlikeSigned = concatBytes([
        Buffer.from('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;'),
        Buffer.from(' boundary="sp-fest"\r\n\r\n--sp-fest\r\n'),
        lookAlike,
        Buffer.from('\r\n--sp-fest\r\n'),
        entity(
          [
            ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
            ['Content-Transfer-Encoding', 'base64'],
          ],
          base64Lines(signCms({ content: lookAlike, signer: aliceSigner, detached: true, now })),
        ),
        Buffer.from('\r\n--sp-fest--\r\n'),
      ])
      const cases = {
        lookAlike: [envelope(lookAlikeSigned), 'valid'],
        nested: [envelope(signedBy(signedBy(content))), 'valid'],
        nestedInnerChanged: [envelope(signedBy(signedBy(changed, content))), 'invalid'],
        lf: [
          envelope(
            multipart('signed', { protocol: 'application/pkcs7-signature', micalg: 'sha-256' }, [
              lfContent,
              crlfSignature,
            ]),
          ),
          'valid',
        ],
        opaque: [envelope(opaque, 'aes-256-gcm'), 'valid'],
        encryptOnly: [envelope(content), 'none'],
        changed: [
          envelope(
            multipart('signed', { protocol: 'application/pkcs7-signature', micalg: 'sha-256' }, [changed, signature]),
          ),
          'invalid',
        ],
        damagedSignature: [
          envelope(
            multipart('signed', { protocol: 'application/pkcs7-signature', micalg: 'sha-256' }, [
              content,
              entity(
                [
                  ['Content-Type', 'application/pkcs7-signature'],
                  ['Content-Transfer-Encoding', 'base64'],
                ],
                'AAAA\r\n',
              ),
            ]),
          ),
          'invalid',
        ],
      } as const
      for (const [name, [message, state]] of Object.entries(cases)) {
        const run = await bothWays(message)
        expect(run.streamed, name).toEqual(run.inMemory)
        expect(run.streamed.security.signature.state, name).toBe(state)
        expect(run.afterDispose).toEqual([])
      }
      const notForAlice = await bothWays(envelope(content), [own(pki.alice), ...anchor])
      expect(notForAlice.streamed).toEqual(notForAlice.inMemory)
      expect(notForAlice.streamed.security.encryption.state).toBe('failed')
      expect(notForAlice.whileOpen).toEqual([])
    })

    it('a flipped ciphertext bit (GCM): failed, nothing shown, no spool left', async () => {
      const message = envelope(textEntity('Geheim'), 'aes-256-gcm')
      const root = parseMime(message)
      const der = Buffer.from(decodeBody(root))
      der[der.length - 40]! ^= 0x01
      const tampered = entity(
        [
          ['From', 'alice@example.org'],
          ['Content-Type', 'application/pkcs7-mime; smime-type=authEnveloped-data'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(der),
      )
      const run = await bothWays(tampered)
      expect(run.streamed).toEqual(run.inMemory)
      expect(run.streamed.security.encryption.state).toBe('failed')
      expect(run.streamed.text).toBe('')
      expect(run.whileOpen).toEqual([])
    })

    it('compose streams a large attachment through the envelope (CBC and GCM) into what the in-memory open reads as valid', async () => {
      const vaults = [
        [[own(pki.alice), publicOnly(pki.fran), ...anchor], /aes-256-cbc/],
        [[own(pki.alice, gcm), publicOnly(pki.fran, gcm), ...anchor], /aes-256-gcm/],
      ] as const
      for (const [keys, cipher] of vaults) {
        const progress: number[] = []
        const streamed = await composeMessageStream(
          input({
            attachments: [{ fileName: 'Entwurf.pdf', contentType: 'application/pdf', bytes: memorySource(attachment) }],
          }),
          {
            keys: [...keys],
            now,
            technologies: messageTechnologies,
            streaming: { tempDir: dir, onProgress: ({ done }) => progress.push(done) },
          },
        )
        const chunks: Uint8Array[] = []
        for await (const chunk of streamed.chunks) chunks.push(chunk)
        expect(progress.length).toBeGreaterThan(0) // it went through the worker protocol
        const opened = await openMessage(concatBytes(chunks), messageTechnologies, { keys: franVault, now })
        expect(opened.document.security.signature).toMatchObject({ state: 'valid', signer: 'alice@example.org' })
        expect(opened.document.security.encryption.reason).toMatch(cipher)
        expect(opened.document.headers.subject).toBe('Jahresabschluss 2025')
        expect(opened.document.attachments.map((a) => a.sha256)).toEqual([sha256(attachment)])
        // and OpenSSL, the independent peer, reads the streamed envelope (CBC and AuthEnvelopedData GCM) too
        const eml = join(dir, 'streamed.eml')
        writeFileSync(eml, concatBytes(chunks))
        openssl(
          [
            'cms',
            '-decrypt',
            '-in',
            eml,
            '-recip',
            pki.fran.certFile,
            '-inkey',
            pki.fran.keyFile,
            '-out',
            'streamed-signed.eml',
          ],
          { cwd: dir },
        )
        openssl(
          [
            'cms',
            '-verify',
            '-in',
            'streamed-signed.eml',
            '-CAfile',
            pki.ca.certFile,
            '-purpose',
            'smimesign',
            '-out',
            'streamed-inner.eml',
          ],
          { cwd: dir },
        )
        expect(sha256(decodeBody(parseMime(readFileSync(join(dir, 'streamed-inner.eml'))).children[1]!))).toBe(
          sha256(attachment),
        )
      }
    })
  },
)
