import { createHash, X509Certificate } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { SiegelpostError } from '../errors/index.ts'
import { bytesOf, children, oidOf, parseDer, pemBlocks, rawOf, toDer } from './der.ts'
import { generalNameTags } from './general-name.ts'
import { extensionIds, nameAttributeIds, oids } from './oids.ts'

/** Extensions pkijs hands over as plain ASN.1 values (no schema of its own): the type RFC 5280 §4.2 gives them. */
const plainExtensionTypes: Record<string, new (...args: never[]) => asn1js.AsnType> = {
  '2.5.29.15': asn1js.BitString, // keyUsage
  '2.5.29.14': asn1js.OctetString, // subjectKeyIdentifier
  '2.5.29.54': asn1js.Integer, // inhibitAnyPolicy
}

const readByDistributionPoint = new Set<string>([extensionIds.crlDistributionPoints, extensionIds.freshestCrl])

/** X.509 certificates: parsing with limits, the facts S/MIME needs, and certificate files (PEM, DER, .p7b). */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  const node = parseDer(der, 'X.509')
  let cert: pkijs.Certificate
  try {
    cert = new pkijs.Certificate({ schema: node })
  } catch (error) {
    throw new SiegelpostError(
      'SMIME_MALFORMED',
      { what: 'X.509', reason: error instanceof Error ? error.message.slice(0, 120) : 'schema' },
      { cause: error },
    )
  }
  // pkijs parses extension values lazily and, for a damaged one, yields nothing or an empty default
  // (a SubjectAltName without names, a basicConstraints without cA) instead of failing. A value that
  // is not what RFC 5280 §4.2 says it is makes the certificate malformed, here, before anyone reads it.
  for (const ext of cert.extensions ?? []) {
    // cRLDistributionPoints and freshestCRL are read by distribution-point.ts: pkijs cannot parse
    // nameRelativeToCRLIssuer (NIST PKITS 4.14) and reports a parsing error for a valid value.
    if (readByDistributionPoint.has(ext.extnID)) continue
    let value: { parsingError?: string } | undefined
    try {
      value = ext.parsedValue as typeof value // parsed on first read; asn1js throws for e.g. a damaged time
    } catch {
      throw new SiegelpostError('SMIME_MALFORMED', { what: 'X.509', reason: `extension ${ext.extnID} is damaged` })
    }
    const type = plainExtensionTypes[ext.extnID]
    if (
      value === undefined ||
      value === null ||
      typeof value.parsingError === 'string' ||
      (type && !(value instanceof type))
    ) {
      throw new SiegelpostError('SMIME_MALFORMED', { what: 'X.509', reason: `extension ${ext.extnID} is damaged` })
    }
  }
  return cert
}

export const certificateDer = (cert: pkijs.Certificate) => toDer(cert)

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').toUpperCase()
}

const attributeNames: Record<string, string> = {
  [nameAttributeIds.commonName]: 'CN',
  [nameAttributeIds.countryName]: 'C',
  [nameAttributeIds.localityName]: 'L',
  [nameAttributeIds.stateOrProvinceName]: 'ST',
  [nameAttributeIds.organizationName]: 'O',
  [nameAttributeIds.organizationalUnitName]: 'OU',
  [oids.emailAddress]: 'E',
}

export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map(
      (tv) =>
        `${attributeNames[tv.type] ?? tv.type}=${String((tv.value as asn1js.AsnType & { valueBlock: { value: unknown } }).valueBlock.value)}`,
    )
    .join(', ')
}

function attribute(name: pkijs.RelativeDistinguishedNames, type: string): string[] {
  return name.typesAndValues
    .filter((tv) => tv.type === type)
    .map((tv) => String((tv.value as asn1js.AsnType & { valueBlock: { value: unknown } }).valueBlock.value))
}

export function extension(cert: pkijs.Certificate, id: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === id)
}

