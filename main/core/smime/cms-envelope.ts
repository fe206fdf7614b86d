import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto'
import * as asn1js from 'asn1js'
import forge from 'node-forge'
import { SiegelpostError } from '../errors/index.ts'
import { aesKeyUnwrap, aesKeyWrap } from './aes-key-wrap.ts'
import { matchesSignerIdentifier, parseCertificate, spkiOf } from './certificate.ts'
import {
  algorithm,
  bytesOf,
  children,
  concat,
  explicit,
  implicitOctets,
  int,
  isContext,
  nul,
  octets,
  oid,
  oidOf,
  parseDer,
  rawOf,
  seq,
  set,
  toDer,
} from './der.ts'
import { oids } from './oids.ts'

/**
 * CMS EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083/5084) on node:crypto.
 * pkijs cannot do what real senders use (PKCS#1 v1.5 key transport, 3DES, AES-GCM in
 * AuthEnvelopedData, OpenSSL's ECDH output — library-facts §4.2), so the structures are built
 * and read here with asn1js and the cryptography is node:crypto; node-forge does only the one
 * operation Node and Electron refuse: RSAES-PKCS1-v1_5 decryption.
 */

export type KeyTransport = 'rsa-pkcs1' | 'rsa-oaep'
export type ContentCipher = 'aes-256-cbc' | 'aes-256-gcm'

export interface EncryptRecipient {
  certificate: Uint8Array
  /** RSA only; default PKCS#1 v1.5 (widest reach), OAEP where the recipient advertised it. */
  keyTransport?: KeyTransport
}

export interface DecryptIdentity {
  certificate: Uint8Array
  pkcs8: Uint8Array
}

export interface DecryptResult {
  content: Uint8Array
  /** e.g. "aes-256-gcm (AuthEnvelopedData)", "aes-256-cbc", "des-ede3-cbc". */
  contentAlgorithm: string
  /** AuthEnvelopedData: the content's integrity was checked (GCM tag). */
  isAuthenticated: boolean
}

const kdfSchemes: Record<string, string> = {
  '1.3.133.16.840.63.0.2': 'sha1',
  '1.3.132.1.11.0': 'sha224',
  [oids.dhSinglePassStdDhSha256KdfScheme]: 'sha256',
  '1.3.132.1.11.2': 'sha384',
  '1.3.132.1.11.3': 'sha512',
}
const wrapCiphers: Record<string, { bytes: number }> = {
  [oids.aes128Wrap]: { bytes: 16 },
  [oids.aes192Wrap]: { bytes: 24 },
  [oids.aes256Wrap]: { bytes: 32 },
}
const cbcCiphers: Record<string, { cipher: string; bytes: number }> = {
  [oids.aes128Cbc]: { cipher: 'aes-128-cbc', bytes: 16 },
  [oids.aes192Cbc]: { cipher: 'aes-192-cbc', bytes: 24 },
  [oids.aes256Cbc]: { cipher: 'aes-256-cbc', bytes: 32 },
  [oids.desEde3Cbc]: { cipher: 'des-ede3-cbc', bytes: 24 },
}
const gcmCiphers: Record<string, { cipher: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'; bytes: number }> = {
  [oids.aes128Gcm]: { cipher: 'aes-128-gcm', bytes: 16 },
  [oids.aes192Gcm]: { cipher: 'aes-192-gcm', bytes: 24 },
  [oids.aes256Gcm]: { cipher: 'aes-256-gcm', bytes: 32 },
}
const hashOids: Record<string, string> = {
  [oids.sha1]: 'sha1',
  [oids.sha256]: 'sha256',
  [oids.sha384]: 'sha384',
  [oids.sha512]: 'sha512',
}

const what = 'CMS'
/** Any decryption failure, whatever the cause: one error, no oracle (Bleichenbacher, RFC 3218 §2.3). */
const failed = () => new SiegelpostError('SMIME_DECRYPT_FAILED', {})

function issuerAndSerial(certificate: Uint8Array): asn1js.Sequence {
  const cert = parseCertificate(certificate)
  return seq(cert.issuer.toSchema(), cert.serialNumber)
}

