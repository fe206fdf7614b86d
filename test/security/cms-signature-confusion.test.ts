import { join } from 'node:path'
import * as asn1js from 'asn1js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AttackLab,
  headerLines,
  message,
  multipart,
  part,
  pkcs7Mime,
  read,
  warningCodes,
} from '../helpers/attack-lab.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../helpers/smime-pki.ts'

/**
 * CMS signature confusion ("Johnny, You Are Fired!", USENIX Security 2019, §CMS attacks): a
 * SignedData whose signed content (eContent) is not what is displayed, several signers, no signer at
 * all, and detached and enveloped signatures swapped. The SignedData is always made by openssl with
 * Alice's certificate from a CA the reader trusts; Siegelpost must never call such a mail valid.
 */
const skip = skipUnless('openssl', hasOpenssl, 'apt-get install openssl')
let lab: AttackLab
let pki: TestPki
const genuine = part(['Content-Type: text/plain; charset=utf-8'], 'Die Rechnung ist bezahlt.\n')
const forged = part(['Content-Type: text/plain; charset=utf-8'], 'Neue Bankverbindung: DE00 6666 6666 6666\n')
const headers = () => headerLines('Alice <alice@example.org>', 'fran@example.org', 'Rechnung')
let files = 0

/** openssl cms -sign over `content` (DER), with the signers given as [cert, key] file pairs. */
function cmsSign(content: Uint8Array, options: { detached: boolean; signers?: [string, string][] }): Buffer {
  const name = `cms${++files}`
  lab.file(content, `${name}.in`)
  const signers = (options.signers ?? [['alice.pem', 'alice.key']]).flatMap(([cert, key]) => [
    '-signer',
    cert,
    '-inkey',
    key,
  ])
  lab.openssl([
    'cms',
    '-sign',
    '-binary',
    ...(options.detached ? [] : ['-nodetach']),
    '-in',
    `${name}.in`,
    ...signers,
    '-outform',
    'DER',
    '-out',
    `${name}.der`,
  ])
  return read(join(lab.dir, `${name}.der`))
}

/** multipart/signed (RFC 8551 §3.5.3) of `content` with `der` as its application/pkcs7-signature part. */
function detachedMail(content: Uint8Array, der: Uint8Array): Buffer {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{76})/g, '$1\r\n')
  const signature = part(
    ['Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Transfer-Encoding: base64'],
    base64,
  )
  return message(
    headers(),
    multipart('signed', 'cms', [content, signature], '; protocol="application/pkcs7-signature"; micalg=sha-256'),
  )
}

/** The same SignedData with its SignerInfos removed (an empty SET), re-encoded. */
function withoutSigners(der: Buffer): Buffer {
  const contentInfo = asn1js.fromBER(new Uint8Array(der).buffer).result as asn1js.Sequence
  const explicit = contentInfo.valueBlock.value[1] as asn1js.Constructed
  const signedData = explicit.valueBlock.value[0] as asn1js.Sequence
  const fields = signedData.valueBlock.value
  const signerInfos = fields[fields.length - 1] as asn1js.Set
  expect(signerInfos.valueBlock.value.length).toBe(1)
  signerInfos.valueBlock.value = []
  return Buffer.from(contentInfo.toBER())
}

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  pki = makeTestPki(lab.dir)
  lab.ok('certs', 'trust', pki.ca.certFile)
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('CMS signature confusion', () => {
  it('control: Alice’s opaque and detached signatures are valid, one signed text part', () => {
    for (const doc of [
      lab.open(message(headers(), pkcs7Mime(cmsSign(genuine, { detached: false }), 'signed-data'))),
      lab.open(detachedMail(genuine, cmsSign(genuine, { detached: true }))),
    ]) {
      expect(doc.security.signature).toMatchObject({ state: 'valid', technology: 'smime', signer: 'alice@example.org' })
      expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: true }])
      expect(warningCodes(doc)).toEqual([])
    }
  })

  it('eContent confusion: a detached multipart/signed whose SignedData carries other content is invalid', () => {
    const opaque = cmsSign(genuine, { detached: false })
    const doc = lab.open(detachedMail(forged, opaque))
    expect(doc.security.signature).toMatchObject({ state: 'invalid', technology: 'smime' })
    expect(doc.security.signature.code).toBe('SIGNATURE_OTHER_CONTENT')
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('detached signature over other content: invalid with SIGNATURE_CONTENT_CHANGED', () => {
    const doc = lab.open(detachedMail(forged, cmsSign(genuine, { detached: true })))
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_CONTENT_CHANGED' })
    expect(doc.parts.map((p) => p.signed)).toEqual([false])
  })

  it('detached vs enveloped: a detached SignedData sent as opaque signed-data has no content and is invalid', () => {
    const doc = lab.open(message(headers(), pkcs7Mime(cmsSign(genuine, { detached: true }), 'signed-data')))
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_CONTENT_MISSING' })
    expect(doc.text).not.toContain('Rechnung')
    expect(doc.parts.every((p) => !p.signed)).toBe(true)
  })

  it('several signers (Alice and a certificate without address): invalid with SIGNATURE_SEVERAL_SIGNERS', () => {
    const der = cmsSign(genuine, {
      detached: false,
      signers: [
        ['alice.pem', 'alice.key'],
        ['noemail.pem', 'noemail.key'],
      ],
    })
    const doc = lab.open(message(headers(), pkcs7Mime(der, 'signed-data')))
    expect(doc.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_SEVERAL_SIGNERS' })
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('no signer: a SignedData with an empty SignerInfos set is invalid with SIGNATURE_NO_SIGNER', () => {
    const der = withoutSigners(cmsSign(genuine, { detached: false }))
    const opaque = lab.open(message(headers(), pkcs7Mime(der, 'signed-data')))
    expect(opaque.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_NO_SIGNER' })
    expect(opaque.parts.every((p) => !p.signed)).toBe(true)
    const detached = lab.open(detachedMail(genuine, withoutSigners(cmsSign(genuine, { detached: true }))))
    expect(detached.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_NO_SIGNER' })
    expect(detached.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })
})
