/**
 * The S/MIME core's public surface for the mail layer (main/core/mime, `compose`/`open`) and the
 * app. All functions take canonical MIME entity bytes (or byte streams) and certificates/keys as
 * DER; the vault entries carry them in `material` (smime-keys.ts: SmimeMaterial).
 */
export {
  decryptCms,
  encryptCms,
  type ContentCipher,
  type DecryptIdentity,
  type DecryptResult,
  type EncryptRecipient,
  type KeyTransport,
} from './cms-envelope.ts'
export { encryptionChoiceFrom, signCms, verifySignedData, type SigningIdentity } from './cms-signed.ts'
export { decryptCmsStream, encryptCmsStream, readSignedStream, signCmsStream, type ByteSource } from './cms-stream.ts'
export { verifySmimeSignature, verifySmimeSignatureOnline, type SmimeSignatureVerdict } from './cms-verify.ts'
export { certificatesFromFile, emailsOf, parseCertificate } from './certificate.ts'
export { validatePath, type PathValidationInput, type PathValidationResult } from './path-validation/index.ts'
export { crlUrlsOf, fetchCrls, type CrlFetcher } from './revocation.ts'
export {
  httpCrlFetcher,
  httpOcspTransport,
  httpRevocationFetchers,
  type RevocationFetchers,
} from './revocation-http.ts'
export { ocspStatus, type OcspStatus, type OcspTransport } from './ocsp.ts'
export { smimeMaterial, smimeTechnology, trustAnchorsOf, fromB64, type SmimeMaterial } from './smime-keys.ts'
export { smimePurposeProblem } from './smime-purpose.ts'