function publicKeyOf(certificate: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiOf(parseCertificate(certificate))), format: 'der', type: 'spki' })
}

/** ANSI X9.63 KDF with ECC-CMS-SharedInfo (RFC 5753 §7.2). */
function x963Kdf(hash: string, z: Uint8Array, wrapOid: string, keyBytes: number, ukm: Uint8Array | null): Buffer {
  const sharedInfo = toDer(
    seq(
      algorithm(wrapOid),
      ...(ukm ? [explicit(0, octets(ukm))] : []),
      explicit(
        2,
        octets(
          new Uint8Array([
            (keyBytes * 8) >>> 24,
            ((keyBytes * 8) >>> 16) & 0xff,
            ((keyBytes * 8) >>> 8) & 0xff,
            (keyBytes * 8) & 0xff,
          ]),
        ),
      ),
    ),
  )
  const out: Buffer[] = []
  for (let counter = 1, produced = 0; produced < keyBytes; counter++) {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(counter)
    const block = createHash(hash).update(z).update(c).update(sharedInfo).digest()
    out.push(block)
    produced += block.length
  }
  return Buffer.concat(out).subarray(0, keyBytes)
}

function keyTransRecipient(certificate: Uint8Array, cek: Uint8Array, transport: KeyTransport): asn1js.Sequence {
  const key = publicKeyOf(certificate)
  if (transport === 'rsa-oaep') {
    const encrypted = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek)
    const sha256 = algorithm(oids.sha256)
    const params = seq(explicit(0, sha256), explicit(1, algorithm(oids.mgf1, algorithm(oids.sha256))))
    return seq(int(0), issuerAndSerial(certificate), algorithm(oids.rsaOaep, params), octets(encrypted))
  }
  const encrypted = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, cek)
  return seq(int(0), issuerAndSerial(certificate), algorithm(oids.rsaEncryption, nul()), octets(encrypted))
}

/** RFC 5753 §3.1.1 ephemeral-static ECDH with dhSinglePass-stdDH-sha256kdf-scheme and AES-256 key wrap. */
function keyAgreeRecipient(certificate: Uint8Array, cek: Uint8Array): asn1js.Constructed {
  const recipientKey = publicKeyOf(certificate)
  const curve = recipientKey.asymmetricKeyDetails?.namedCurve
  if (!curve) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'EC key without named curve' })
  const ephemeral = generateKeyPairSync('ec', { namedCurve: curve })
  const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipientKey })
  const kek = x963Kdf('sha256', z, oids.aes256Wrap, 32, null)
  const wrapped = aesKeyWrap(kek, cek)
  const spki = children(parseDer(ephemeral.publicKey.export({ format: 'der', type: 'spki' }), what), what)
  const originatorKey = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 1 },
    value: [algorithm(oids.ecPublicKey), spki[1]!],
  })
  const kari = [
    int(3),
    explicit(0, originatorKey),
    algorithm(oids.dhSinglePassStdDhSha256KdfScheme, algorithm(oids.aes256Wrap)),
    seq(seq(issuerAndSerial(certificate), octets(wrapped))),
  ]
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: kari })
}

/** One RecipientInfo per recipient for the content-encryption key (RSA key transport or ECDH). */
export function recipientInfosFor(
  recipients: EncryptRecipient[],
  cek: Uint8Array,
): { recipientInfos: asn1js.AsnType[]; hasKari: boolean } {
  if (recipients.length === 0) throw new SiegelpostError('INTERNAL', { reason: 'no recipients' })
  const recipientInfos = recipients.map((recipient) => {
    const type = publicKeyOf(recipient.certificate).asymmetricKeyType
    if (type === 'rsa') return keyTransRecipient(recipient.certificate, cek, recipient.keyTransport ?? 'rsa-pkcs1')
    if (type === 'ec') return keyAgreeRecipient(recipient.certificate, cek)
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `recipient key ${type}` })
  })
  // RFC 5652 §6.1: version 2 when a KeyAgreeRecipientInfo is present.
  return {
    recipientInfos,
    hasKari: recipientInfos.some((info) => info instanceof asn1js.Constructed && isContext(info, 1)),
  }
}

