import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AttackLab,
  headerLines,
  message,
  multipart,
  part,
  pgpMimeEncrypted,
  pgpMimeSigned,
  warningCodes,
} from '../helpers/attack-lab.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'

/**
 * Header-protection downgrade ("Mitigation of Attacks on Email End-to-End Encryption", CCS 2020):
 * the outer header fields travel unprotected, so an attacker rewrites the Subject or the From of a
 * genuine protected mail. With RFC 9788 header protection the protected inner fields are what is
 * shown, and only when the layer that carries them is decrypted or validly signed and is the
 * whole message; otherwise the outer fields are shown with a verdict that says the mail is not
 * (wholly) protected. The inner fields and the encryption are made with gpg.
 */
const skip = skipUnless('gpg', hasGpg, 'apt-get install gnupg')
let lab: AttackLab
const innerSubject = 'Gehaltsabrechnung Oktober'
const forgedSubject = 'Dringend: Passwort bestätigen'
const protectedEntity = (hp: 'cipher' | 'clear') =>
  part(
    [
      `Content-Type: text/plain; charset=utf-8; protected-headers="v1"; hp="${hp}"`,
      'From: Chef <boss@office.example>',
      'To: reader@office.example',
      `Subject: ${innerSubject}`,
      `Date: ${new Date().toUTCString()}`,
    ],
    'Anbei die Abrechnung.\n',
  )
const outer = (from: string, subject: string) => headerLines(from, 'reader@office.example', subject)

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  lab.gpgKey('Chef <boss@office.example>')
  lab.gpgKey('Eve <eve@office.example>')
  lab.gpgKey('Leser <reader@office.example>')
  lab.importGpgKeys(['reader@office.example'])
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('header-protection downgrade: outer fields that differ from the protected inner ones', () => {
  it('encrypted and signed (hp="cipher"): a rewritten outer Subject is not shown, the protected one is', () => {
    const encrypted = pgpMimeEncrypted(lab, ['reader@office.example'], protectedEntity('cipher'), {
      signer: 'boss@office.example',
    })
    const doc = lab.open(message(outer('Chef <boss@office.example>', forgedSubject), encrypted))
    expect(doc.headers.subject).toBe(innerSubject)
    expect(doc.security.encryption.state).toBe('encrypted')
    expect(doc.security.signature).toMatchObject({ state: 'valid', signer: 'boss@office.example' })
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: true, signed: true }])
    expect(warningCodes(doc)).toEqual([])
  })

  it('encrypted without a signature: the decrypted inner Subject still beats the outer one', () => {
    const encrypted = pgpMimeEncrypted(lab, ['reader@office.example'], protectedEntity('cipher'))
    const doc = lab.open(message(outer('Chef <boss@office.example>', forgedSubject), encrypted))
    expect(doc.headers.subject).toBe(innerSubject)
    expect(doc.security.signature.state).toBe('none')
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: true, signed: false }])
  })

  it('a rewritten outer From on a protected mail is never taken for the signer: mismatch and several-from', () => {
    const encrypted = pgpMimeEncrypted(lab, ['reader@office.example'], protectedEntity('cipher'), {
      signer: 'boss@office.example',
    })
    const doc = lab.open(message(outer('Eve <eve@office.example>', innerSubject), encrypted))
    // The protected From is shown; the outer one still counts for the signer check, so the two disagree.
    expect(doc.headers.from).toBe('Chef <boss@office.example>')
    expect(doc.security.signature).toMatchObject({ state: 'mismatch', code: 'SIGNATURE_SEVERAL_SENDERS' })
    expect(warningCodes(doc)).toEqual(['several-from'])
  })

  it('signed only (hp="clear"): the inner Subject with a valid signature, the outer one once the signature breaks', () => {
    const signed = pgpMimeSigned(lab, 'boss@office.example', protectedEntity('clear'))
    const valid = lab.open(message(outer('Chef <boss@office.example>', forgedSubject), signed))
    expect(valid.headers.subject).toBe(innerSubject)
    expect(valid.security.signature.state).toBe('valid')
    const broken = Buffer.from(
      signed.toString('latin1').replace('Anbei die Abrechnung.', 'Anbei die Abrechnunq.'),
      'latin1',
    )
    const doc = lab.open(message(outer('Chef <boss@office.example>', forgedSubject), broken))
    expect(doc.security.signature).toMatchObject({ state: 'invalid' })
    expect(doc.headers.subject).toBe(forgedSubject)
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('protected fields of a part that is not the whole message are never used', () => {
    const signed = pgpMimeSigned(lab, 'boss@office.example', protectedEntity('clear'))
    const attacker = part(['Content-Type: text/plain'], 'Siehe unten.\n')
    const doc = lab.open(
      message(outer('Chef <boss@office.example>', forgedSubject), multipart('mixed', 'w', [attacker, signed])),
    )
    expect(doc.headers.subject).toBe(forgedSubject)
    expect(doc.security.signature).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(doc)).toEqual(['partly-protected'])
  })

  it('without header protection the outer Subject is all there is, and the mail says it is not signed', () => {
    const plainInner = part(['Content-Type: text/plain; charset=utf-8', `Subject: ${innerSubject}`], 'Anbei.\n')
    const encrypted = pgpMimeEncrypted(lab, ['reader@office.example'], plainInner)
    const doc = lab.open(message(outer('Chef <boss@office.example>', forgedSubject), encrypted))
    // No protected-headers marker: the inner field is not taken for the header (RFC 9788 §4.10).
    expect(doc.headers.subject).toBe(forgedSubject)
    expect(doc.security.signature.state).toBe('none')
  })
})
