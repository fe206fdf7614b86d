import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import * as asn1js from 'asn1js'
import { algorithm, children, isContext, nul, oidOf, toDer } from './der.ts'
import { oids } from './oids.ts'

/** Digest and signature algorithm identifiers shared by certificates, CRLs and CMS signatures. */
export const digestNames: Record<string, string> = {
  [oids.sha1]: 'sha1',
  [oids.sha256]: 'sha256',
  [oids.sha384]: 'sha384',
  [oids.sha512]: 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '1.2.840.113549.2.5': 'md5',
}

const signatureHashes: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5',
  '1.2.840.113549.1.1.5': 'sha1',
  [oids.sha256WithRsaEncryption]: 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  [oids.ecdsaWithSha256]: 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1',
  '2.16.840.1.101.3.4.3.1': 'sha224',
  '2.16.840.1.101.3.4.3.2': 'sha256',
}
const pureSignatures = new Set<string>([oids.ed25519, oids.ed448])

/** The AlgorithmIdentifier (DER) of the SHA-256 signatures Siegelpost makes: RSA PKCS#1 v1.5 or ECDSA. */
export const sha256SignatureAlgorithmDer = (isRsa: boolean): Uint8Array =>
  toDer(isRsa ? algorithm(oids.sha256WithRsaEncryption, nul()) : algorithm(oids.ecdsaWithSha256))

/** MD5 and SHA-1 signature algorithms: never acceptable for S/MIME (RFC 8551 §2.1). */
export const weakSignatureAlgorithms = new Set(
  Object.entries(signatureHashes)
    .filter(([, hash]) => hash === 'sha1' || hash === 'md5')
    .map(([id]) => id),
)

/**
 * Verifies `signature` over `data` with the algorithm `algorithmId` (+ parameters). In CMS the
 * signature's hash must be the SignerInfo's digestAlgorithm (`digest`); a bare rsaEncryption
 * takes its hash from there. Any error is `false`.
 */
export function verifySignatureWith(
  key: KeyObject,
  algorithmId: string,
  parameters: asn1js.AsnType | undefined,
  data: Uint8Array,
  signature: Uint8Array,
  digest?: string,
): boolean {
  try {
    if (algorithmId === oids.rsassaPss) {
      // RFC 4055 §3.1: defaults SHA-1 and salt length 20.
      let hash = 'sha1'
      let saltLength = 20
      for (const field of parameters instanceof asn1js.Sequence ? children(parameters, 'PSS') : []) {
        if (isContext(field, 0))
          hash = digestNames[oidOf(children(children(field, 'PSS')[0], 'PSS')[0], 'PSS')] ?? 'unknown'
        if (isContext(field, 2)) saltLength = (children(field, 'PSS')[0] as asn1js.Integer).valueBlock.valueDec
      }
      if (digest && hash !== digest) return false
      return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature)
    }
    if (pureSignatures.has(algorithmId)) return cryptoVerify(null, data, key, signature)
    const hash = signatureHashes[algorithmId] ?? (algorithmId === oids.rsaEncryption ? digest : undefined)
    if (!hash || (digest && hash !== digest)) return false
    if (key.asymmetricKeyType === 'rsa')
      return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)
    return cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, signature)
  } catch {
    return false
  }
}
