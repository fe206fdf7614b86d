import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import * as asn1js from 'asn1js'
import { concat, octets, oid, seq, set, tlv, toDer, toPem } from './der.ts'
import { extensionIds, nameAttributeIds, oids } from './oids.ts'
import { sha256SignatureAlgorithmDer } from './signature-algorithm.ts'

/**
 * PKCS#10 certificate requests (RFC 2986) for an S/MIME certificate (RFC 8550 §4.4): the
 * address in subjectAltName, keyUsage for signing and key transport, EKU emailProtection.
 */
export function buildCsr(input: { pkcs8: Uint8Array; name: string; emails: string[] }): string {
  const privateKey = createPrivateKey({ key: Buffer.from(input.pkcs8), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const isRsa = privateKey.asymmetricKeyType === 'rsa'
  const subject = seq(set(seq(oid(nameAttributeIds.commonName), new asn1js.Utf8String({ value: input.name }))))
  const san = tlv(0x30, ...input.emails.map((email) => tlv(0x81, new TextEncoder().encode(email))))
  // digitalSignature, nonRepudiation, and keyEncipherment (RSA) or keyAgreement (EC)
  const keyUsage = isRsa ? new Uint8Array([0x03, 0x02, 0x05, 0xe0]) : new Uint8Array([0x03, 0x02, 0x03, 0xc8])
  const eku = toDer(seq(oid(oids.emailProtection)))
  const extension = (id: string, value: Uint8Array, critical = false) =>
    tlv(0x30, toDer(oid(id)), ...(critical ? [new Uint8Array([0x01, 0x01, 0xff])] : []), toDer(octets(value)))
  const extensions = tlv(
    0x30,
    extension(extensionIds.subjectAltName, san),
    extension(extensionIds.keyUsage, keyUsage, true),
    extension(extensionIds.extKeyUsage, eku),
  )
  const extensionRequest = tlv(0x30, toDer(oid(oids.extensionRequest)), tlv(0x31, extensions))
  const info = tlv(
    0x30,
    toDer(new asn1js.Integer({ value: 0 })),
    toDer(subject),
    new Uint8Array(spki),
    tlv(0xa0, extensionRequest),
  )
  const signature = sign('sha256', info, isRsa ? privateKey : { key: privateKey, dsaEncoding: 'der' })
  const signatureValue = tlv(0x03, concat([new Uint8Array([0]), new Uint8Array(signature)]))
  const der = tlv(0x30, info, sha256SignatureAlgorithmDer(isRsa), signatureValue)
  return toPem('CERTIFICATE REQUEST', der)
}

/** A new key for a certificate request: RSA 3072 (what every CA and mail client accepts). */
export function generateSmimeKey(): Uint8Array {
  return new Uint8Array(
    generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'der', type: 'pkcs8' }),
  )
}
