import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hash,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'
import forge from 'node-forge'
import * as asn1js from 'asn1js'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import {
  algorithm,
  bytesOf,
  children,
  explicit,
  implicitOctets,
  int,
  intOf,
  isContext,
  nul,
  octets,
  oid,
  oidOf,
  parseDer,
  seq,
  set,
  toDer,
} from './der.ts'
import { oids } from './oids.ts'

/**
 * PKCS#12 (RFC 7292) read and write, on node:crypto. Modern files use PBES2 (PBKDF2 + AES-CBC,
 * RFC 8018) for the bags and an HMAC-SHA-256 MAC. Legacy files (`openssl pkcs12 -legacy`, old
 * Windows exports) use the PKCS#12 PBE (App. B key derivation) with 3DES or RC2; RC2 is not in
 * OpenSSL 3's default provider nor in Electron's BoringSSL, so only that cipher comes from node-forge.
 * pkijs reads PBES2 only (library-facts §4.5), so it does not do this layer.
 */
export interface Pkcs12Contents {
  /** PKCS#8 PrivateKeyInfo DER, with the localKeyId that links it to its certificate. */
  keys: { pkcs8: Uint8Array; localKeyId: string | null }[]
  certificates: { der: Uint8Array; localKeyId: string | null }[]
}

const what = 'PKCS#12'
const hashes: Record<string, { name: string; v: number; u: number }> = {
  [oids.sha1]: { name: 'sha1', v: 64, u: 20 },
  [oids.sha256]: { name: 'sha256', v: 64, u: 32 },
  [oids.sha384]: { name: 'sha384', v: 128, u: 48 },
  [oids.sha512]: { name: 'sha512', v: 128, u: 64 },
}
const prfs: Record<string, string> = {
  [oids.hmacWithSha1]: 'sha1',
  [oids.hmacWithSha256]: 'sha256',
  [oids.hmacWithSha384]: 'sha384',
  [oids.hmacWithSha512]: 'sha512',
}
const aesCbc: Record<string, string> = {
  [oids.aes128Cbc]: 'aes-128-cbc',
  [oids.aes192Cbc]: 'aes-192-cbc',
  [oids.aes256Cbc]: 'aes-256-cbc',
}

/** The password as PKCS#12 wants it for its own KDF: BMPString, big-endian, with a 2-byte terminator (RFC 7292 B.1). */
function bmpPassword(password: Uint8Array): Buffer {
  const text = Buffer.from(password).toString('utf8')
  const out = Buffer.alloc(text.length * 2 + 2)
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2)
  return out
}

/** RFC 7292 Appendix B.2 key derivation. */
export function pkcs12Kdf(
  hashName: string,
  password: Buffer,
  salt: Uint8Array,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const { v, u } = Object.values(hashes).find((h) => h.name === hashName)!
  const fill = (data: Uint8Array) => {
    if (data.length === 0) return Buffer.alloc(0)
    const out = Buffer.alloc(v * Math.ceil(data.length / v))
    for (let i = 0; i < out.length; i++) out[i] = data[i % data.length]!
    return out
  }
  const D = Buffer.alloc(v, id)
  const I = Buffer.concat([fill(salt), fill(password)])
  const result: Buffer[] = []
  for (let produced = 0; produced < length; produced += u) {
    let A = createHash(hashName).update(D).update(I).digest()
    // crypto.hash: one call per round, about twice as fast as a Hash object per round.
    for (let i = 1; i < iterations; i++) A = hash(hashName, A, 'buffer')
    result.push(A)
    const B = Buffer.alloc(v)
    for (let i = 0; i < v; i++) B[i] = A[i % u]!
    for (let j = 0; j < I.length; j += v) {
      let carry = 1
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry
        I[j + k] = sum & 0xff
        carry = sum >> 8
      }
    }
  }
  return Buffer.concat(result).subarray(0, length)
}

function checkIterations(iterations: number, max: number = limits.p12MaxIterations) {
  if (!(iterations >= 1 && iterations <= max)) {
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: `iteration count ${iterations}` })
  }
}

