import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AttackLab,
  headerLines,
  mail,
  message,
  part,
  pgpMimeEncrypted,
  pgpMimeEnvelope,
  pgpMimeSigned,
  warningCodes,
} from '../helpers/attack-lab.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'

/**
 * OpenPGP-specific attacks (EFAIL 2018; "Johnny, You Are Fired!" 2019): no MDC, compression bombs,
 * a wrong key id, a subkey that may not sign, keys expired or revoked at signing time, SHA-1. Every
 * mail is made by gpg 2.2 (times set with --faked-system-time) and read with `open --json`.
 */
const skip = skipUnless('gpg', hasGpg, 'apt-get install gnupg')
let lab: AttackLab
const day = 24 * 3600 * 1000
const body = part(['Content-Type: text/plain; charset=utf-8'], 'Freigabe der Erklärung 2025.\n')
const headers = (from: string, date = new Date()) =>
  headerLines(from, 'reader@office.example', 'Freigabe').map((line) =>
    line.startsWith('Date: ') ? `Date: ${date.toUTCString()}` : line,
  )
/** gpg's --faked-system-time value for a date (frozen clock). */
const at = (date: Date) => `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}!`

/** Imports the current public key of `uid` into the profile (after the gpg home changed it). */
const importPublic = (uid: string) =>
  lab.ok('keys', 'import', lab.file(lab.gpgRun(['--armor', '--export', uid]), `${uid}-${Date.now()}.asc`))

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  lab.gpgKey('Leser <reader@office.example>')
  lab.gpgKey('Chef <boss@office.example>')
  lab.gpgKey('Eve <eve@office.example>')
  lab.importGpgKeys(['reader@office.example'])
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('OpenPGP specifics', () => {
  it('no MDC: an inline message without integrity protection is refused, nothing shown', () => {
    const armored = lab.gpgRun(
      ['--armor', '--trust-model', 'always', '--rfc2440', '-r', 'reader@office.example', '-e'],
      'Steuer-ID 12 345 678 901\n',
    )
    const doc = lab.open(mail([...headers('boss@office.example'), 'Content-Type: text/plain'], armored))
    expect(doc.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_NO_INTEGRITY' })
    expect(doc.text).toBe('')
    expect(doc.parts).toEqual([])
  })

  it('a compression bomb (300 MiB of zeros, ZLIB level 9) is refused quickly, not expanded', () => {
    const bomb = execFileSync(
      'bash',
      [
        '-c',
        `head -c 300M /dev/zero | gpg --homedir "${lab.gpg.dir}" --batch --trust-model always --armor ` +
          '-z 9 --compress-algo zlib -r reader@office.example -e',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    )
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024)
    const started = Date.now()
    const doc = lab.open(message(headers('boss@office.example'), pgpMimeEnvelope(bomb)))
    expect(doc.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_TOO_LARGE' })
    expect(doc.text).toBe('')
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('wrong key id: a message for a key not in the vault fails with ENCRYPTION_NOT_FOR_YOU', () => {
    const doc = lab.open(message(headers('boss@office.example'), pgpMimeEncrypted(lab, ['eve@office.example'], body)))
    expect(doc.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_NOT_FOR_YOU' })
    expect(doc.text).toBe('')
  })

  it("wrong key id: eve's signature claiming the boss's key id is never valid for the boss", () => {
    const bossId = lab.gpg.fingerprintOf('boss@office.example').slice(-16)
    const binary = lab.gpgRun(['--detach-sign', '-u', 'eve@office.example'], body)
    const forged = withIssuerKeyId(binary, Buffer.from(bossId, 'hex'))
    expect(forged.equals(binary)).toBe(false)
    const armored = lab
      .gpgRun(['--enarmor'], forged)
      .toString()
      .replace(/ARMORED FILE/g, 'SIGNATURE')
    const signed = Buffer.from(
      pgpMimeSigned(lab, 'eve@office.example', body)
        .toString('latin1')
        .replace(
          /-----BEGIN PGP SIGNATURE-----[\s\S]*-----END PGP SIGNATURE-----\r?\n/,
          armored.replace(/\n/g, '\r\n'),
        ),
      'latin1',
    )
    const doc = lab.open(message(headers('Chef <boss@office.example>'), signed))
    // The key id leads to the boss's key, whose check fails: a forged signature, shown as such (never valid).
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_CONTENT_MISMATCH' })
    expect(doc.parts.every((p) => !p.signed)).toBe(true)
  })

  it('a subkey without the signing flag: its signature is invalid', () => {
    const primary = lab.gpg.generate('Sub <sub@office.example>', '', 'ed25519', 'cv25519')
    lab.gpgRun(['--quick-add-key', primary, 'rsa2048', 'sign,encr', 'never'])
    const listing = lab.gpgRun(['--with-colons', '--list-keys', primary]).toString()
    const rsaSub = listing.split('\n').find((line) => line.startsWith('sub:') && line.split(':')[3] === '1')!
    const subId = rsaSub.split(':')[4]!
    const mail = message(headers('sub@office.example'), pgpMimeSigned(lab, `${subId}!`, body))
    // The reader's copy of the key says the subkey may only encrypt (the usage changed later).
    lab.gpg.ok(['--expert', '--command-fd', '0', '--edit-key', primary], `key 2\nchange-usage\nS\nQ\nsave\n`)
    const after = lab.gpgRun(['--with-colons', '--list-keys', primary]).toString()
    expect(
      after
        .split('\n')
        .find((line) => line.includes(subId))!
        .split(':')[11],
    ).toBe('e')
    importPublic('sub@office.example')
    const doc = lab.open(mail)
    expect(doc.security.signature.state).toBe('invalid')
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('a key expired at signing time: invalid, whatever the Date header says', () => {
    const born = new Date(Date.now() - 40 * day)
    const faked = (date: Date) => ['--faked-system-time', at(date)]
    lab.gpgRun([...faked(born), '--quick-gen-key', 'Alt <expired@office.example>', 'ed25519', 'sign,cert', 'never'])
    const fpr = lab.gpg.fingerprintOf('expired@office.example')
    const signedAt = new Date(born.getTime() + 20 * day)
    const mail = message(
      headers('expired@office.example', new Date(born.getTime() + 2 * day)),
      pgpMimeSigned(lab, 'expired@office.example', body, faked(signedAt)),
    )
    // A newer self-signature (day 1) lets the key expire on day 11: before the signature.
    lab.gpgRun([...faked(new Date(born.getTime() + day)), '--quick-set-expire', fpr, '10d'])
    importPublic('expired@office.example')
    const doc = lab.open(mail)
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_KEY_NOT_VALID_THEN' })
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('a key revoked before the signature: invalid, the key was not valid at signing time', () => {
    const born = new Date(Date.now() - 40 * day)
    const faked = (date: Date) => ['--faked-system-time', at(date)]
    lab.gpgRun([...faked(born), '--quick-gen-key', 'Weg <revoked@office.example>', 'ed25519', 'sign,cert', 'never'])
    const fpr = lab.gpg.fingerprintOf('revoked@office.example')
    const mail = message(
      headers('revoked@office.example'),
      pgpMimeSigned(lab, 'revoked@office.example', body, faked(new Date(born.getTime() + 10 * day))),
    )
    // gpg's own revocation certificate, made with the key (dated at its creation), imported later.
    const certificate = readFileSync(join(lab.gpg.dir, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8')
    lab.gpgRun(['--import'], certificate.replace(/^:-----BEGIN/m, '-----BEGIN'))
    importPublic('revoked@office.example')
    const doc = lab.open(mail)
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_KEY_NOT_VALID_THEN' })
    expect(doc.parts.every((p) => !p.signed)).toBe(true)
  })

  it('SHA-1: a signature over SHA-1 by the right key is invalid with SIGNATURE_WEAK_HASH', () => {
    const mail = message(
      headers('boss@office.example'),
      pgpMimeSigned(lab, 'boss@office.example', body, ['--digest-algo', 'SHA1']),
    )
    const doc = lab.open(mail)
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_WEAK_HASH' })
    expect(warningCodes(doc)).toEqual([])
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
    // Control: the same key with SHA-256 is valid.
    const good = message(headers('boss@office.example'), pgpMimeSigned(lab, 'boss@office.example', body))
    expect(lab.open(good).security.signature.state).toBe('valid')
  })
})

/**
 * A v4 signature packet (RFC 4880 §5.2.3) with the key id of its unhashed issuer subpacket (type 16)
 * replaced: that area is not covered by the signature, so an attacker can write any key id there.
 */
function withIssuerKeyId(packet: Buffer, keyId: Buffer): Buffer {
  const out = Buffer.from(packet)
  const first = out[0]!
  if ((first & 0x40) !== 0) throw new Error('new-format packet header not expected from gpg here')
  const lengthBytes = [1, 2, 4][first & 3]!
  let at = 1 + lengthBytes
  if (out[at] !== 4) throw new Error('not a v4 signature')
  at += 4
  const hashedLength = out.readUInt16BE(at)
  at += 2 + hashedLength
  const end = at + 2 + out.readUInt16BE(at)
  at += 2
  while (at < end) {
    const length = out[at]! < 192 ? out[at]! : ((out[at]! - 192) << 8) + out[at + 1]! + 192
    at += out[at]! < 192 ? 1 : 2
    if ((out[at]! & 0x7f) === 16) keyId.copy(out, at + 1)
    at += length
  }
  return out
}