/** keyUsage bits by name (RFC 5280 §4.2.1.3), or null when the extension is absent. */
export function keyUsageOf(cert: pkijs.Certificate): Set<string> | null {
  const ext = extension(cert, extensionIds.keyUsage)
  if (!ext) return null
  const bits = ext.parsedValue as asn1js.BitString
  const bytes = new Uint8Array(bits.valueBlock.valueHexView)
  const names = [
    'digitalSignature',
    'nonRepudiation',
    'keyEncipherment',
    'dataEncipherment',
    'keyAgreement',
    'keyCertSign',
    'cRLSign',
    'encipherOnly',
    'decipherOnly',
  ]
  const out = new Set<string>()
  names.forEach((name, index) => {
    if ((bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) out.add(name)
  })
  return out
}

export function extKeyUsageOf(cert: pkijs.Certificate): string[] | null {
  const ext = extension(cert, extensionIds.extKeyUsage)
  return ext ? [...(ext.parsedValue as pkijs.ExtKeyUsage).keyPurposes] : null
}

export function basicConstraintsOf(cert: pkijs.Certificate): { isCA: boolean; pathLen: number | null } {
  const ext = extension(cert, extensionIds.basicConstraints)
  if (!ext) return { isCA: false, pathLen: null }
  const bc = ext.parsedValue as pkijs.BasicConstraints
  const pathLen =
    bc.pathLenConstraint === undefined
      ? null
      : typeof bc.pathLenConstraint === 'number'
        ? bc.pathLenConstraint
        : bc.pathLenConstraint.valueBlock.valueDec
  return { isCA: Boolean(bc.cA), pathLen }
}

/** E-mail addresses: SAN rfc822Name first (RFC 8550 §3), then the legacy subject emailAddress. Lower-cased. */
export function emailsOf(cert: pkijs.Certificate): string[] {
  const out: string[] = []
  const san = extension(cert, extensionIds.subjectAltName)
  for (const name of (san?.parsedValue as pkijs.AltName | undefined)?.altNames ?? []) {
    if (name.type === generalNameTags.rfc822Name) out.push(String(name.value).toLowerCase())
  }
  for (const email of attribute(cert.subject, oids.emailAddress)) out.push(email.toLowerCase())
  return [...new Set(out)]
}

export function commonNameOf(cert: pkijs.Certificate): string {
  const [commonName] = attribute(cert.subject, nameAttributeIds.commonName)
  return commonName ?? attribute(cert.subject, nameAttributeIds.organizationName)[0] ?? nameToString(cert.subject)
}

export function isSelfIssued(cert: pkijs.Certificate): boolean {
  return cert.subject.isEqual(cert.issuer)
}

/** Whether `issuer`'s key made the signature on `cert` (node:crypto via OpenSSL; RSA, RSA-PSS, ECDSA, DSA, EdDSA). */
export function isSignedBy(cert: Uint8Array, issuer: Uint8Array): boolean {
  try {
    return new X509Certificate(cert).verify(new X509Certificate(issuer).publicKey)
  } catch {
    return false
  }
}

/** Usage in the CLI's words: sign, encrypt, certify. */
export function usageOf(cert: pkijs.Certificate): string[] {
  const ku = keyUsageOf(cert)
  const eku = extKeyUsageOf(cert)
  const { isCA } = basicConstraintsOf(cert)
  const mail = eku === null || eku.includes(oids.emailProtection) || eku.includes(oids.anyExtendedKeyUsage)
  const usage: string[] = []
  if (mail && (ku === null || ku.has('digitalSignature') || ku.has('nonRepudiation'))) usage.push('sign')
  if (mail && (ku === null || ku.has('keyEncipherment') || ku.has('keyAgreement'))) usage.push('encrypt')
  if (isCA && (ku === null || ku.has('keyCertSign'))) usage.push('certify')
  return isCA ? usage.filter((u) => u === 'certify') : usage
}

const certificateLabels = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']
const pkcs7Labels = ['PKCS7', 'CMS']

/** Certificates inside a degenerate SignedData (.p7b/.p7c) or any SignedData. */
export function certificatesFromSignedData(contentInfo: Uint8Array): Uint8Array[] {
  const [type, content] = children(parseDer(contentInfo, 'PKCS#7'), 'PKCS#7')
  if (oidOf(type, 'PKCS#7') !== oids.signedData)
    throw new SiegelpostError('SMIME_MALFORMED', { what: 'PKCS#7', reason: 'not SignedData' })
  const signedData = children(children(content, 'PKCS#7')[0], 'PKCS#7')
  const certSet = signedData.find((node) => node.idBlock.tagClass === 3 && node.idBlock.tagNumber === 0)
  if (!certSet) return []
  return children(certSet, 'PKCS#7')
    .filter((node) => node instanceof asn1js.Sequence)
    .map((node) => toDer(node))
}

/**
 * Every certificate in a certificate file: PEM (one or many), DER, or .p7b in PEM or DER.
 * Returns [] when the bytes are none of these.
 */
export function certificatesFromFile(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 64 * 1024 * 1024))).toString('latin1')
  if (text.includes('-----BEGIN ')) {
    const out: Uint8Array[] = []
    for (const block of pemBlocks(text, [...certificateLabels, ...pkcs7Labels])) {
      if (pkcs7Labels.includes(block.label)) out.push(...certificatesFromSignedData(block.der))
      else out.push(block.der)
    }
    for (const der of out) parseCertificate(der)
    return out
  }
  try {
    const top = children(parseDer(bytes, 'X.509'), 'X.509')
    if (top[0] instanceof asn1js.ObjectIdentifier) return certificatesFromSignedData(bytes)
    parseCertificate(bytes)
    return [bytes]
  } catch {
    return []
  }
}

export const privateKeyLabels = ['PRIVATE KEY']

/** The SubjectPublicKeyInfo DER of a certificate, to pair certificates with private keys. */
export function spkiOf(cert: pkijs.Certificate): Uint8Array {
  return toDer(cert.subjectPublicKeyInfo)
}

export function subjectKeyIdentifierOf(cert: pkijs.Certificate): Uint8Array | null {
  const ext = extension(cert, extensionIds.subjectKeyIdentifier)
  return ext ? bytesOf(ext.parsedValue as asn1js.OctetString, 'SKI') : null
}

/**
 * Whether a CMS SignerIdentifier / RecipientIdentifier names this certificate: an
 * IssuerAndSerialNumber SEQUENCE, or a [0] SubjectKeyIdentifier (RFC 5652 §5.3, §6.2.1).
 */
export function matchesSignerIdentifier(
  identifier: asn1js.AsnType,
  der: Uint8Array,
  parse: (der: Uint8Array) => pkijs.Certificate = parseCertificate,
): boolean {
  const cert = parse(der)
  if (identifier instanceof asn1js.Sequence) {
    const [issuer, serial] = identifier.valueBlock.value
    if (!issuer || !serial)
      throw new SiegelpostError('SMIME_MALFORMED', { what: 'SignerIdentifier', reason: 'issuer or serial missing' })
    return sameBytes(encodedOf(issuer!), toDer(cert.issuer)) && sameBytes(encodedOf(serial!), toDer(cert.serialNumber))
  }
  const ski = subjectKeyIdentifierOf(cert)
  return ski !== null && sameBytes(bytesOf(identifier, 'SKI'), ski)
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0
/** The bytes as received for a parsed node (no re-encoding of BER), else its DER. */
const encodedOf = (node: asn1js.AsnType) => (node.valueBeforeDecodeView.length > 0 ? rawOf(node) : toDer(node))