/** Decrypts one PBE-protected blob (EncryptedPrivateKeyInfo or EncryptedData content). Bad padding = wrong password. */
export function pbeDecrypt(algId: asn1js.AsnType, data: Uint8Array, password: Uint8Array): Uint8Array {
  const [idNode, params] = children(algId, what)
  const id = oidOf(idNode, what)
  try {
    if (id === oids.pbes2) {
      const [kdf, scheme] = children(params, what)
      const [kdfId, kdfParams] = children(kdf, what)
      if (oidOf(kdfId, what) !== oids.pbkdf2)
        throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `PBES2 KDF ${oidOf(kdfId, what)}` })
      const p = children(kdfParams, what)
      const salt = bytesOf(p[0], what)
      const iterations = intOf(p[1], what)
      checkIterations(iterations)
      let prf = 'sha1'
      for (const extra of p.slice(2)) {
        if (extra instanceof asn1js.Sequence) {
          const prfId = oidOf(children(extra, what)[0], what)
          prf = prfs[prfId] ?? ''
          if (!prf) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `PBKDF2 PRF ${prfId}` })
        }
      }
      const [cipherId, ivNode] = children(scheme, what)
      const cipher = aesCbc[oidOf(cipherId, what)] ?? (oidOf(cipherId, what) === oids.desEde3Cbc ? 'des-ede3-cbc' : '')
      if (!cipher) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `PBES2 cipher ${oidOf(cipherId, what)}` })
      const keyLength = cipher === 'des-ede3-cbc' ? 24 : Number(cipher.split('-')[1]) / 8
      const key = pbkdf2Sync(password, salt, iterations, keyLength, prf)
      const decipher = createDecipheriv(cipher, key, bytesOf(ivNode, what))
      return Buffer.concat([decipher.update(data), decipher.final()])
    }
    const p = children(params, what)
    const salt = bytesOf(p[0], what)
    const iterations = intOf(p[1], what)
    checkIterations(iterations, limits.p12KdfMaxIterations)
    const bmp = bmpPassword(password)
    const legacy: Record<string, { key: number; cipher: string }> = {
      [oids.pbeSha3Des]: { key: 24, cipher: 'des-ede3-cbc' },
      [oids.pbeSha2Des]: { key: 16, cipher: 'des-ede-cbc' },
      [oids.pbeShaRc2_128]: { key: 16, cipher: 'rc2' },
      [oids.pbeShaRc2_40]: { key: 5, cipher: 'rc2' },
    }
    const spec = legacy[id]
    if (!spec) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `PBE ${id}` })
    const key = pkcs12Kdf('sha1', bmp, salt, 1, iterations, spec.key)
    const iv = pkcs12Kdf('sha1', bmp, salt, 2, iterations, 8)
    if (spec.cipher !== 'rc2') {
      const decipher = createDecipheriv(spec.cipher, key, iv)
      return Buffer.concat([decipher.update(data), decipher.final()])
    }
    const rc2 = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), spec.key * 8)
    rc2.start(forge.util.createBuffer(iv.toString('binary')))
    rc2.update(forge.util.createBuffer(Buffer.from(data).toString('binary')))
    if (!rc2.finish()) throw new Error('bad padding')
    return new Uint8Array(Buffer.from(rc2.output.getBytes(), 'binary'))
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    throw new SiegelpostError('KEY_PASSPHRASE_WRONG', {})
  }
}

function attributeValue(attributes: asn1js.AsnType | undefined, type: string): asn1js.AsnType | undefined {
  if (!attributes) return undefined
  for (const attribute of children(attributes, what)) {
    const [t, values] = children(attribute, what)
    if (oidOf(t, what) === type) return children(values, what)[0]
  }
  return undefined
}