/**
 * Encrypts `content` (a complete MIME entity, usually already signed) to every recipient.
 * AES-256-CBC gives EnvelopedData; AES-256-GCM gives AuthEnvelopedData (what OpenSSL writes
 * for `-aes-256-gcm`), only for recipients known to read it.
 */
export function encryptCms(input: {
  content: Uint8Array
  recipients: EncryptRecipient[]
  cipher?: ContentCipher
}): Uint8Array {
  const cipher = input.cipher ?? 'aes-256-cbc'
  const cek = randomBytes(32)
  const { recipientInfos, hasKari } = recipientInfosFor(input.recipients, cek)
  if (cipher === 'aes-256-cbc') {
    const iv = randomBytes(16)
    const c = createCipheriv('aes-256-cbc', cek, iv)
    const encrypted = Buffer.concat([c.update(input.content), c.final()])
    const eci = seq(oid(oids.data), algorithm(oids.aes256Cbc, octets(iv)), implicitOctets(0, encrypted))
    const envelopedData = seq(int(hasKari ? 2 : 0), set(...recipientInfos), eci)
    return toDer(seq(oid(oids.envelopedData), explicit(0, envelopedData)))
  }
  const nonce = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: 16 })
  const encrypted = Buffer.concat([c.update(input.content), c.final()])
  const aeci = seq(oid(oids.data), algorithm(oids.aes256Gcm, seq(octets(nonce), int(16))), implicitOctets(0, encrypted))
  const authEnvelopedData = seq(int(0), set(...recipientInfos), aeci, octets(c.getAuthTag()))
  return toDer(seq(oid(oids.authEnvelopedData), explicit(0, authEnvelopedData)))
}

/** RSAES-PKCS1-v1_5 in pure JS: Node (since CVE-2023-46809) and Electron's BoringSSL refuse it. */
function pkcs1v15Decrypt(pkcs8: Uint8Array, encrypted: Uint8Array, expectedLength: number | null): Buffer {
  // On any failure a random key is returned instead (RFC 3218 §2.3.2): the error then comes
  // from the content decryption, the same as for every other failure — no padding oracle.
  const fallback = randomBytes(expectedLength ?? 32)
  try {
    const key = forge.pki.privateKeyFromAsn1(
      forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(pkcs8).toString('binary'))),
    ) as forge.pki.rsa.PrivateKey
    const plain = Buffer.from(key.decrypt(Buffer.from(encrypted).toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary')
    if (expectedLength !== null && plain.length !== expectedLength) return fallback
    return plain
  } catch {
    return fallback
  }
}

function mgf1(hash: string, seed: Uint8Array, length: number): Buffer {
  const out: Buffer[] = []
  for (let counter = 0, produced = 0; produced < length; counter++) {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(counter)
    const block = createHash(hash).update(seed).update(c).digest()
    out.push(block)
    produced += block.length
  }
  return Buffer.concat(out).subarray(0, length)
}

/**
 * RSAES-OAEP decryption (RFC 8017 §7.1.2) with any hash, MGF1 hash and label. Node's OAEP uses
 * one hash for both and OpenSSL/NSS senders mix them (SHA-256 + MGF1-SHA-1), so the padding is
 * removed here after a raw RSA operation; every check runs and a failure is one error.
 */
function oaepDecrypt(
  pkcs8: Uint8Array,
  encrypted: Uint8Array,
  hash: string,
  mgfHash: string,
  label: Uint8Array,
): Buffer {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
  const k = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8)
  if (encrypted.length !== k) throw failed()
  const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted)
  const hLen = createHash(hash).digest().length
  if (k < 2 * hLen + 2) throw failed()
  const maskedSeed = em.subarray(1, 1 + hLen)
  const maskedDb = em.subarray(1 + hLen)
  const seedMask = mgf1(mgfHash, maskedDb, hLen)
  const seed = Buffer.from(maskedSeed.map((b, i) => b ^ seedMask[i]!))
  const dbMask = mgf1(mgfHash, seed, maskedDb.length)
  const db = Buffer.from(maskedDb.map((b, i) => b ^ dbMask[i]!))
  const lHash = createHash(hash).update(label).digest()
  let bad = em[0]! | (timingSafeEqual(db.subarray(0, hLen), lHash) ? 0 : 1)
  let separator = -1
  for (let i = hLen; i < db.length; i++) {
    const isOne = db[i] === 1 ? 1 : 0
    const isZero = db[i] === 0 ? 1 : 0
    if (separator < 0 && isOne) separator = i
    else if (separator < 0 && !isZero) bad |= 1
  }
  if (bad || separator < 0) throw failed()
  return db.subarray(separator + 1)
}

