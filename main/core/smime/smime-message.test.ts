import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hasOpenssl, makeTestPki, type TestPki } from '../../../test/helpers/smime-pki.ts'
import { smimeComposeInput, smimeVaultKeys } from '../../../test/helpers/smime-vault.ts'
import { skipUnless } from '../../../test/helpers/needs.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { composeMessage, type ComposeInput } from '../message/compose.ts'
import { openMessage } from '../message/open.ts'
import { messageTechnologies } from '../message/technologies.ts'
import { base64Lines, entity, multipart, textEntity } from '../mime/build.ts'
import { signCms } from './cms-signed.ts'
import { oids } from './oids.ts'
import { smimeMessageTechnology } from './smime-message.ts'

// The test CA issues its certificates at the moment the test runs.
const now = new Date(Date.now() + 60_000)

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'S/MIME message technology (open + compose)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-smime-message-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const pki: TestPki = makeTestPki(dir)
    const { own, publicOnly, anchor } = smimeVaultKeys(pki)
    // Alice (RSA) writes to Fran (EC P-256: ECDH key agreement).
    const aliceVault = [own(pki.alice), publicOnly(pki.fran), ...anchor]
    const franVault = [own(pki.fran), ...anchor]
    const input = smimeComposeInput
    const compose = (over: Partial<ComposeInput> = {}, keys = aliceVault) =>
      composeMessage(input(over), { keys, now, technologies: messageTechnologies })
    const open = async (bytes: Uint8Array, keys: StoredKey[] = franVault) =>
      (await openMessage(bytes, messageTechnologies, { keys, now })).document
    const text = (bytes: Uint8Array) =>
      Buffer.from(bytes)
        .toString('latin1')
        .replace(/\r?\n[ \t]+/g, ' ')

    it('sign-then-encrypt to an ECDH recipient and the sender: opens valid, with the protected Subject', async () => {
      const result = await compose()
      expect(result).toMatchObject({ technology: 'smime', encrypted: true, signed: true })
      expect(result.encryptedTo).toHaveLength(2)
      expect(text(result.bytes)).toMatch(/Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/)
      expect(text(result.bytes)).not.toContain('Jahresabschluss')
      for (const keys of [franVault, aliceVault]) {
        const document = await open(result.bytes, keys)
        expect(document.security.encryption).toMatchObject({ state: 'encrypted', technology: 'smime' })
        expect(document.security.signature).toMatchObject({
          state: 'valid',
          technology: 'smime',
          signer: 'alice@example.org',
        })
        expect(document.headers.subject).toBe('Jahresabschluss 2025')
        expect(document.text).toContain('anbei der Entwurf')
        expect(document.attachments.map((a) => a.filename)).toEqual(['Entwurf.pdf'])
      }
    })

    it('uses AuthEnvelopedData and RSA-OAEP only when every recipient advertised them', async () => {
      const gcm = [oids.aes256Gcm, oids.rsaOaep]
      const both = await compose({}, [own(pki.alice, gcm), publicOnly(pki.fran, gcm), ...anchor])
      expect(text(both.bytes)).toMatch(/smime-type=authEnveloped-data/)
      expect((await open(both.bytes)).security.encryption.reason).toMatch(/aes-256-gcm \(AuthEnvelopedData\)/)
      expect((await open(both.bytes)).security.warnings).toEqual([])
      const oneOnly = await compose({}, [own(pki.alice, gcm), publicOnly(pki.fran), ...anchor])
      expect(text(oneOnly.bytes)).toMatch(/smime-type=enveloped-data/)
      // CBC is covered by the valid inner signature; without a signature it is the unauthenticated-encryption warning.
      expect((await open(oneOnly.bytes)).security.warnings).toEqual([])
      const unsigned = await compose({ sign: false }, [own(pki.alice), publicOnly(pki.fran), ...anchor])
      expect((await open(unsigned.bytes)).security.warnings.map((w) => w.code)).toEqual(['unauthenticated-encryption'])
      // The sender's own certificate counts as reading what Siegelpost reads.
      const ownDefault = await compose({}, [own(pki.alice), publicOnly(pki.fran, gcm), ...anchor])
      expect(text(ownDefault.bytes)).toMatch(/smime-type=authEnveloped-data/)
    })

    it('sign-only is detached multipart/signed; a foreign From is a mismatch, a changed byte invalid', async () => {
      const signed = await compose({ encrypt: 'none', sign: true })
      expect(text(signed.bytes)).toMatch(
        /Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256/,
      )
      expect((await open(signed.bytes)).security.signature).toMatchObject({
        state: 'valid',
        signer: 'alice@example.org',
      })
      const spoofed = Buffer.from(signed.bytes)
        .toString('latin1')
        .replace(/^From: alice@example.org/m, 'From: chef@example.org')
      expect((await open(Buffer.from(spoofed, 'latin1'))).security.signature.state).toBe('mismatch')
      const changed = Buffer.from(signed.bytes).toString('latin1').replace('anbei der Entwurf', 'anbei die Rechnung')
      const document = await open(Buffer.from(changed, 'latin1'))
      expect(document.security.signature.state).toBe('invalid')
      expect(document.security.signature.code).toBe('SIGNATURE_CONTENT_CHANGED')
    })

    it('a forged CMS (its own content instead of the part it signs) is invalid with that reason, not an unknown key', async () => {
      const alice = { certificate: pki.alice.certificate, chain: [], pkcs8: pki.alice.pkcs8 }
      const cms = signCms({ content: textEntity('Harmlos'), signer: alice, detached: false, now })
      const signaturePart = entity(
        [
          ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(cms),
      )
      const forged = multipart(
        'signed',
        { protocol: 'application/pkcs7-signature', micalg: 'sha-256' },
        [textEntity('Bitte überweisen Sie an DE00'), signaturePart],
        [['From', 'alice@example.org']],
      )
      const document = await open(forged)
      expect(document.security.signature).toMatchObject({
        state: 'invalid',
        technology: 'smime',
        code: 'SIGNATURE_OTHER_CONTENT',
      })
    })

    it('accepts the old x-pkcs7-signature protocol name', async () => {
      const signed = Buffer.from((await compose({ encrypt: 'none', sign: true })).bytes)
        .toString('latin1')
        .replace(/protocol="application\/pkcs7-signature"/, 'protocol="application/x-pkcs7-signature"')
      expect((await open(Buffer.from(signed, 'latin1'))).security.signature.state).toBe('valid')
    })

    it('offers the certificates a signature carried, never the CA, never imported', async () => {
      const signed = await compose({ encrypt: 'none', sign: true })
      const document = await open(signed.bytes)
      expect(document.offeredKeys).toEqual([
        expect.objectContaining({
          source: 'signature',
          technology: 'smime',
          emails: ['alice@example.org'],
          isKnown: false,
        }),
      ])
    })

    it('an opaque signature around ciphertext: decrypted, but not shown as signed', async () => {
      const envelope = await smimeMessageTechnology.encrypt(
        textEntity('Geheimer Inhalt'),
        [publicOnly(pki.fran)],
        null,
        now,
      )
      const cms = signCms({
        content: envelope,
        signer: { certificate: pki.alice.certificate, chain: [], pkcs8: pki.alice.pkcs8 },
        detached: false,
        now,
      })
      const message = entity(
        [
          ['From', 'alice@example.org'],
          ['Content-Type', 'application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        base64Lines(cms),
      )
      const document = await open(message)
      expect(document.security.encryption.state).toBe('encrypted')
      expect(document.security.signature.state).toBe('none')
      expect(document.security.signature.code).toBeNull()
      expect(document.security.warnings.map((w) => w.code)).toContain('signature-only-ciphertext')
      expect(document.text).toContain('Geheimer Inhalt')
    })

    it('decrypts only a top-level encrypted part (EFAIL): one inside multipart/mixed stays an attachment', async () => {
      const envelope = await smimeMessageTechnology.encrypt(
        textEntity('SECRET-TEXT'),
        [publicOnly(pki.fran)],
        null,
        now,
      )
      const message = multipart(
        'mixed',
        {},
        [textEntity('<img src="http://attacker/'), envelope, textEntity('">')],
        [['From', 'eve@example.org']],
      )
      const document = await open(message)
      expect(document.security.encryption.state).toBe('none')
      expect(document.security.encryption.code).toBeNull()
      expect(document.parts.map((part) => part.kind)).toEqual(['text', 'not-opened', 'text'])
      expect(document.text).not.toContain('SECRET-TEXT')
    })

    it('a message not encrypted to the vault, or damaged, is a failed state with a reason — no throw', async () => {
      const envelope = await smimeMessageTechnology.encrypt(
        textEntity('nur für Fran'),
        [publicOnly(pki.fran)],
        null,
        now,
      )
      const notForAlice = await open(envelope, aliceVault)
      expect(notForAlice.security.encryption).toMatchObject({
        state: 'failed',
        technology: 'smime',
        code: 'ENCRYPTION_SMIME_NOT_DECRYPTED',
      })
      expect(notForAlice.text).toBe('')
      const garbage = entity(
        [
          ['Content-Type', 'application/pkcs7-mime; smime-type=enveloped-data'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\r\n',
      )
      expect((await open(garbage)).security.encryption.state).toBe('failed')
      const badSignature = multipart(
        'signed',
        { protocol: 'application/pkcs7-signature', micalg: 'sha-256' },
        [
          textEntity('Hallo'),
          entity(
            [
              ['Content-Type', 'application/pkcs7-signature'],
              ['Content-Transfer-Encoding', 'base64'],
            ],
            'AAAA\r\n',
          ),
        ],
        [['From', 'alice@example.org']],
      )
      const document = await open(badSignature)
      expect(document.security.signature.state).toBe('invalid')
      expect(document.text).toContain('Hallo')
      const badOpaque = entity(
        [
          ['From', 'alice@example.org'],
          ['Content-Type', 'application/pkcs7-mime; smime-type=signed-data'],
          ['Content-Transfer-Encoding', 'base64'],
        ],
        'MIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n',
      )
      const opaque = await open(badOpaque)
      expect(opaque.security.signature.state).toBe('invalid')
      expect(opaque.text).toBe('')
    })

    it('refuses to compose S/MIME to a recipient without a usable certificate — never plaintext', async () => {
      await expect(compose({ to: ['unbekannt@example.org'] })).rejects.toMatchObject({
        code: 'MESSAGE_NO_RECIPIENT_KEY',
      })
      // auto: OpenPGP has no keys here, S/MIME covers everyone.
      expect((await compose({ encrypt: 'auto' })).technology).toBe('smime')
    })
  },
)
