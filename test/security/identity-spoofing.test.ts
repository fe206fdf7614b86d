import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AttackLab,
  headerLines,
  mail,
  message,
  part,
  pgpMimeEncrypted,
  pgpMimeSigned,
  pkcs7Mime,
  read,
  warningCodes,
} from '../helpers/attack-lab.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'

/**
 * Identity attacks ("Johnny, You Are Fired!", USENIX Security 2019, §ID attacks): the signature is
 * genuine, but the headers make the reader believe someone else sent it. Each case is a mail made
 * by real gpg or openssl and read with `open --json`: the verdict, its code, the CLI.md warnings and
 * the `parts`.
 */
const skip = skipUnless('gpg and openssl', hasGpg && hasOpenssl, 'apt-get install gnupg openssl')
let lab: AttackLab
let pki: TestPki
const body = part(['Content-Type: text/plain; charset=utf-8'], 'Bitte überweisen Sie 5.000 EUR auf das neue Konto.\n')
const signedBy = (signer: string, headers: string[]) => message(headers, pgpMimeSigned(lab, signer, body))

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  lab.gpgKey('Chef <boss@office.example>')
  lab.gpgKey('Eve <eve@office.example>')
  lab.gpgKey('Leser <reader@office.example>')
  lab.importGpgKeys(['reader@office.example'])
  pki = makeTestPki(lab.dir)
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('identity spoofing: a genuine signature under a misleading sender', () => {
  it('control: eve signs as eve — valid, no warning, one signed text part', () => {
    const doc = lab.open(
      signedBy('eve@office.example', headerLines('Eve <eve@office.example>', 'reader@office.example', 'x')),
    )
    expect(doc.security.signature).toMatchObject({
      state: 'valid',
      signer: 'eve@office.example',
      code: 'SIGNATURE_VALID',
    })
    expect(warningCodes(doc)).toEqual([])
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: true }])
  })

  it('a display name that is another address: valid for eve, with from-display-address naming both', () => {
    const from = '"boss@office.example" <eve@office.example>'
    const doc = lab.open(signedBy('eve@office.example', headerLines(from, 'reader@office.example', 'x')))
    expect(doc.security.signature).toMatchObject({ state: 'valid', signer: 'eve@office.example' })
    expect(warningCodes(doc)).toEqual(['from-display-address'])
    expect(doc.security.warnings[0]!.text).toContain('boss@office.example')
    expect(doc.security.warnings[0]!.text).toContain('eve@office.example')
    // The same trick in an RFC 2047 encoded word, and in a comment, is seen too.
    const encoded =
      '=?utf-8?B?' + Buffer.from('Chef boss@office.example').toString('base64') + '?= <eve@office.example>'
    const comment = 'eve@office.example (boss@office.example)'
    for (const value of [encoded, comment]) {
      const other = lab.open(signedBy('eve@office.example', headerLines(value, 'reader@office.example', 'x')))
      expect(warningCodes(other), value).toEqual(['from-display-address'])
    }
  })

  it('the signer is not the sender (From boss, signed by eve): mismatch, never valid for boss', () => {
    const doc = lab.open(signedBy('eve@office.example', headerLines('Chef <boss@office.example>', 'r@x.example', 'x')))
    expect(doc.security.signature).toMatchObject({
      state: 'mismatch',
      signer: 'eve@office.example',
      code: 'SIGNATURE_SIGNER_NOT_SENDER',
    })
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('two From fields, or two addresses in one, with a signature by one of them: mismatch and several-from', () => {
    const twoFields = headerLines('Eve <eve@office.example>', 'reader@office.example', 'x', [
      'From: Chef <boss@office.example>',
    ])
    const twoAddresses = headerLines('boss@office.example, eve@office.example', 'reader@office.example', 'x')
    for (const headers of [twoFields, twoAddresses]) {
      const doc = lab.open(signedBy('eve@office.example', headers))
      expect(doc.security.signature).toMatchObject({ state: 'mismatch', code: 'SIGNATURE_SEVERAL_SENDERS' })
      expect(warningCodes(doc)).toEqual(['several-from'])
      expect(doc.headers.from).toContain('boss@office.example')
    }
  })

  it('no From address at all: mismatch and several-from (count 0)', () => {
    const headers = headerLines('undisclosed-recipients:;', 'reader@office.example', 'x')
    const doc = lab.open(signedBy('eve@office.example', headers))
    expect(doc.security.signature).toMatchObject({ state: 'mismatch', code: 'SIGNATURE_SEVERAL_SENDERS' })
    expect(warningCodes(doc)).toEqual(['several-from'])
    const none = lab.open(signedBy('eve@office.example', headerLines('', 'reader@office.example', 'x').slice(1)))
    expect(none.security.signature.state).toBe('mismatch')
    expect(warningCodes(none)).toEqual(['several-from'])
  })

  it('a Sender naming someone else is shown: sender-differs (signed and plain alike)', () => {
    const headers = headerLines('Eve <eve@office.example>', 'reader@office.example', 'x', [
      'Sender: boss@office.example',
    ])
    const doc = lab.open(signedBy('eve@office.example', headers))
    expect(doc.security.signature.state).toBe('valid')
    expect(doc.headers.sender).toEqual(['boss@office.example'])
    expect(warningCodes(doc)).toEqual(['sender-differs'])
    const plain = lab.open(mail(headers, 'Hallo\n'))
    expect(warningCodes(plain)).toEqual(['sender-differs'])
  })

  it('an attacker Reply-To on a genuinely decrypted and signed mail: reply-to-differs, replyTo listed', () => {
    const headers = headerLines('Chef <boss@office.example>', 'reader@office.example', 'Lohnunterlagen', [
      'Reply-To: Chef <boss@0ffice.example>',
    ])
    const encrypted = pgpMimeEncrypted(lab, ['reader@office.example'], body, { signer: 'boss@office.example' })
    const doc = lab.open(message(headers, encrypted))
    expect(doc.security.encryption.state).toBe('encrypted')
    expect(doc.security.signature).toMatchObject({ state: 'valid', signer: 'boss@office.example' })
    expect(doc.headers.replyTo).toEqual(['boss@0ffice.example'])
    expect(warningCodes(doc)).toEqual(['reply-to-differs'])
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: true, signed: true }])
    // On an unprotected mail a Reply-To is ordinary and not flagged.
    expect(warningCodes(lab.open(mail(headers, 'Hallo\n')))).toEqual([])
  })

  it('a second To field is not dropped: both are listed', () => {
    const headers = headerLines('Eve <eve@office.example>', 'reader@office.example', 'x', ['To: boss@office.example'])
    const doc = lab.open(signedBy('eve@office.example', headers))
    expect(doc.headers.to).toEqual(['reader@office.example', 'boss@office.example'])
  })

  it('an S/MIME certificate with several addresses is valid for each of them and for no other', () => {
    const ext = [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=emailProtection',
      'subjectAltName=email:eve@office.example,email:buchhaltung@office.example',
      '',
    ].join('\n')
    writeFileSync(join(lab.dir, 'multi.ext'), ext)
    lab.openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'multi.key',
      '-out',
      'multi.csr',
      '-subj',
      '/CN=Eve',
    ])
    lab.openssl([
      'x509',
      '-req',
      '-in',
      'multi.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'multi.pem',
      '-days',
      '30',
      '-extfile',
      'multi.ext',
    ])
    lab.ok('certs', 'trust', pki.ca.certFile)
    lab.file(body, 'multi-body')
    lab.openssl(
      ['cms', '-sign', '-binary', '-nodetach', '-in', 'multi-body', '-signer', 'multi.pem'].concat([
        '-inkey',
        'multi.key',
        '-outform',
        'DER',
        '-out',
        'multi.p7m',
      ]),
    )
    const opaque = pkcs7Mime(read(join(lab.dir, 'multi.p7m')), 'signed-data')
    const as = (from: string) => lab.open(message(headerLines(from, 'reader@office.example', 'x'), opaque))
    for (const from of ['eve@office.example', 'Buchhaltung <buchhaltung@office.example>']) {
      const doc = as(from)
      expect(doc.security.signature, from).toMatchObject({ state: 'valid', technology: 'smime' })
      expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: true }])
    }
    expect(as('boss@office.example').security.signature).toMatchObject({
      state: 'mismatch',
      code: 'SIGNATURE_SIGNER_NOT_SENDER',
    })
  })
})
