import { createPublicKey, type KeyObject } from 'node:crypto'
import * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { seq, toDer } from '../der.ts'
import { oids } from '../oids.ts'
import { verifySignatureWith } from '../signature-algorithm.ts'

/** The working public key (RFC 5280 §6.1.2 (g)–(i)): DSA keys without parameters inherit them from the issuer. */
export interface WorkingKey {
  spki: pkijs.PublicKeyInfo
  parameters: asn1js.AsnType | undefined
}

const hasParameters = (params: asn1js.AsnType | undefined) => params !== undefined && !(params instanceof asn1js.Null)

function keyObjectOf(working: WorkingKey): KeyObject {
  const alg = working.spki.algorithm
  const params = alg.algorithmParams as asn1js.AsnType | undefined
  if (!hasParameters(params) && working.parameters && alg.algorithmId === oids.dsa) {
    const algorithm = seq(new asn1js.ObjectIdentifier({ value: alg.algorithmId }), working.parameters)
    const spki = seq(algorithm, working.spki.subjectPublicKey)
    return createPublicKey({ key: Buffer.from(toDer(spki)), format: 'der', type: 'spki' })
  }
  return createPublicKey({ key: Buffer.from(toDer(working.spki)), format: 'der', type: 'spki' })
}

/** The working key after `cert` (§6.1.4 (e)–(f)); `previous` is the issuer's. */
export function nextWorkingKey(cert: pkijs.Certificate, previous: WorkingKey | null): WorkingKey {
  const alg = cert.subjectPublicKeyInfo.algorithm
  const params = alg.algorithmParams as asn1js.AsnType | undefined
  if (hasParameters(params)) return { spki: cert.subjectPublicKeyInfo, parameters: params }
  const sameAlgorithm = previous && previous.spki.algorithm.algorithmId === alg.algorithmId
  return { spki: cert.subjectPublicKeyInfo, parameters: sameAlgorithm ? previous.parameters : undefined }
}

/** Whether `key` made `signature` over `tbs` (a certificate's or a CRL's); any error is false. */
export function verifySignature(
  tbs: Uint8Array,
  algorithm: pkijs.AlgorithmIdentifier,
  signature: asn1js.BitString,
  key: WorkingKey,
): boolean {
  try {
    const params = algorithm.algorithmParams as asn1js.AsnType | undefined
    const bytes = new Uint8Array(signature.valueBlock.valueHexView)
    return verifySignatureWith(keyObjectOf(key), algorithm.algorithmId, params, tbs, bytes)
  } catch {
    return false
  }
}
