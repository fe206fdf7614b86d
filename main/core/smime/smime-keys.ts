import { createPrivateKey, createPublicKey } from 'node:crypto'
import type * as pkijs from 'pkijs'
import { SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import type { KeyFile, KeyTechnology } from '../keys/technology.ts'
import type { VaultContents } from '../keys/vault.ts'
import {
  basicConstraintsOf,
  certificatesFromFile,
  commonNameOf,
  emailsOf,
  isSelfIssued,
  keyUsageOf,
  nameToString,
  parseCertificate,
  sha256Hex,
  spkiOf,
  usageOf,
} from './certificate.ts'
import { pemBlocks, toPem } from './der.ts'
import { fromB64, smimeMaterial, type SmimeMaterial } from './smime-material.ts'

export { fromB64, smimeMaterial, type SmimeMaterial }
import { decryptPrivateKeyInfo, looksLikePkcs12, readPkcs12, writePkcs12 } from './pkcs12.ts'
import { weakSignatureAlgorithms } from './signature-algorithm.ts'
import { certificatesFromSignedMail, looksLikeMail } from './smime-mail-certs.ts'

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')

function unusableReason(cert: pkijs.Certificate, der: Uint8Array): string | null {
  if (basicConstraintsOf(cert).isCA) return null
  if (emailsOf(cert).length === 0) return 'no e-mail address in the certificate'
  const usage = usageOf(cert)
  if (!usage.includes('sign') && !usage.includes('encrypt'))
    return 'not issued for e-mail protection (extended key usage / key usage)'
  if (weakSignatureAlgorithms.has(cert.signatureAlgorithm.algorithmId)) return 'signed with SHA-1 or MD5'
  const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' } as never)
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    return 'RSA key shorter than 2048 bits'
  return null
}

/** A vault entry for one certificate (with its private key when we have it). */
export function certificateToStoredKey(
  der: Uint8Array,
  extra: { chain: Uint8Array[]; pkcs8?: Uint8Array; trustAnchor?: boolean },
): StoredKey {
  const cert = parseCertificate(der)
  const fingerprint = sha256Hex(der)
  let reason: string | null
  try {
    reason = unusableReason(cert, spkiOf(cert))
  } catch {
    reason = 'public key algorithm not supported'
  }
  const material: SmimeMaterial = {
    certificate: b64(der),
    chain: extra.chain.map(b64),
    trustAnchor: extra.trustAnchor ?? false,
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    ...(extra.pkcs8 ? { privateKey: b64(extra.pkcs8) } : {}),
  }
  return {
    id: fingerprint.slice(0, 16),
    fingerprint,
    technology: 'smime',
    name: commonNameOf(cert),
    emails: emailsOf(cert),
    hasSecret: Boolean(extra.pkcs8),
    acceptance: extra.trustAnchor ? 'verified' : 'unverified',
    created: cert.notBefore.value.toISOString(),
    expires: cert.notAfter.value.toISOString(),
    flags: { revoked: false, unusableReason: reason },
    usage: usageOf(cert),
    material: material as unknown as Record<string, unknown>,
  }
}

function spkiOfPrivateKey(pkcs8: Uint8Array): string {
  try {
    const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
    return b64(createPublicKey(key).export({ format: 'der', type: 'spki' }))
  } catch (error) {
    throw new SiegelpostError('SMIME_UNSUPPORTED', { what: 'private key type' }, { cause: error })
  }
}

/** Pairs keys with certificates by public key and turns everything into vault entries. */
function entriesFrom(certificates: Uint8Array[], keys: Uint8Array[]): StoredKey[] {
  const bySpki = new Map(keys.map((pkcs8) => [spkiOfPrivateKey(pkcs8), pkcs8]))
  const used = new Set<string>()
  const entries = certificates.map((der) => {
    const spki = b64(spkiOf(parseCertificate(der)))
    const pkcs8 = bySpki.get(spki)
    if (pkcs8) used.add(spki)
    return certificateToStoredKey(der, {
      chain: certificates.filter((other) => other !== der),
      ...(pkcs8 ? { pkcs8 } : {}),
    })
  })
  if (used.size < bySpki.size) throw new SiegelpostError('SMIME_KEY_WITHOUT_CERTIFICATE', {})
  // Only the user's own certificate keeps the others as its chain; CA entries stand alone.
  return entries.map((entry) => (entry.hasSecret ? entry : { ...entry, material: { ...entry.material, chain: [] } }))
}

const p12Names = /\.(p12|pfx)$/i
const certNames = /\.(pem|crt|cer|der|p7b|p7c)$/i

export function mergeSmime(stored: StoredKey, incoming: StoredKey): StoredKey {
  const a = smimeMaterial(stored)
  const b = smimeMaterial(incoming)
  const privateKey = b.privateKey ?? a.privateKey
  const { pendingSpki: _pending, ...incomingMaterial } = b
  const material: SmimeMaterial = {
    ...incomingMaterial,
    chain: [...new Set([...a.chain, ...b.chain])],
    trustAnchor: a.trustAnchor || b.trustAnchor,
    ...(privateKey ? { privateKey } : {}),
  }
  return {
    ...incoming,
    hasSecret: Boolean(privateKey),
    acceptance: stored.acceptance === 'verified' || incoming.acceptance === 'verified' ? 'verified' : 'unverified',
    flags: { ...incoming.flags, revoked: stored.flags.revoked || incoming.flags.revoked },
    material: material as unknown as Record<string, unknown>,
  }
}

/** A key made by `keys csr --new`: in the vault now, usable once its certificate is imported. */
export function pendingKeyEntry(input: { pkcs8: Uint8Array; name: string; email: string; now: Date }): StoredKey {
  const spki = spkiOfPrivateKey(input.pkcs8)
  const fingerprint = sha256Hex(fromB64(spki))
  const material: SmimeMaterial = {
    certificate: '',
    chain: [],
    trustAnchor: false,
    subject: `CN=${input.name}`,
    issuer: '',
    privateKey: b64(input.pkcs8),
    pendingSpki: spki,
  }
  return {
    id: fingerprint.slice(0, 16),
    fingerprint,
    technology: 'smime',
    name: input.name,
    emails: [input.email.toLowerCase()],
    hasSecret: true,
    acceptance: 'verified',
    created: input.now.toISOString(),
    expires: null,
    flags: { revoked: false, unusableReason: 'waiting for the certificate from the CA (import it when it arrives)' },
    usage: [],
    material: material as unknown as Record<string, unknown>,
  }
}

export const smimeTechnology: KeyTechnology = {
  technology: 'smime',
  detect(file: KeyFile) {
    if (looksLikePkcs12(file.bytes) || looksLikeMail(file.bytes, file.fileName)) return true
    try {
      if (certificatesFromFile(file.bytes).length > 0) return true
    } catch {
      // A damaged PEM/DER certificate file is still ours when its name says so: import reports the damage.
    }
    return p12Names.test(file.fileName) || certNames.test(file.fileName)
  },
  async import(file, { passphrase }) {
    if (looksLikeMail(file.bytes, file.fileName)) {
      // A signed mail: the sender's certificate with the capabilities it advertised (smime-mail-certs.ts).
      return certificatesFromSignedMail(file.bytes, file.fileName).map(({ certificate, chain, capabilities }) => {
        const entry = certificateToStoredKey(certificate, { chain })
        return { ...entry, material: { ...entry.material, capabilities } }
      })
    }
    if (looksLikePkcs12(file.bytes) || p12Names.test(file.fileName)) {
      let contents
      if (passphrase) contents = readPkcs12(file.bytes, passphrase)
      else {
        try {
          contents = readPkcs12(file.bytes, new Uint8Array())
        } catch (error) {
          if (error instanceof SiegelpostError && error.code === 'KEY_PASSPHRASE_WRONG')
            throw new SiegelpostError('KEY_PASSPHRASE_REQUIRED', { path: file.fileName })
          throw error
        }
      }
      return entriesFrom(
        contents.certificates.map((c) => c.der),
        contents.keys.map((k) => k.pkcs8),
      )
    }
    const certificates = certificatesFromFile(file.bytes)
    if (certificates.length === 0) throw new SiegelpostError('SMIME_NO_CERTIFICATE', { path: file.fileName })
    const text = Buffer.from(file.bytes).toString('latin1')
    const keys = text.includes('-----BEGIN ') ? pemBlocks(text, ['PRIVATE KEY']).map((b) => b.der) : []
    const encrypted = text.includes('-----BEGIN ') ? pemBlocks(text, ['ENCRYPTED PRIVATE KEY']) : []
    if (encrypted.length > 0 && !passphrase)
      throw new SiegelpostError('KEY_PASSPHRASE_REQUIRED', { path: file.fileName })
    for (const block of encrypted) keys.push(decryptPrivateKeyInfo(block.der, passphrase!))
    return entriesFrom(certificates, keys)
  },
  merge: mergeSmime,
  sameKey(stored, incoming) {
    const pending = smimeMaterial(stored).pendingSpki
    if (!pending || !smimeMaterial(incoming).certificate) return false
    return b64(spkiOf(parseCertificate(fromB64(smimeMaterial(incoming).certificate)))) === pending
  },
  async export(key, request) {
    const material = smimeMaterial(key)
    if (!material.certificate) throw new SiegelpostError('SMIME_NO_CERTIFICATE', { path: key.id })
    const certificate = fromB64(material.certificate)
    if (request.part === 'public') {
      const format = request.format ?? 'pem'
      if (format === 'der') return certificate
      if (format === 'pem')
        return new TextEncoder().encode(
          [certificate, ...material.chain.map(fromB64)].map((der) => toPem('CERTIFICATE', der)).join(''),
        )
      throw new SiegelpostError('SMIME_EXPORT_FORMAT', { format, allowed: 'pem, der' })
    }
    const format = request.format ?? 'p12'
    if (format !== 'p12') throw new SiegelpostError('SMIME_EXPORT_FORMAT', { format, allowed: 'p12' })
    if (!material.privateKey) throw new SiegelpostError('KEY_NO_SECRET', { id: key.id })
    return writePkcs12({
      pkcs8: fromB64(material.privateKey),
      chain: [certificate, ...material.chain.map(fromB64)],
      friendlyName: key.name,
      password: request.passphrase!,
      compat: request.compat,
    })
  },
}

/**
 * `certs trust FILE`: the CA certificates in the file become trust anchors. They live in the
 * vault (not as loose files in the profile) because the vault is authenticated encryption: a
 * program that can write to the profile folder still cannot slip in an anchor of its own.
 */
export function trustAnchorEntries(bytes: Uint8Array, path: string): StoredKey[] {
  const certificates = certificatesFromFile(bytes)
  if (certificates.length === 0) throw new SiegelpostError('SMIME_NO_CERTIFICATE', { path })
  return certificates.map((der) => {
    const cert = parseCertificate(der)
    const { isCA } = basicConstraintsOf(cert)
    const ku = keyUsageOf(cert)
    // v1 roots carry no extensions at all; a self-issued v1 certificate is accepted as a root.
    const isV1Root = cert.version < 2 && isSelfIssued(cert)
    if (!(isCA || isV1Root) || (ku !== null && !ku.has('keyCertSign'))) {
      throw new SiegelpostError('SMIME_NOT_A_CA', { subject: nameToString(cert.subject) })
    }
    return certificateToStoredKey(der, { chain: [], trustAnchor: true })
  })
}

export function trustAnchorsOf(contents: VaultContents): Uint8Array[] {
  return contents.keys
    .filter((key) => key.technology === 'smime' && smimeMaterial(key).trustAnchor)
    .map((key) => fromB64(smimeMaterial(key).certificate))
}