function unwrapKeyTrans(info: asn1js.AsnType, identity: DecryptIdentity, cekLength: number | null): Buffer | null {
  const [, rid, keyAlg, encryptedKey] = children(info, what)
  if (!matchesSignerIdentifier(rid!, identity.certificate)) return null
  const [algId, params] = children(keyAlg, what)
  const encrypted = bytesOf(encryptedKey, what)
  const alg = oidOf(algId, what)
  if (alg === oids.rsaEncryption) return pkcs1v15Decrypt(identity.pkcs8, encrypted, cekLength)
  if (alg === oids.rsaOaep) {
    // RFC 8017 A.2.1 defaults: SHA-1, MGF1-SHA-1, empty label.
    let hash = 'sha1'
    let mgfHash = 'sha1'
    let label: Uint8Array = new Uint8Array()
    if (params instanceof asn1js.Sequence) {
      for (const field of children(params, what)) {
        const inner = children(field, what)[0]
        if (isContext(field, 0)) hash = hashOids[oidOf(children(inner, what)[0], what)] ?? 'unknown'
        if (isContext(field, 1))
          mgfHash = hashOids[oidOf(children(children(inner, what)[1], what)[0], what)] ?? 'unknown'
        if (isContext(field, 2)) label = bytesOf(children(inner, what)[1], what)
      }
    }
    if (hash === 'unknown' || mgfHash === 'unknown')
      throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'RSA-OAEP hash' })
    return oaepDecrypt(identity.pkcs8, encrypted, hash, mgfHash, label)
  }
  throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `key transport ${alg}` })
}

function unwrapKeyAgree(info: asn1js.AsnType, identity: DecryptIdentity): Buffer | null {
  const fields = children(info, what)
  const originator = fields.find((f) => isContext(f, 0))
  const ukmField = fields.find((f) => isContext(f, 1))
  const keyAlg = fields.find(
    (f) => f instanceof asn1js.Sequence && children(f, what)[0] instanceof asn1js.ObjectIdentifier,
  )
  const encryptedKeys = fields[fields.length - 1]
  let wrapped: Uint8Array | null = null
  for (const rek of children(encryptedKeys, what)) {
    const [rid, ek] = children(rek, what)
    const id = rid instanceof asn1js.Sequence ? rid : children(rid, what)[0]!
    if (matchesSignerIdentifier(id, identity.certificate)) wrapped = bytesOf(ek, what)
  }
  if (!wrapped) return null
  const [kdfId, wrapAlg] = children(keyAlg, what)
  const hash = kdfSchemes[oidOf(kdfId, what)]
  if (!hash) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `key agreement ${oidOf(kdfId, what)}` })
  const wrapOid = oidOf(children(wrapAlg, what)[0], what)
  const wrap = wrapCiphers[wrapOid]
  if (!wrap) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `key wrap ${wrapOid}` })
  const originatorKey = children(originator, what)[0]!
  if (!isContext(originatorKey, 1))
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'static-static ECDH originator' })
  const publicBits = children(originatorKey, what)[1]!
  // The originator's point is on the recipient's curve (RFC 5753 §3.1.1): use the recipient's curve parameters.
  const recipientSpki = children(parseDer(spkiOf(parseCertificate(identity.certificate)), what), what)
  const spki = toDer(seq(recipientSpki[0]!, publicBits))
  const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
  const privateKey = createPrivateKey({ key: Buffer.from(identity.pkcs8), format: 'der', type: 'pkcs8' })
  const z = diffieHellman({ privateKey, publicKey })
  const ukm = ukmField ? bytesOf(children(ukmField, what)[0], what) : null
  const kek = x963Kdf(hash, z, wrapOid, wrap.bytes, ukm)
  return aesKeyUnwrap(kek, wrapped)
}