function readSafeContents(der: Uint8Array, password: Uint8Array, out: Pkcs12Contents, depth = 0) {
  if (depth > 2) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'nested too deep' })
  for (const bag of children(parseDer(der, what), what)) {
    const [bagIdNode, bagValue, attributes] = children(bag, what)
    const bagId = oidOf(bagIdNode, what)
    const inner = children(bagValue, what)[0]
    const keyIdNode = attributeValue(attributes, oids.localKeyId)
    const localKeyId = keyIdNode ? Buffer.from(bytesOf(keyIdNode, what)).toString('hex') : null
    if (bagId === oids.keyBag) out.keys.push({ pkcs8: toDer(inner!), localKeyId })
    else if (bagId === oids.pkcs8ShroudedKeyBag) {
      const [alg, data] = children(inner, what)
      out.keys.push({ pkcs8: pbeDecrypt(alg!, bytesOf(data, what), password), localKeyId })
    } else if (bagId === oids.certBag) {
      const [certType, certValue] = children(inner, what)
      if (oidOf(certType, what) !== oids.x509Certificate) continue
      out.certificates.push({ der: bytesOf(children(certValue, what)[0], what), localKeyId })
    }
    // CRL bags and secret bags are not needed for S/MIME and are skipped.
  }
}

/** Reads a .p12/.pfx. A wrong password (MAC mismatch or bad padding) is KEY_PASSPHRASE_WRONG; nothing else is guessed. */
export function readPkcs12(bytes: Uint8Array, password: Uint8Array): Pkcs12Contents {
  const pfx = children(parseDer(bytes, what), what)
  if (intOf(pfx[0], what) !== 3) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'version' })
  const [typeNode, content] = children(pfx[1], what)
  if (oidOf(typeNode, what) !== oids.data)
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'PKCS#12 with public-key integrity' })
  const authSafe = bytesOf(children(content, what)[0], what)
  if (pfx[2]) {
    const [digestInfo, saltNode, iterNode] = children(pfx[2], what)
    const [digestAlg, digest] = children(digestInfo, what)
    const hashId = oidOf(children(digestAlg, what)[0], what)
    const hash = hashes[hashId]
    if (!hash) throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `PKCS#12 MAC ${hashId}` })
    const iterations = iterNode ? intOf(iterNode, what) : 1
    checkIterations(iterations, limits.p12KdfMaxIterations)
    const macKey = pkcs12Kdf(hash.name, bmpPassword(password), bytesOf(saltNode, what), 3, iterations, hash.u)
    const expected = createHmac(hash.name, macKey).update(authSafe).digest()
    const actual = Buffer.from(bytesOf(digest, what))
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
      throw new SiegelpostError('KEY_PASSPHRASE_WRONG', {})
  }
  const out: Pkcs12Contents = { keys: [], certificates: [] }
  for (const info of children(parseDer(authSafe, what), what)) {
    const [type, value] = children(info, what)
    const contentType = oidOf(type, what)
    const inner = children(value, what)[0]
    if (contentType === oids.data) readSafeContents(bytesOf(inner, what), password, out)
    else if (contentType === oids.encryptedData) {
      const encryptedContentInfo = children(inner, what)[1]
      const [, alg, encrypted] = children(encryptedContentInfo, what)
      if (!isContext(encrypted, 0))
        throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'no encrypted content' })
      readSafeContents(pbeDecrypt(alg!, bytesOf(encrypted, what), password), password, out)
    } else throw new SiegelpostError('SMIME_UNSUPPORTED', { what: `PKCS#12 safe ${contentType}` })
  }
  return out
}

/** Whether the bytes parse as a PFX (version 3, data or signedData authSafe) — for file detection. */
export function looksLikePkcs12(bytes: Uint8Array): boolean {
  try {
    const pfx = children(parseDer(bytes, what), what)
    return (
      intOf(pfx[0], what) === 3 &&
      [oids.data, oids.signedData].includes(oidOf(children(pfx[1], what)[0], what) as never)
    )
  } catch {
    return false
  }
}

interface PbeChoice {
  encrypt(plain: Uint8Array): { algorithm: asn1js.AsnType; data: Uint8Array }
}

