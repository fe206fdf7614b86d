import { SiegelpostError } from '../errors/index.ts'
import { decodeBody, parseMime, type MimePart } from '../mime/parse.ts'
import { verifySignedData } from './cms-signed.ts'

/**
 * `keys import MAIL.eml`: the certificates a signed mail carries, with what the signer advertised
 * (SMIMECapabilities, RFC 8551 §2.5.2), so `compose` can choose RSA-OAEP and AuthEnvelopedData for
 * them. Only the signature's own certificate is taken, and only when the signature over the mail
 * checks out (the capabilities are a signed attribute); the user chose to import it, it is stored
 * unverified and never as a trust anchor. Encrypted mail is not read here (no vault access).
 */
export interface HarvestedCertificate {
  certificate: Uint8Array
  chain: Uint8Array[]
  capabilities: string[]
}

const pkcs7Signature = /^application\/(x-)?pkcs7-signature$/
const pkcs7Mime = /^application\/(x-)?pkcs7-mime$/

export function looksLikeMail(bytes: Uint8Array, fileName: string): boolean {
  if (!/\.eml$/i.test(fileName)) return false
  return /^(?:[!-9;-~]+:[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*)+/.test(
    Buffer.from(bytes.subarray(0, 8192)).toString('latin1'),
  )
}

function signatureOf(part: MimePart): { cms: Uint8Array; detachedContent?: Uint8Array } | null {
  if (
    part.contentType.type === 'multipart/signed' &&
    pkcs7Signature.test((part.contentType.params.protocol ?? '').toLowerCase()) &&
    part.children.length >= 2
  ) {
    return { cms: decodeBody(part.children[1]!), detachedContent: part.children[0]!.raw }
  }
  if (
    pkcs7Mime.test(part.contentType.type) &&
    (part.contentType.params['smime-type'] ?? '').toLowerCase() === 'signed-data'
  )
    return { cms: decodeBody(part) }
  return null
}

export function certificatesFromSignedMail(bytes: Uint8Array, path: string): HarvestedCertificate[] {
  const signed = signatureOf(parseMime(bytes))
  if (!signed) throw new SiegelpostError('SMIME_NO_CERTIFICATE', { path })
  let check = verifySignedData(signed)
  if (!check.isSignatureValid && signed.detachedContent) {
    // RFC 8551 §3.1.1: the signer signed the canonical CRLF form of a part stored with bare LFs.
    const canonical = Buffer.from(
      Buffer.from(signed.detachedContent).toString('latin1').replace(/\r?\n/g, '\r\n'),
      'latin1',
    )
    const retry = verifySignedData({ ...signed, detachedContent: canonical })
    if (retry.isSignatureValid) check = retry
  }
  if (!check.isSignatureValid || !check.signerCertificate) throw new SiegelpostError('SMIME_NO_CERTIFICATE', { path })
  const signer = check.signerCertificate
  const preferred = check.encryptionCertificate
  const result: HarvestedCertificate[] = [
    {
      certificate: signer,
      chain: check.certificates.filter((der) => der !== signer && der !== preferred),
      capabilities: check.capabilities,
    },
  ]
  // RFC 8551 §2.5.3: a separate encryption certificate the signer named in a signed attribute.
  if (preferred && preferred !== signer)
    result.push({ certificate: preferred, chain: [], capabilities: check.capabilities })
  return result
}