/** Decrypts EnvelopedData or AuthEnvelopedData with the first identity that is a recipient. */
export function decryptCms(input: { cms: Uint8Array; identities: DecryptIdentity[] }): DecryptResult {
  const [typeNode, content] = children(parseDer(input.cms, what), what)
  const type = oidOf(typeNode, what)
  if (type !== oids.envelopedData && type !== oids.authEnvelopedData) {
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: `not encrypted data (${type})` })
  }
  const isAuth = type === oids.authEnvelopedData
  const fields = children(children(content, what)[0], what)
  const recipientInfos = fields.find((f) => f instanceof asn1js.Set)
  const eciIndex = fields.findIndex(
    (f) => f instanceof asn1js.Sequence && children(f, what)[0] instanceof asn1js.ObjectIdentifier,
  )
  if (!recipientInfos || eciIndex < 0) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'structure' })
  const [, algNode, encryptedNode] = children(fields[eciIndex], what)
  const [algIdNode, algParams] = children(algNode, what)
  const contentAlg = oidOf(algIdNode, what)
  const cbc = cbcCiphers[contentAlg]
  const gcm = gcmCiphers[contentAlg]
  if (!(isAuth ? gcm : cbc))
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `content encryption ${contentAlg}` })
  if (!encryptedNode || !isContext(encryptedNode, 0))
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'detached encrypted content' })
  const encrypted = bytesOf(encryptedNode, what)
  const cekLength = (cbc ?? gcm)!.bytes

  for (const cek of contentKeysFor(recipientInfos, input.identities, cekLength)) {
    try {
      if (cbc) {
        const d = createDecipheriv(cbc.cipher, cek, bytesOf(algParams, what))
        return {
          content: Buffer.concat([d.update(encrypted), d.final()]),
          contentAlgorithm: cbc.cipher,
          isAuthenticated: false,
        }
      }
      const [nonceNode, icvNode] = children(algParams, what)
      const tagLength = icvNode ? (icvNode as asn1js.Integer).valueBlock.valueDec : 12
      const authAttrs = fields.find((f) => isContext(f, 1))
      const mac = bytesOf(fields[fields.length - 1], what)
      if (mac.length !== tagLength) throw failed()
      const d = createDecipheriv(gcm!.cipher, cek, bytesOf(nonceNode, what), { authTagLength: tagLength })
      // RFC 5083 §2.2: the authenticated attributes are MACed as a DER SET OF.
      if (authAttrs) d.setAAD(concat([new Uint8Array([0x31]), rawOf(authAttrs).subarray(1)]))
      d.setAuthTag(mac)
      return {
        content: Buffer.concat([d.update(encrypted), d.final()]),
        contentAlgorithm: `${gcm!.cipher} (AuthEnvelopedData)`,
        isAuthenticated: true,
      }
    } catch {
      // wrong key for this recipient info or damaged content: try the next, then fail uniformly
    }
  }
  throw failed()
}

/**
 * The content-encryption keys our identities unwrap from a RecipientInfos SET, in order. A
 * PKCS#1 v1.5 failure yields a random key (no oracle), so a key here is only a candidate until
 * the content decrypts.
 */
export function contentKeysFor(
  recipientInfos: asn1js.AsnType,
  identities: DecryptIdentity[],
  cekLength: number,
): Buffer[] {
  const keys: Buffer[] = []
  for (const info of children(recipientInfos, what)) {
    for (const identity of identities) {
      try {
        const cek =
          info instanceof asn1js.Sequence
            ? unwrapKeyTrans(info, identity, cekLength)
            : isContext(info, 1)
              ? unwrapKeyAgree(info, identity)
              : null
        if (cek) keys.push(cek)
      } catch (error) {
        if (error instanceof SiegelpostError && error.code === 'SMIME_UNSUPPORTED') throw error
      }
    }
  }
  return keys
}

/** Content-encryption algorithms we read, by OID: CBC (EnvelopedData) and GCM (AuthEnvelopedData). */
export const contentCiphers = { cbc: cbcCiphers, gcm: gcmCiphers }
export { failed as decryptFailed }