function modernPbe(password: Uint8Array): PbeChoice {
  return {
    encrypt(plain) {
      const salt = randomBytes(16)
      const iv = randomBytes(16)
      const iterations = limits.p12ExportIterations
      const key = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
      const cipher = createCipheriv('aes-256-cbc', key, iv)
      const data = Buffer.concat([cipher.update(plain), cipher.final()])
      const params = seq(
        algorithm(oids.pbkdf2, seq(octets(salt), int(iterations), algorithm(oids.hmacWithSha256, nul()))),
        algorithm(oids.aes256Cbc, octets(iv)),
      )
      return { algorithm: algorithm(oids.pbes2, params), data }
    },
  }
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC: what Windows before 10 1709 and old macOS can read. */
function compatPbe(password: Uint8Array): PbeChoice {
  return {
    encrypt(plain) {
      const salt = randomBytes(8)
      const iterations = limits.p12CompatIterations
      const bmp = bmpPassword(password)
      const key = pkcs12Kdf('sha1', bmp, salt, 1, iterations, 24)
      const iv = pkcs12Kdf('sha1', bmp, salt, 2, iterations, 8)
      const cipher = createCipheriv('des-ede3-cbc', key, iv)
      const data = Buffer.concat([cipher.update(plain), cipher.final()])
      return { algorithm: algorithm(oids.pbeSha3Des, seq(octets(salt), int(iterations))), data }
    },
  }
}

/**
 * Writes a .p12 with one private key and its certificate chain (leaf first). Modern: PBES2
 * AES-256-CBC + HMAC-SHA-256 MAC (OpenSSL 3 default family). `compat`: 3DES + SHA-1 MAC.
 */
export function writePkcs12(input: {
  pkcs8: Uint8Array
  chain: Uint8Array[]
  friendlyName: string
  password: Uint8Array
  compat: boolean
}): Uint8Array {
  const pbe = input.compat ? compatPbe(input.password) : modernPbe(input.password)
  const localKeyId = createHash('sha1')
    .update(input.chain[0] ?? new Uint8Array())
    .digest()
  const leafAttributes = () =>
    set(
      seq(oid(oids.friendlyName), set(new asn1js.BmpString({ value: input.friendlyName }))),
      seq(oid(oids.localKeyId), set(octets(localKeyId))),
    )
  const certBags = input.chain.map((der, index) => {
    const bag = [oid(oids.certBag), explicit(0, seq(oid(oids.x509Certificate), explicit(0, octets(der))))]
    return index === 0 ? seq(...bag, leafAttributes()) : seq(...bag)
  })
  const shrouded = pbe.encrypt(input.pkcs8)
  const keyBag = seq(
    oid(oids.pkcs8ShroudedKeyBag),
    explicit(0, seq(shrouded.algorithm, octets(shrouded.data))),
    leafAttributes(),
  )
  const certsEncrypted = pbe.encrypt(toDer(seq(...certBags)))
  const encryptedData = seq(
    int(0),
    seq(oid(oids.data), certsEncrypted.algorithm, implicitOctets(0, certsEncrypted.data)),
  )
  const authSafe = toDer(
    seq(
      seq(oid(oids.encryptedData), explicit(0, encryptedData)),
      seq(oid(oids.data), explicit(0, octets(toDer(seq(keyBag))))),
    ),
  )
  const hash = input.compat ? hashes[oids.sha1]! : hashes[oids.sha256]!
  const macSalt = randomBytes(input.compat ? 8 : 16)
  const macIterations = input.compat ? limits.p12CompatIterations : limits.p12MacIterations
  const macKey = pkcs12Kdf(hash.name, bmpPassword(input.password), macSalt, 3, macIterations, hash.u)
  const mac = createHmac(hash.name, macKey).update(authSafe).digest()
  const macData = seq(
    seq(algorithm(input.compat ? oids.sha1 : oids.sha256, nul()), octets(mac)),
    octets(macSalt),
    int(macIterations),
  )
  return toDer(seq(int(3), seq(oid(oids.data), explicit(0, octets(authSafe))), macData))
}

/** A PEM "ENCRYPTED PRIVATE KEY" (PKCS#8 EncryptedPrivateKeyInfo, RFC 5958) → PrivateKeyInfo DER. */
export function decryptPrivateKeyInfo(der: Uint8Array, password: Uint8Array): Uint8Array {
  const [alg, data] = children(parseDer(der, 'PKCS#8'), 'PKCS#8')
  return pbeDecrypt(alg!, bytesOf(data, 'PKCS#8'), password)
}
