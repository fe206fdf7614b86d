import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import * as asn1js from 'asn1js'
import { algorithm, concat, nul, octets, oid, oids, seq, set, tlv, toDer, toPem } from './der.ts'

/**
 * PKCS#10 certificate requests (RFC 2986) for an S/MIME certificate (RFC 8550 §4.4): the
 * address in subjectAltName, keyUsage for signing and key transport, EKU emailProtection.
 */
export function buildCsr(input: { pkcs8: Uint8Array; name: string; emails: string[] }): string {
  const privateKey = createPrivateKey({ key: Buffer.from(input.pkcs8), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const isRsa = privateKey.asymmetricKeyType === 'rsa'
  const subject = seq(set(seq(oid('2.5.4.3'), new asn1js.Utf8String({ value: input.name }))))
  const san = tlv(0x30, ...input.emails.map((email) => tlv(0x81, new TextEncoder().encode(email))))
  // digitalSignature, nonRepudiation, and keyEncipherment (RSA) or keyAgreement (EC)
  const keyUsage = isRsa ? new Uint8Array([0x03, 0x02, 0x05, 0xe0]) : new Uint8Array([0x03, 0x02, 0x03, 0xc8])
  const eku = toDer(seq(oid(oids.emailProtection)))
  const extension = (id: string, value: Uint8Array, critical = false) =>
    tlv(0x30, toDer(oid(id)), ...(critical ? [new Uint8Array([0x01, 0x01, 0xff])] : []), toDer(octets(value)))
  const extensions = tlv(0x30, extension('2.5.29.17', san), extension('2.5.29.15', keyUsage, true), extension('2.5.29.37', eku))
  const extensionRequest = tlv(0x30, toDer(oid('1.2.840.113549.1.9.14')), tlv(0x31, extensions))
  const info = tlv(0x30, toDer(new asn1js.Integer({ value: 0 })), toDer(subject), new Uint8Array(spki), tlv(0xa0, extensionRequest))
  const signature = sign('sha256', info, isRsa ? privateKey : { key: privateKey, dsaEncoding: 'der' })
  const signatureAlgorithm = isRsa ? toDer(algorithm('1.2.840.113549.1.1.11', nul())) : toDer(algorithm('1.2.840.10045.4.3.2'))
  const der = tlv(0x30, info, signatureAlgorithm, tlv(0x03, concat([new Uint8Array([0]), new Uint8Array(signature)])))
  return toPem('CERTIFICATE REQUEST', der)
}

/** A new key for a certificate request: RSA 3072 (what every CA and mail client accepts). */
export function generateSmimeKey(): Uint8Array {
  return new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'der', type: 'pkcs8' }))
}
